// Step Functions resource names and ARNs: how they are built, and which names and ARNs the API accepts
// (InvalidName / InvalidArn are checked here so every operation answers them the same way).
import { AwsServiceError } from "../aws-protocol/aws-json-service.ts";

export interface ArnScope {
  region: string;
  account: string;
}

export type StateMachineType = "STANDARD" | "EXPRESS";

// AWS: 1-80 characters; no whitespace, brackets, wildcards, the listed punctuation or control characters.
const FORBIDDEN_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u;

const isControl = (char: string): boolean => {
  const code = char.codePointAt(0) ?? 0;
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
};

export function assertValidName(name: string, what: string): void {
  if (name.length < 1 || name.length > 80 || FORBIDDEN_NAME_CHARS.test(name) || [...name].some(isControl)) {
    throw new AwsServiceError("InvalidName", `Invalid Name: '${name}' is not a valid ${what} name`);
  }
}

export const stateMachineArn = (scope: ArnScope, name: string): string =>
  `arn:aws:states:${scope.region}:${scope.account}:stateMachine:${name}`;

/** Standard executions: `execution:<machine>:<name>`; express ones carry `express:` and a run id, as on AWS. */
export function executionArn(
  scope: ArnScope,
  machineName: string,
  executionName: string,
  type: StateMachineType,
): string {
  const base = `arn:aws:states:${scope.region}:${scope.account}`;
  return type === "EXPRESS"
    ? `${base}:express:${machineName}:${executionName}:${crypto.randomUUID()}`
    : `${base}:execution:${machineName}:${executionName}`;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:\s]+$/;
const EXECUTION_ARN =
  /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution:[^:\s]+:[^:\s]+|express:[^:\s]+:[^:\s]+:[^:\s]+)$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/;

export function assertStateMachineArn(arn: string): void {
  if (!STATE_MACHINE_ARN.test(arn)) {
    throw new AwsServiceError("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  }
}

export function assertExecutionArn(arn: string): void {
  if (!EXECUTION_ARN.test(arn)) {
    throw new AwsServiceError("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  }
}

export function assertRoleArn(arn: string): void {
  if (!ROLE_ARN.test(arn)) throw new AwsServiceError("InvalidArn", `Invalid Arn: '${arn}'`);
}
