// How one rendered input reaches one target: Lambda functions through the LambdaInvoker, API destinations
// over HTTP with their connection's authorization. Failures come back as DeliveryError, classified as AWS
// classifies them: retried (throttling, 5xx, timeouts, network errors, function errors) or not (other 4xx,
// a missing function, a target kind this emulation cannot reach).
import { LambdaInvocationError, type LambdaInvoker } from "../functions/lambda-invoker.ts";
import type { ApiDestinationRecord, ConnectionRecord, Target } from "./model.ts";
import type { TargetInput } from "./target-input.ts";

export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:/;
const API_DESTINATION_ARN = /^arn:aws[\w-]*:events:[^:]*:[^:]*:api-destination\/([^/]+)/;

export const isLambdaArn = (arn: string): boolean => LAMBDA_ARN.test(arn);
/** The API destination's name in a target ARN (with or without the trailing id), if it is one. */
export const apiDestinationNameOf = (arn: string): string | undefined => API_DESTINATION_ARN.exec(arn)?.[1];

export async function sendToLambda(invoker: LambdaInvoker, arn: string, input: TargetInput): Promise<void> {
  if (!invoker.has(arn)) {
    throw new DeliveryError("RESOURCE_NOT_FOUND", `Function not found: ${arn}`, false);
  }
  try {
    // Lambda receives serialized JSON: a copy keeps one target's handler from changing another's event.
    await invoker.invoke(arn, structuredClone(input.value));
  } catch (error) {
    const [type, message] =
      error instanceof LambdaInvocationError
        ? [error.errorType, error.errorMessage]
        : [
            error instanceof Error ? error.name : "Error",
            error instanceof Error ? error.message : String(error),
          ];
    throw new DeliveryError("FUNCTION_ERROR", `${type}: ${message}`, true);
  }
}

type InvocationParameters = NonNullable<ConnectionRecord["authParameters"]["InvocationHttpParameters"]>;

/** AWS retries these statuses (and 5xx); every other non-2xx answer fails the event at once. */
const RETRIED_STATUSES = new Set([401, 407, 409, 429]);
const BODYLESS_METHODS = new Set(["GET", "HEAD"]);

export interface HttpDelivery {
  destination: ApiDestinationRecord;
  connection: ConnectionRecord;
  target: Target;
  input: TargetInput;
  timeoutMs: number;
}

export async function sendToApiDestination(delivery: HttpDelivery): Promise<void> {
  const { destination, connection, target, input } = delivery;
  const auth = connection.authParameters;
  const invocation = auth.InvocationHttpParameters;

  const url = new URL(
    fillPathParameters(destination.invocationEndpoint, target.HttpParameters?.PathParameterValues),
  );
  for (const { Key, Value } of invocation?.QueryStringParameters ?? []) url.searchParams.append(Key, Value);
  for (const [key, value] of Object.entries(target.HttpParameters?.QueryStringParameters ?? {})) {
    url.searchParams.append(key, value);
  }

  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "user-agent": "Amazon/EventBridge/ApiDestinations",
  };
  for (const { Key, Value } of invocation?.HeaderParameters ?? []) headers[Key.toLowerCase()] = Value;
  for (const [key, value] of Object.entries(target.HttpParameters?.HeaderParameters ?? {})) {
    headers[key.toLowerCase()] = value;
  }
  if (connection.authorizationType === "API_KEY" && auth.ApiKeyAuthParameters) {
    headers[auth.ApiKeyAuthParameters.ApiKeyName.toLowerCase()] = auth.ApiKeyAuthParameters.ApiKeyValue;
  } else if (connection.authorizationType === "BASIC" && auth.BasicAuthParameters) {
    const { Username, Password } = auth.BasicAuthParameters;
    headers.authorization = `Basic ${Buffer.from(`${Username}:${Password}`).toString("base64")}`;
  }
  // OAUTH_CLIENT_CREDENTIALS connections are stored and described but the token exchange with the
  // authorization endpoint is not exercised locally: requests go out without an Authorization header.

  let response: Response;
  try {
    response = await fetch(url, {
      method: destination.httpMethod,
      headers,
      body: BODYLESS_METHODS.has(destination.httpMethod)
        ? undefined
        : bodyOf(input, invocation?.BodyParameters),
      redirect: "manual",
      signal: AbortSignal.timeout(delivery.timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError") {
      throw new DeliveryError(
        "TIMEOUT",
        `No response from ${url.origin} within ${delivery.timeoutMs} ms`,
        true,
      );
    }
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    throw new DeliveryError("NETWORK_ERROR", `Request to ${url.origin} failed${cause}`, true);
  }
  const answer = await response.text().catch(() => "");
  if (response.status >= 200 && response.status < 300) return;
  const retryable = RETRIED_STATUSES.has(response.status) || response.status >= 500;
  const excerpt = answer.length > 200 ? `${answer.slice(0, 200)}...` : answer;
  throw new DeliveryError(
    `HTTP_${response.status}`,
    `${destination.httpMethod} ${url} answered ${response.status} ${excerpt}`.trim(),
    retryable,
  );
}

/** Each `*` in the endpoint takes the next PathParameterValues entry. */
function fillPathParameters(endpoint: string, values: readonly string[] = []): string {
  let index = 0;
  return endpoint.replace(/\*/g, () => encodeURIComponent(values[index++] ?? ""));
}

/** Connection body parameters are merged into a JSON object body, as AWS does. */
function bodyOf(input: TargetInput, extra: InvocationParameters["BodyParameters"]): string {
  const value = input.value;
  if (!extra?.length || typeof value !== "object" || value === null || Array.isArray(value))
    return input.text;
  const merged: Record<string, unknown> = { ...value };
  for (const { Key, Value } of extra) merged[Key] = Value;
  return JSON.stringify(merged);
}

export function unsupportedTarget(arn: string): DeliveryError {
  return new DeliveryError(
    "UNSUPPORTED_TARGET",
    `The local EventBridge delivers to Lambda functions, SQS queues, event buses and API destinations only, not to ${arn}`,
    false,
  );
}
