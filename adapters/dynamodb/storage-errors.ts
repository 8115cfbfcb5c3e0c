// Maps DynamoDB SDK errors into the OMS error family: throttling, conflicts and service faults become
// TransientError (Step Functions retries them); anything else propagates unchanged.
import { TransientError } from "../../domain/shared/errors.ts";

const TRANSIENT = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionConflictException",
  "TransactionInProgressException",
  "LimitExceededException",
  // The SDK's own request timeout (requestTimeout aborts the call) and dropped connections.
  "TimeoutError",
  "AbortError",
  "ECONNRESET",
  "EPIPE",
]);

interface SdkLikeError {
  name?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  CancellationReasons?: { Code?: string }[];
}

const asSdk = (error: unknown): SdkLikeError => (typeof error === "object" && error !== null ? error : {});

/** The per-item reasons of a cancelled transaction (index-aligned with TransactItems), if it was one. */
export function transactionReasons(error: unknown): string[] | undefined {
  const e = asSdk(error);
  if (e.name !== "TransactionCanceledException") return undefined;
  return (e.CancellationReasons ?? []).map((r) => r.Code ?? "None");
}

export function isConditionFailure(error: unknown): boolean {
  return asSdk(error).name === "ConditionalCheckFailedException";
}

export function isTransientStorageError(error: unknown): boolean {
  const e = asSdk(error);
  const reasons = transactionReasons(error);
  if (reasons?.some((r) => r === "TransactionConflict" || r === "ThrottlingError")) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return (
    TRANSIENT.has(e.name ?? "") ||
    (typeof code === "string" && TRANSIENT.has(code)) ||
    Boolean(e.$retryable) ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

export function rethrowStorageError(error: unknown): never {
  if (isTransientStorageError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TransientError(`DynamoDB: ${message}`, {}, { cause: error });
  }
  throw error;
}
