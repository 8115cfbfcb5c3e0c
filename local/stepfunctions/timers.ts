// Timer helpers for waits that may be long (setTimeout overflows after ~24.8 days and then fires at once)
// and must end early when a run is interrupted (stop, StopExecution, execution timeout).

/** setTimeout's largest delay (2^31 - 1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;

/** Calls `fn` at epoch-ms `at`, re-arming in steps for far deadlines. Returns a cancel function. */
export function scheduleAt(at: number, fn: () => void, now: () => number = Date.now): () => void {
  let handle: NodeJS.Timeout | undefined;
  const arm = () => {
    const delay = at - now();
    handle = delay > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fn, Math.max(delay, 0));
  };
  arm();
  return () => clearTimeout(handle);
}

/** Resolves after `ms`; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  let cancel: () => void = () => {};
  const timer = new Promise<void>((resolve) => {
    cancel = scheduleAt(Date.now() + ms, resolve);
  });
  return raceSignal(timer, signal).finally(() => cancel());
}

/**
 * Settles like `work`, unless `signal` aborts first (rejects with its reason) or `timeoutMs` passes first
 * (rejects with `onTimeout()`). `work` keeps running when it loses: its result is dropped.
 */
export function raceSignal<T>(
  work: Promise<T>,
  signal: AbortSignal,
  timeoutMs?: number,
  onTimeout?: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cancelTimer: (() => void) | undefined;
    const cleanup = () => {
      cancelTimer?.();
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs !== undefined) {
      cancelTimer = scheduleAt(Date.now() + timeoutMs, () => {
        cleanup();
        reject(onTimeout ? onTimeout() : new Error("timed out"));
      });
    }
  });
}

/** Resolves on the next macrotask, after every pending microtask. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
