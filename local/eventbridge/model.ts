// The shapes the local EventBridge accepts and stores: zod schemas for every operation's input (the SDK
// sends `{}` when required inputs are missing, so the server validates), the records it persists (parsed
// again when read back), and AWS's ValidationException wording for schema failures.
import * as z from "zod";
import { AwsServiceError } from "../aws-protocol/aws-json-service.ts";

const NAME = /^[.\-_A-Za-z0-9]+$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]+$/;
const RULE_STATES = ["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"] as const;
const HTTP_METHODS = ["POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"] as const;
const AUTHORIZATION_TYPES = ["BASIC", "OAUTH_CLIENT_CREDENTIALS", "API_KEY"] as const;

const text = (min: number, max: number) => z.string().min(min).max(max);
const name = z.string().min(1).max(64).regex(NAME);
const busNameOrArn = text(1, 1600);
const nextToken = text(1, 2048);
const limit = z.int().min(1).max(100);
const tags = z.array(z.object({ Key: text(1, 128), Value: text(0, 256) })).max(50);

const keyValues = z.record(z.string(), z.string());
const parameter = z.object({ Key: z.string(), Value: z.string(), IsValueSecret: z.boolean().optional() });

export const TargetSchema = z.looseObject({
  Id: z.string().min(1).max(64).regex(NAME),
  Arn: text(1, 1600),
  RoleArn: text(1, 1600).optional(),
  Input: text(0, 8192).optional(),
  InputPath: text(0, 256).optional(),
  InputTransformer: z
    .object({ InputPathsMap: keyValues.optional(), InputTemplate: text(1, 8192) })
    .optional(),
  RetryPolicy: z
    .object({
      MaximumRetryAttempts: z.int().min(0).max(185).optional(),
      MaximumEventAgeInSeconds: z.int().min(60).max(86_400).optional(),
    })
    .optional(),
  DeadLetterConfig: z.object({ Arn: text(1, 1600).optional() }).optional(),
  HttpParameters: z
    .object({
      PathParameterValues: z.array(z.string()).optional(),
      HeaderParameters: keyValues.optional(),
      QueryStringParameters: keyValues.optional(),
    })
    .optional(),
});
export type Target = z.infer<typeof TargetSchema>;

export const PutEventsInput = z.object({
  Entries: z
    .array(
      z.looseObject({
        Time: z.union([z.number(), z.string()]).optional(),
        Source: z.string().optional(),
        Resources: z.array(z.string()).optional(),
        DetailType: z.string().optional(),
        Detail: z.string().optional(),
        EventBusName: z.string().optional(),
        TraceHeader: z.string().optional(),
      }),
    )
    .min(1)
    .max(10),
  EndpointId: z.string().optional(),
});
export type PutEventsEntry = z.infer<typeof PutEventsInput>["Entries"][number];

export const PutRuleInput = z.object({
  Name: name,
  ScheduleExpression: text(0, 256).optional(),
  EventPattern: text(0, 4096).optional(),
  State: z.enum(RULE_STATES).optional(),
  Description: text(0, 512).optional(),
  RoleArn: text(1, 1600).optional(),
  Tags: tags.optional(),
  EventBusName: busNameOrArn.optional(),
});
export const RuleRefInput = z.object({ Name: name, EventBusName: busNameOrArn.optional() });
export const DeleteRuleInput = RuleRefInput.extend({ Force: z.boolean().optional() });
export const ListRulesInput = z.object({
  NamePrefix: z.string().min(1).max(64).regex(NAME).optional(),
  EventBusName: busNameOrArn.optional(),
  NextToken: nextToken.optional(),
  Limit: limit.optional(),
});
export const PutTargetsInput = z.object({
  Rule: name,
  EventBusName: busNameOrArn.optional(),
  Targets: z.array(TargetSchema).min(1).max(10),
});
export const RemoveTargetsInput = z.object({
  Rule: name,
  EventBusName: busNameOrArn.optional(),
  Ids: z.array(z.string().min(1).max(64).regex(NAME)).min(1).max(100),
  Force: z.boolean().optional(),
});
export const ListTargetsByRuleInput = z.object({
  Rule: name,
  EventBusName: busNameOrArn.optional(),
  NextToken: nextToken.optional(),
  Limit: limit.optional(),
});
export const ListRuleNamesByTargetInput = z.object({
  TargetArn: text(1, 1600),
  EventBusName: busNameOrArn.optional(),
  NextToken: nextToken.optional(),
  Limit: limit.optional(),
});
export const TestEventPatternInput = z.object({ EventPattern: text(0, 4096), Event: z.string() });

const deadLetterConfig = z.object({ Arn: text(1, 1600).optional() });
export const CreateEventBusInput = z.object({
  Name: z.string().min(1).max(256).regex(BUS_NAME),
  EventSourceName: text(1, 256).optional(),
  Description: text(0, 512).optional(),
  KmsKeyIdentifier: text(0, 2048).optional(),
  DeadLetterConfig: deadLetterConfig.optional(),
  Tags: tags.optional(),
});
export const DescribeEventBusInput = z.object({ Name: busNameOrArn.optional() });
export const DeleteEventBusInput = z.object({ Name: z.string().min(1).max(256).regex(BUS_NAME) });
export const ListEventBusesInput = z.object({
  NamePrefix: z.string().min(1).max(256).regex(BUS_NAME).optional(),
  NextToken: nextToken.optional(),
  Limit: limit.optional(),
});

const AuthParameters = z.looseObject({
  ApiKeyAuthParameters: z.object({ ApiKeyName: text(1, 512), ApiKeyValue: text(1, 512) }).optional(),
  BasicAuthParameters: z.object({ Username: text(1, 512), Password: text(1, 512) }).optional(),
  OAuthParameters: z
    .looseObject({
      ClientParameters: z.object({ ClientID: text(1, 512), ClientSecret: text(1, 512) }),
      AuthorizationEndpoint: text(1, 2048),
      HttpMethod: z.enum(["GET", "POST", "PUT"]),
      OAuthHttpParameters: z.unknown().optional(),
    })
    .optional(),
  InvocationHttpParameters: z
    .object({
      HeaderParameters: z.array(parameter).optional(),
      QueryStringParameters: z.array(parameter).optional(),
      BodyParameters: z.array(parameter).optional(),
    })
    .optional(),
});
export type AuthParameters = z.infer<typeof AuthParameters>;

export const CreateConnectionInput = z.object({
  Name: name,
  Description: text(0, 512).optional(),
  AuthorizationType: z.enum(AUTHORIZATION_TYPES),
  AuthParameters,
});
export const ConnectionRefInput = z.object({ Name: name });
export const ListConnectionsInput = z.object({
  NamePrefix: z.string().min(1).max(64).regex(NAME).optional(),
  ConnectionState: z.string().optional(),
  NextToken: nextToken.optional(),
  Limit: limit.optional(),
});
export const CreateApiDestinationInput = z.object({
  Name: name,
  Description: text(0, 512).optional(),
  ConnectionArn: text(1, 1600),
  InvocationEndpoint: text(1, 2048),
  HttpMethod: z.enum(HTTP_METHODS),
  InvocationRateLimitPerSecond: z.int().min(1).optional(),
});
export const ApiDestinationRefInput = z.object({ Name: name });
export const ListApiDestinationsInput = z.object({
  NamePrefix: z.string().min(1).max(64).regex(NAME).optional(),
  ConnectionArn: text(1, 1600).optional(),
  NextToken: nextToken.optional(),
  Limit: limit.optional(),
});

// ---------------------------------------------------------------------------------------------------
// Stored records (times are epoch milliseconds)

export const BusRecord = z.object({
  name: z.string(),
  arn: z.string(),
  description: z.string().optional(),
  kmsKeyIdentifier: z.string().optional(),
  deadLetterConfig: deadLetterConfig.optional(),
  creationTime: z.number(),
  lastModifiedTime: z.number(),
});
export type BusRecord = z.infer<typeof BusRecord>;

export const RuleRecord = z.object({
  name: z.string(),
  busName: z.string(),
  arn: z.string(),
  eventPattern: z.string().optional(),
  scheduleExpression: z.string().optional(),
  state: z.enum(RULE_STATES),
  description: z.string().optional(),
  roleArn: z.string().optional(),
  createdBy: z.string(),
  targets: z.array(TargetSchema),
});
export type RuleRecord = z.infer<typeof RuleRecord>;

export const ConnectionRecord = z.object({
  name: z.string(),
  arn: z.string(),
  description: z.string().optional(),
  authorizationType: z.enum(AUTHORIZATION_TYPES),
  authParameters: AuthParameters,
  state: z.string(),
  creationTime: z.number(),
  lastModifiedTime: z.number(),
  lastAuthorizedTime: z.number(),
});
export type ConnectionRecord = z.infer<typeof ConnectionRecord>;

export const ApiDestinationRecord = z.object({
  name: z.string(),
  arn: z.string(),
  description: z.string().optional(),
  connectionArn: z.string(),
  invocationEndpoint: z.string(),
  httpMethod: z.enum(HTTP_METHODS),
  invocationRateLimitPerSecond: z.number().optional(),
  state: z.string(),
  creationTime: z.number(),
  lastModifiedTime: z.number(),
});
export type ApiDestinationRecord = z.infer<typeof ApiDestinationRecord>;

export const StateSnapshot = z.object({
  version: z.literal(1),
  buses: z.array(BusRecord),
  rules: z.array(RuleRecord),
  connections: z.array(ConnectionRecord),
  apiDestinations: z.array(ApiDestinationRecord),
});
export type StateSnapshot = z.infer<typeof StateSnapshot>;

const deliveryError = z.object({ code: z.string(), message: z.string() });

/** One event on its way to one target: journaled until delivered or dead-lettered. */
export const DeliveryRecord = z.object({
  id: z.string(),
  eventId: z.string(),
  event: z.record(z.string(), z.unknown()),
  ingestedAt: z.number(),
  busName: z.string(),
  ruleName: z.string(),
  ruleArn: z.string(),
  /** The target as it was when the event matched; the rule's current target of that Id wins. */
  target: TargetSchema,
  attempts: z.int().min(0),
  nextAttemptAt: z.number(),
  lastError: deliveryError.optional(),
});
export type DeliveryRecord = z.infer<typeof DeliveryRecord>;

export const DeadLetter = z.object({
  id: z.string(),
  deadLetterArn: z.string(),
  eventId: z.string(),
  event: z.record(z.string(), z.unknown()),
  ingestedAt: z.number(),
  busName: z.string(),
  ruleName: z.string(),
  ruleArn: z.string(),
  targetId: z.string(),
  targetArn: z.string(),
  target: TargetSchema,
  attempts: z.int().min(1),
  errorCode: z.string(),
  errorMessage: z.string(),
  deadLetteredAt: z.number(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

// ---------------------------------------------------------------------------------------------------
// Validation errors, worded as AWS words them

/** Parses an operation's input or throws ValidationException. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const details = issues.map((issue) => describeIssue(issue, input));
  const count = `${issues.length} validation error${issues.length === 1 ? "" : "s"} detected`;
  throw new AwsServiceError("ValidationException", `${count}: ${details.join("; ")}`);
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path);
  const where = issue.path
    .map((step) => (typeof step === "number" ? `${step + 1}.member` : lowerFirst(String(step))))
    .join(".");
  return `Value ${show(value)} at '${where}' failed to satisfy constraint: ${constraint(issue, value)}`;
}

function constraint(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return value === undefined || value === null
        ? "Member must not be null"
        : `Member must be of type ${issue.expected}`;
    case "too_big":
      return issue.origin === "string" || issue.origin === "array"
        ? `Member must have length less than or equal to ${issue.maximum}`
        : `Member must have value less than or equal to ${issue.maximum}`;
    case "too_small":
      return issue.origin === "string" || issue.origin === "array"
        ? `Member must have length greater than or equal to ${issue.minimum}`
        : `Member must have value greater than or equal to ${issue.minimum}`;
    case "invalid_format":
      return "pattern" in issue && issue.pattern
        ? `Member must satisfy regular expression pattern: ${issue.pattern}`
        : issue.message;
    case "invalid_value":
      return `Member must satisfy enum value set: [${issue.values.join(", ")}]`;
    default:
      return issue.message;
  }
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current = input;
  for (const step of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[step];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return "null";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `'${text.length > 100 ? `${text.slice(0, 100)}...` : text}'`;
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);
