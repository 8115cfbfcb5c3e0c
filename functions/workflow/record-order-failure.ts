// Workflow task "RecordFailure", the Catch of every step of the order workflow: a step that failed for
// good leaves the order in EXCEPTION with the error and a readable cause (a Lambda error's message, not its
// JSON envelope), and starts the hold timer of its reservations. POST /orders/{orderId}/retry continues it.
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { z } from "zod";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { recordWorkflowFailure, type StepResult } from "../../usecases/order-steps.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { invocationLogger } from "../shared/logger.ts";

const failureSchema = z.object({
  orderId: z.string().min(1),
  executionArn: z.string().min(1),
  error: z.string().nullish(),
  cause: z.string().nullish(),
});

/** Step Functions passes a Lambda error's cause as its JSON envelope {errorType, errorMessage, trace}. */
export function readableCause(cause: string | null | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string" && parsed.errorMessage) return parsed.errorMessage;
  } catch {
    // Not JSON: a state's own cause text.
  }
  return cause;
}

const deps = useCaseDeps();

export const handler = middy<unknown, StepResult, Error, Context>().handler(async (event, context) => {
  const parsed = failureSchema.safeParse(event);
  if (!parsed.success) throw toValidationError(parsed.error);
  const { orderId, executionArn, error, cause } = parsed.data;
  const log = invocationLogger(context, { orderId, executionArn, step: "record-failure" });
  const result = await recordWorkflowFailure(deps, {
    orderId,
    status: "FAILED",
    error: error ?? undefined,
    cause: readableCause(cause),
    executionArn,
  });
  log.warn("order workflow step failed for good", { error, changed: result.changed, status: result.status });
  return result;
});
