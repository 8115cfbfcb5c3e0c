// Structured JSON logs (Powertools). Each invocation logs through its own child logger carrying the
// Lambda context and its correlation keys (orderId, executionArn, requestId): on AWS one process serves
// one invocation at a time, but the local runtime runs many concurrently in one process, so handlers
// never mutate the shared logger's keys.
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "oms" });

/** A logger for one invocation: the function's context plus these keys on every line. */
export function invocationLogger(context: Context, keys: Record<string, string | undefined>): Logger {
  const persistentKeys = Object.fromEntries(
    Object.entries(keys).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const child = logger.createChild({ persistentKeys });
  child.addContext(context);
  return child;
}
