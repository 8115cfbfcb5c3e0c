// Optimistic writes that lose to a concurrent writer (the order's version moved on) read again and decide
// again: parallel approval decisions, several locations answering one order at once.
import { TransientError } from "../domain/shared/errors.ts";

const CONCURRENT_WRITE_ATTEMPTS = 5;

/** Runs `attempt` again (up to 5 times, with a short random pause) while it throws TransientError. */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  attempts = CONCURRENT_WRITE_ATTEMPTS,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof TransientError) || n >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * n * Math.random()));
    }
  }
}
