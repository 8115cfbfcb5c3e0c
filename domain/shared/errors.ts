// The one typed error family of the OMS. Every error has a stable `name` (Step Functions' Retry/Catch
// ErrorEquals match it) and a machine-readable `code`; HTTP status mapping lives in one place
// (functions/shared/http-errors.ts), never here.

export interface ErrorIssue {
  /** JSON path of the offending field, e.g. "positions.0.quantity". Empty for the whole body. */
  path: string;
  code: string;
  message: string;
}

export abstract class OmsError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Input that breaks a schema or a synchronous business rule. */
export class ValidationError extends OmsError {
  override readonly name = "ValidationError";
  readonly code: string;
  constructor(
    readonly issues: ErrorIssue[],
    code = "VALIDATION_FAILED",
  ) {
    super(issues.map((i) => `${i.path || "(body)"}: ${i.message}`).join("; "));
    this.code = code;
  }
  static single(path: string, code: string, message: string): ValidationError {
    return new ValidationError([{ path, code, message }], code);
  }
}

/** An error about one thing the caller named: a code, a message and the offending field's path. */
abstract class FieldError extends OmsError {
  constructor(
    readonly code: string,
    message: string,
    readonly path = "",
    context: Record<string, unknown> = {},
  ) {
    super(message, context);
  }
}

/** The request names something that does not exist (an order, a channel, a location). */
export class NotFoundError extends FieldError {
  override readonly name = "NotFoundError";
}

/** The request conflicts with stored state (idempotency key reuse, duplicate channel order). */
export class ConflictError extends FieldError {
  override readonly name = "ConflictError";
}

/** The lifecycle table refuses a transition; `reason` is the guard's answer. */
export class IllegalTransitionError extends OmsError {
  override readonly name = "IllegalTransitionError";
  readonly code = "ILLEGAL_TRANSITION";
  constructor(
    readonly orderId: string,
    readonly from: string,
    readonly action: string,
    readonly reason: string,
  ) {
    super(`Order ${orderId}: cannot ${action} from ${from}: ${reason}`, { orderId, from, action });
  }
}

/** A request-level problem at the HTTP edge: body too large, wrong media type, malformed JSON. */
export class RequestError extends OmsError {
  override readonly name = "RequestError";
  constructor(
    readonly code: "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "MALFORMED_JSON" | "MISSING_HEADER",
    message: string,
    readonly path = "",
  ) {
    super(message);
  }
}

/** A dependency failed in a way worth retrying (throttling, a lost race, a timeout). */
export class TransientError extends OmsError {
  override readonly name = "TransientError";
  readonly code = "TRANSIENT";
}

/** A dependency is unavailable right now; the caller may retry the same request later. */
export class UnavailableError extends OmsError {
  override readonly name = "UnavailableError";
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, {}, options);
  }
}

/**
 * An approval was declined (or timed out): the order's approval stops. Its name is the error the
 * order-approval workflow's Catch matches (a task token failed with it, or a task that finds it).
 */
export class ApprovalDeclinedError extends OmsError {
  override readonly name = "ApprovalDeclined";
  readonly code = "APPROVAL_DECLINED";
}
