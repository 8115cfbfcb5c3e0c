// The shape every order workflow task shares: parse {orderId} (zod), run one lifecycle step, return
// {orderId, status}. Errors keep their names, so the state machine's Retry/Catch can match them.
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { z } from "zod";
import { isTransientStorageError } from "../../adapters/dynamodb/storage-errors.ts";
import { OmsError, TransientError } from "../../domain/shared/errors.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { type OrderStep, runOrderStep, type StepResult } from "../../usecases/order-steps.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { invocationLogger } from "../shared/logger.ts";

/** What every order task receives: the order, and the execution (so its log lines can be correlated). */
export const taskInputSchema = z.object({ orderId: z.string().min(1), executionArn: z.string().optional() });

export function stepHandler(step: OrderStep) {
  const deps = useCaseDeps();
  return middy<unknown, StepResult, Error, Context>({
    // Out of time: NOT retried automatically. The timed-out attempt may still be running (in the same
    // process, or when its Lambda sandbox thaws), and a retry running beside it could release what it
    // reserved while it goes on to record the result. The Catch records EXCEPTION; an operator's retry
    // comes after the first attempt has certainly ended (docs/operations.md).
    timeoutEarlyInMillis: 500,
    timeoutEarlyResponse: () => {
      const error = new Error(`step ${step} ran out of time; retry the order once it has settled`);
      error.name = "StepTimedOut";
      throw error;
    },
  }).handler(async (event, context) => {
    const input = taskInputSchema.safeParse(event);
    if (!input.success) throw toValidationError(input.error);
    const log = invocationLogger(context, {
      orderId: input.data.orderId,
      executionArn: input.data.executionArn,
      step,
    });
    try {
      const result = await runOrderStep(deps, step, input.data.orderId, input.data.executionArn);
      log.info(result.changed ? "step done" : "step already done", { status: result.status });
      return result;
    } catch (error) {
      log.warn("step failed", { error: (error as Error).name, message: (error as Error).message });
      // A storage call that timed out or was throttled outside a repository's own mapping is still
      // transient: the state machine retries TransientError, and fails the order on anything else.
      if (!(error instanceof OmsError) && isTransientStorageError(error)) {
        throw new TransientError(`storage: ${(error as Error).message}`, {}, { cause: error });
      }
      throw error;
    }
  });
}
