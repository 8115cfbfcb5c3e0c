// Retry policy of one Task state attempt sequence, as the Amazon States Language defines it. The engine runs
// Task retries itself instead of leaving them to aws-local-stepfunctions: it can then scale the intervals
// with backoff intact, mint a fresh task token per attempt, record TaskFailed -> TaskScheduled like AWS, and
// know that an execution sleeping before a retry is busy, not idle.

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: "FULL" | "NONE";
}

/** ErrorEquals semantics: States.ALL matches all, States.TaskFailed all but States.Timeout. */
export function errorMatches(pattern: string, errorName: string): boolean {
  if (pattern === errorName || pattern === "States.ALL") return true;
  return pattern === "States.TaskFailed" && errorName !== "States.Timeout";
}

export class RetryPolicy {
  private readonly attempts: number[];

  constructor(
    private readonly retriers: readonly Retrier[],
    /** Multiplies every interval (tests use 0.001 so CDK's 2 s x2 retries take milliseconds). */
    private readonly intervalScale = 1,
    private readonly random: () => number = Math.random,
  ) {
    this.attempts = retriers.map(() => 0);
  }

  /**
   * Milliseconds to wait before the next attempt after a failure named `errorName`, or undefined when the
   * error is final. The first retrier whose ErrorEquals matches decides, even when its attempts are spent.
   */
  nextDelayMs(errorName: string): number | undefined {
    const index = this.retriers.findIndex((r) => r.ErrorEquals.some((p) => errorMatches(p, errorName)));
    const retrier = this.retriers[index];
    if (!retrier) return undefined;
    const done = this.attempts[index] ?? 0;
    if (done >= (retrier.MaxAttempts ?? 3)) return undefined;
    this.attempts[index] = done + 1;
    let seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done;
    if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
    if (retrier.JitterStrategy === "FULL") seconds *= this.random();
    return seconds * 1000 * this.intervalScale;
  }
}
