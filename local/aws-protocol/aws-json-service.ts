// The contract every local AWS service implements: one JSON operation in, one JSON result out, errors as
// AwsServiceError. The edge server (edge-server.ts) speaks the wire protocol (X-Amz-Target, AWS JSON
// 1.0/1.1, error bodies) so services stay plain code that tests can also call directly.

export type AwsJsonVersion = "1.0" | "1.1";

export interface AwsJsonService {
  /** The X-Amz-Target prefix, e.g. "AWSStepFunctions" or "AWSEvents". */
  readonly targetPrefix: string;
  readonly jsonVersion: AwsJsonVersion;
  handle(operation: string, input: Record<string, unknown>): Promise<unknown>;
}

/**
 * A modelled AWS error. `type` becomes `__type` and the x-amzn-ErrorType header. Deterministic errors
 * must stay 4xx: every AWS client retries 5xx and ThrottlingException.
 */
export class AwsServiceError extends Error {
  override readonly name = "AwsServiceError";
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** Dates on the wire are epoch seconds as JSON numbers (fractions allowed): the SDK rejects ISO strings. */
export const toEpochSeconds = (ms: number): number => ms / 1000;
