// One Step Functions state machine per declared order workflow: the ASL file inline in the template (so
// it is reviewable and testable there), each `${Key}` substituted by the declared function's ARN, full
// execution logging and X-Ray tracing, and an execution role that may invoke exactly those functions.
import { readFileSync } from "node:fs";
import { ArnFormat, Stack, Validations } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import {
  DefinitionBody,
  LogLevel,
  StateMachine,
  type StateMachineProps,
  StateMachineType,
} from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import {
  type StateMachineDeclaration,
  type StateMachineId,
  stateMachines as stateMachineDeclarations,
} from "../../app/app-declaration.ts";
import type { AppFunctions } from "../functions/app-functions.ts";
import { fromRepoRoot } from "../paths.ts";

/** `${Key}` placeholders in an ASL text, the syntax Step Functions' DefinitionSubstitutions replaces. */
export function aslPlaceholders(asl: string): Set<string> {
  return new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] as string));
}

/**
 * A state machine's ARN built from its NAME. The functions get this in their environment and in their
 * StartExecution grant instead of a reference to the resource: the state machine already references the
 * functions (substitutions, invoke grant), and a reference back would be a circular dependency.
 */
export function stateMachineArnFromName(scope: Construct, stateMachineName: string): string {
  return Stack.of(scope).formatArn({
    service: "states",
    resource: "stateMachine",
    resourceName: stateMachineName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export interface OrderWorkflowsProps {
  functions: AppFunctions;
}

export class OrderWorkflows extends Construct {
  private readonly byId = new Map<StateMachineId, StateMachine>();

  constructor(scope: Construct, id: string, props: OrderWorkflowsProps) {
    super(scope, id);

    for (const [machineId, declaration] of Object.entries(stateMachineDeclarations) as [
      StateMachineId,
      StateMachineDeclaration,
    ][]) {
      const asl = readFileSync(fromRepoRoot(declaration.definitionFile), "utf8");
      const declared = Object.keys(declaration.substitutions);
      const undeclared = [...aslPlaceholders(asl)].filter((key) => !declared.includes(key));
      if (undeclared.length > 0) {
        // Step Functions would leave the text as is and fail the first execution that reaches it.
        throw new Error(
          `${declaration.definitionFile} uses undeclared substitutions: ${undeclared.join(", ")}`,
        );
      }

      const substituted = Object.entries(declaration.substitutions).map(([key, ref]) => ({
        key,
        fn: props.functions.get(ref.functionArn),
      }));

      const logs = new LogGroup(this, `${machineId}Logs`, {
        // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy from outgrowing its size limit
        // as state machines are added.
        logGroupName: `/aws/vendedlogs/states/${declaration.name}`,
        retention: RetentionDays.ONE_MONTH,
      });

      const machineProps: StateMachineProps = {
        // The name is fixed by the declaration: handlers' ARNs and the failure rule's pattern are built from it.
        stateMachineName: declaration.name,
        stateMachineType: StateMachineType[declaration.type],
        definitionBody: DefinitionBody.fromString(asl),
        definitionSubstitutions: Object.fromEntries(substituted.map(({ key, fn }) => [key, fn.functionArn])),
        // Express executions keep no history of their own: their logs are the record. ALL with data would
        // log ~20 events (~15 KB) per order, about $7.50 per million orders at $0.50/GB ingested, more than
        // the workflow itself; ERROR keeps every failure with its input and cause. Standard executions
        // have their history in Step Functions, so their logs can afford ALL.
        logs: {
          destination: logs,
          level: declaration.type === "EXPRESS" ? LogLevel.ERROR : LogLevel.ALL,
          includeExecutionData: true,
        },
        tracingEnabled: true,
      };
      const machine = new StateMachine(this, machineId, machineProps);

      // Invoke on the unqualified ARNs only (the ASL calls them unqualified), not CDK's grantInvoke, which
      // also allows every version and alias (`<arn>:*`).
      machine.addToRolePolicy(
        new PolicyStatement({
          actions: ["lambda:InvokeFunction"],
          resources: [...new Set(substituted.map(({ fn }) => fn.functionArn))],
        }),
      );
      Validations.of(machine).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "Logging to CloudWatch Logs uses the log-delivery APIs (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups...) and X-Ray tracing uses xray:PutTraceSegments/GetSamplingRules; none of them supports resource-level permissions",
      });
      if (declaration.type === "EXPRESS") {
        Validations.of(machine).acknowledge({
          id: "AwsSolutions-SF1",
          reason:
            "The Express automatic path logs at ERROR level (every failure with its input and cause): logging ALL events would cost more per order than the workflow itself (docs/costs.md)",
        });
      }
      this.byId.set(machineId, machine);
    }
  }

  get(machineId: StateMachineId): StateMachine {
    const machine = this.byId.get(machineId);
    if (!machine) throw new Error(`state machine ${machineId} is not declared in app/app-declaration.ts`);
    return machine;
  }
}
