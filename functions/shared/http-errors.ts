// The one place where errors become HTTP answers. Clients get a machine-readable code, a message and the
// offending field; never a stack trace. A dependency that timed out or throttled is a 503 with Retry-After;
// anything else outside the OMS error family is a 500 with no detail.
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { isTransientStorageError } from "../../adapters/dynamodb/storage-errors.ts";
import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  OmsError,
  RequestError,
  TransientError,
  UnavailableError,
  ValidationError,
} from "../../domain/shared/errors.ts";

export interface ErrorBody {
  code: string;
  message: string;
  field?: string;
  issues?: { path: string; code: string; message: string }[];
  details?: Record<string, unknown>;
}

const REQUEST_ERROR_STATUS: Record<RequestError["code"], number> = {
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED_JSON: 400,
  MISSING_HEADER: 400,
};

function statusOf(error: OmsError): number {
  if (error instanceof ValidationError) {
    // Schema violations are 400; a well-formed request that breaks a business rule is 422.
    return error.code === "VALIDATION_FAILED" || error.code.startsWith("INVALID_") ? 400 : 422;
  }
  if (error instanceof RequestError) return REQUEST_ERROR_STATUS[error.code];
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError || error instanceof IllegalTransitionError) return 409;
  if (error instanceof UnavailableError || error instanceof TransientError) return 503;
  return 500;
}

export function errorResponse(error: unknown, requestId?: string): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (requestId) headers["x-request-id"] = requestId;
  if (!(error instanceof OmsError) && isTransientStorageError(error)) {
    // A dependency timed out or throttled (or the function ran out of time waiting for it): the client
    // may repeat the request; nothing half-done is left, every write is one conditional request.
    return errorResponse(
      new UnavailableError("UNAVAILABLE", "the service is busy; repeat the request shortly"),
      requestId,
    );
  }
  if (!(error instanceof OmsError)) {
    return {
      statusCode: 500,
      headers,
      body: JSON.stringify({
        code: "INTERNAL_ERROR",
        message: "internal error",
        ...(requestId ? { requestId } : {}),
      }),
    };
  }
  const statusCode = statusOf(error);
  if (statusCode === 503) headers["retry-after"] = "1";
  const body: ErrorBody = { code: error.code, message: error.message };
  if (error instanceof ValidationError) {
    body.field = error.issues[0]?.path ?? "";
    body.issues = error.issues;
  } else if ("path" in error && typeof error.path === "string") {
    body.field = error.path;
  }
  if (error instanceof ConflictError && Object.keys(error.context).length > 0) body.details = error.context;
  return { statusCode, headers, body: JSON.stringify(body) };
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}
