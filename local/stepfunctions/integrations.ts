// Task resources the local Step Functions can call, with the request and response shapes and the error
// names Step Functions uses on AWS (so Retry/Catch written for AWS behave the same):
// - arn:aws:states:::lambda:invoke[.waitForTaskToken] -> {ExecutedVersion, Payload, SdkHttpMetadata, ...};
//   a handler error surfaces as Error = its errorType, Cause = Lambda's JSON {errorMessage, errorType, ...}
// - arn:aws:lambda:<region>:<account>:function:<name> -> the handler's return value
// - arn:aws:states:::events:putEvents[.waitForTaskToken] -> the local EventBridge's PutEvents
// - arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem -> DynamoDB (Local), errors DynamoDB.<Name>
// Anything else fails the state with States.TaskFailed and a cause naming the resource.
import { randomUUID } from "node:crypto";
import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { type AwsJsonService, AwsServiceError } from "../aws-protocol/aws-json-service.ts";
import { LambdaInvocationError, type LambdaInvoker, lambdaArn } from "../functions/lambda-invoker.ts";
import { isJsonObject, type JsonObject, type JsonValue, toJson } from "./json.ts";

/**
 * A failed task as Step Functions reports it: `name` is the Error that Retry/Catch match, `message` the
 * Cause (aws-local-stepfunctions puts the message in a Catch's Cause and in ExecutionFailed).
 */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

export type ResourceKind = "lambda-invoke" | "lambda-function" | "events-put" | "dynamodb" | "unsupported";

export interface ResourceInfo {
  arn: string;
  kind: ResourceKind;
  /** `.waitForTaskToken`: the task ends with SendTaskSuccess/SendTaskFailure, not with the call. */
  callback: boolean;
  /** History's resourceType/resource, e.g. "lambda" / "invoke.waitForTaskToken". */
  resourceType: string;
  resource: string;
  api: string;
}

const SERVICE_INTEGRATION =
  /^arn:aws[a-z-]*:states:[a-z0-9-]*:\d*:([a-z0-9-]+(?::[a-z0-9-]+)?):([A-Za-z]+)(\.[\w:.]+)?$/;
const LAMBDA_FUNCTION = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/;
const DYNAMODB_APIS = new Set(["getItem", "putItem", "updateItem", "deleteItem"]);

export function describeResource(arn: string): ResourceInfo {
  if (LAMBDA_FUNCTION.test(arn)) {
    return {
      arn,
      kind: "lambda-function",
      callback: false,
      resourceType: "lambda",
      resource: arn,
      api: "invoke",
    };
  }
  const match = SERVICE_INTEGRATION.exec(arn);
  if (!match) return { arn, kind: "unsupported", callback: false, resourceType: "", resource: arn, api: "" };
  const [, service = "", api = "", suffix = ""] = match;
  const base = { arn, resourceType: service, resource: `${api}${suffix}`, api };
  if (suffix !== "" && suffix !== ".waitForTaskToken")
    return { ...base, kind: "unsupported", callback: false };
  const callback = suffix === ".waitForTaskToken";
  if (service === "lambda" && api === "invoke") return { ...base, kind: "lambda-invoke", callback };
  if (service === "events" && api === "putEvents") return { ...base, kind: "events-put", callback };
  if (service === "dynamodb" && DYNAMODB_APIS.has(api) && !callback)
    return { ...base, kind: "dynamodb", callback };
  return { ...base, kind: "unsupported", callback: false };
}

export interface Logger {
  info(message: string, details?: object): void;
  warn(message: string, details?: object): void;
  error(message: string, details?: object): void;
}

export interface IntegrationDependencies {
  invoker: LambdaInvoker;
  events?: AwsJsonService | undefined;
  dynamodb?: DynamoDBClient | undefined;
  region: string;
  account: string;
  logger: Logger;
}

export interface CallContext {
  executionArn: string;
  stateMachineArn: string;
}

const SUPPORTED =
  "lambda:invoke[.waitForTaskToken], Lambda function ARNs, events:putEvents[.waitForTaskToken], " +
  "dynamodb:getItem/putItem/updateItem/deleteItem";

export async function callResource(
  deps: IntegrationDependencies,
  info: ResourceInfo,
  input: JsonValue,
  context: CallContext,
): Promise<JsonValue> {
  switch (info.kind) {
    case "lambda-invoke":
      return invokeLambdaIntegration(deps, input);
    case "lambda-function":
      return invokeFunction(deps, info.arn, input);
    case "events-put":
      return putEvents(deps, input, context);
    case "dynamodb":
      return callDynamoDb(deps, info.api, input);
    default:
      throw new TaskFailure(
        "States.TaskFailed",
        `The resource '${info.arn}' is not supported by the local Step Functions (supported: ${SUPPORTED})`,
      );
  }
}

/** The HTTP metadata the Java SDK inside Step Functions adds to optimized-integration results. */
function sdkMetadata(statusCode: number, headers: Record<string, string> = {}): JsonObject {
  const requestId = randomUUID();
  const all: Record<string, string> = {
    Connection: "keep-alive",
    "Content-Type": "application/json",
    Date: new Date().toUTCString(),
    "x-amzn-RequestId": requestId,
    ...headers,
  };
  return {
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, [v]])),
      HttpHeaders: all,
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

const lambdaParameters = z.looseObject({
  FunctionName: z.string().min(1),
  Payload: z.unknown().optional(),
  InvocationType: z.enum(["RequestResponse", "Event", "DryRun"]).optional(),
  Qualifier: z.string().optional(),
});

function parametersOf<T>(schema: z.ZodType<T>, input: JsonValue, resource: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new TaskFailure(
    "States.Runtime",
    `Invalid Parameters for ${resource}: ${issue?.message ?? "invalid"} at '${issue?.path.join(".") ?? ""}'`,
  );
}

async function invokeLambdaIntegration(deps: IntegrationDependencies, input: JsonValue): Promise<JsonValue> {
  const params = parametersOf(lambdaParameters, input, "lambda:invoke");
  const functionName = params.Qualifier ? `${params.FunctionName}:${params.Qualifier}` : params.FunctionName;
  const payload = toJson(params.Payload ?? {});
  const invocationType = params.InvocationType ?? "RequestResponse";
  if (invocationType !== "RequestResponse") {
    assertFunctionExists(deps, functionName);
    if (invocationType === "Event") {
      deps.invoker.invoke(functionName, payload).catch((error: unknown) => {
        deps.logger.warn("asynchronous Lambda invocation failed", { functionName, error: String(error) });
      });
    }
    const status = invocationType === "Event" ? 202 : 204;
    return { ...sdkMetadata(status), Payload: "", StatusCode: status };
  }
  const result = await invokeFunction(deps, functionName, payload);
  return {
    ExecutedVersion: "$LATEST",
    Payload: result,
    ...sdkMetadata(200, { "X-Amz-Executed-Version": "$LATEST" }),
    StatusCode: 200,
  };
}

function assertFunctionExists(deps: IntegrationDependencies, functionName: string): void {
  if (deps.invoker.has(functionName)) return;
  const arn = functionName.startsWith("arn:")
    ? functionName
    : lambdaArn(functionName, deps.region, deps.account);
  throw new TaskFailure(
    "Lambda.ResourceNotFoundException",
    `Function not found: ${arn} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; ` +
      `Request ID: ${randomUUID()}; Proxy: null)`,
  );
}

async function invokeFunction(deps: IntegrationDependencies, functionName: string, payload: JsonValue) {
  assertFunctionExists(deps, functionName);
  try {
    return toJson(await deps.invoker.invoke(functionName, payload));
  } catch (error) {
    if (error instanceof LambdaInvocationError) throw new TaskFailure(error.errorType, error.causeJson);
    throw new TaskFailure("Lambda.Unknown", error instanceof Error ? error.message : String(error));
  }
}

const putEventsParameters = z.looseObject({
  Entries: z
    .array(
      z.looseObject({
        Detail: z.unknown().optional(),
        Resources: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});

const putEventsResponse = z.looseObject({
  Entries: z.array(z.looseObject({})).optional(),
  FailedEntryCount: z.number().optional(),
});

async function putEvents(deps: IntegrationDependencies, input: JsonValue, context: CallContext) {
  const params = parametersOf(putEventsParameters, input, "events:putEvents");
  if (!deps.events) {
    throw new TaskFailure(
      "States.TaskFailed",
      "events:putEvents needs the local EventBridge, which is not configured",
    );
  }
  // As the optimized integration does: Detail may be given as JSON and is sent as a string, and the
  // state machine and execution ARNs are appended to each entry's Resources.
  const entries = params.Entries.map((entry) => ({
    ...entry,
    ...(entry.Detail === undefined
      ? {}
      : { Detail: typeof entry.Detail === "string" ? entry.Detail : JSON.stringify(entry.Detail) }),
    Resources: [...(entry.Resources ?? []), context.stateMachineArn, context.executionArn],
  }));
  let raw: unknown;
  try {
    raw = await deps.events.handle("PutEvents", { Entries: entries });
  } catch (error) {
    if (error instanceof AwsServiceError) throw new TaskFailure(`EventBridge.${error.type}`, error.message);
    throw new TaskFailure(
      "EventBridge.EventBridgeException",
      error instanceof Error ? error.message : String(error),
    );
  }
  const response = putEventsResponse.parse(raw);
  const output = toJson({
    Entries: response.Entries ?? [],
    FailedEntryCount: response.FailedEntryCount ?? 0,
  });
  if ((response.FailedEntryCount ?? 0) > 0)
    throw new TaskFailure("EventBridge.FailedEntry", JSON.stringify(output));
  return output;
}

const dynamoParameters = z.looseObject({ TableName: z.string().min(1) });

async function callDynamoDb(
  deps: IntegrationDependencies,
  api: string,
  input: JsonValue,
): Promise<JsonValue> {
  const params = parametersOf(dynamoParameters, input, `dynamodb:${api}`);
  if (!deps.dynamodb) {
    throw new TaskFailure(
      "States.TaskFailed",
      `dynamodb:${api} needs a DynamoDB client, which is not configured`,
    );
  }
  // Parameters are DynamoDB JSON as in the API; only binary values need converting (base64 <-> bytes).
  // DynamoDB itself validates the rest and answers ValidationException like AWS does.
  const request = decodeBinary(params);
  let response: object;
  try {
    switch (api) {
      case "getItem":
        response = await deps.dynamodb.send(new GetItemCommand(request as unknown as GetItemCommandInput));
        break;
      case "putItem":
        response = await deps.dynamodb.send(new PutItemCommand(request as unknown as PutItemCommandInput));
        break;
      case "updateItem":
        response = await deps.dynamodb.send(
          new UpdateItemCommand(request as unknown as UpdateItemCommandInput),
        );
        break;
      default:
        response = await deps.dynamodb.send(
          new DeleteItemCommand(request as unknown as DeleteItemCommandInput),
        );
    }
  } catch (error) {
    throw dynamoFailure(error);
  }
  const { $metadata: _metadata, ...body } = response as { $metadata?: unknown };
  return { ...(toJson(encodeBinary(body)) as JsonObject), ...sdkMetadata(200) };
}

function dynamoFailure(error: unknown): TaskFailure {
  if (!(error instanceof Error)) return new TaskFailure("DynamoDB.SdkClientException", String(error));
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  if (!metadata?.httpStatusCode) return new TaskFailure("DynamoDB.SdkClientException", error.message);
  return new TaskFailure(
    `DynamoDB.${error.name}`,
    `${error.message} (Service: AmazonDynamoDBv2; Status Code: ${metadata.httpStatusCode}; Error Code: ` +
      `${error.name}; Request ID: ${metadata.requestId ?? randomUUID()}; Proxy: null)`,
  );
}

const ATTRIBUTE_VALUE_FIELDS = ["Key", "Item", "ExpressionAttributeValues", "ExclusiveStartKey"];

function decodeBinary(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  for (const field of ATTRIBUTE_VALUE_FIELDS) {
    const value = out[field];
    if (isJsonObject(value)) {
      out[field] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeAttribute(v)]));
    }
  }
  return out;
}

function decodeAttribute(value: JsonValue): unknown {
  if (!isJsonObject(value)) return value;
  const b = value["B"];
  if (typeof b === "string") return { B: Buffer.from(b, "base64") };
  const bs = value["BS"];
  if (Array.isArray(bs)) return { BS: bs.map((x) => (typeof x === "string" ? Buffer.from(x, "base64") : x)) };
  const m = value["M"];
  if (isJsonObject(m))
    return { M: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, decodeAttribute(v)])) };
  const l = value["L"];
  if (Array.isArray(l)) return { L: l.map(decodeAttribute) };
  return value;
}

function encodeBinary(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(encodeBinary);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeBinary(v)]));
  }
  return value;
}
