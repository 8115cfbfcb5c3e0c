// EventBridge target for "Step Functions Execution Status Change" (FAILED, TIMED_OUT, ABORTED): the order
// the execution is named after goes to EXCEPTION with the error and cause, visible in GET /orders/{id}.
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { z } from "zod";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { recordWorkflowFailure, type StepResult } from "../../usecases/order-steps.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { logger } from "../shared/logger.ts";

const statusChangeSchema = z.object({
  "detail-type": z.literal("Step Functions Execution Status Change"),
  detail: z.object({
    executionArn: z.string(),
    name: z.string(),
    status: z.string(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

const deps = useCaseDeps();

export const handler = middy<unknown, StepResult, Error, Context>().handler(async (event) => {
  const parsed = statusChangeSchema.safeParse(event);
  if (!parsed.success) throw toValidationError(parsed.error);
  const { detail } = parsed.data;
  const result = await recordWorkflowFailure(deps, {
    orderId: detail.name,
    status: detail.status,
    error: detail.error ?? undefined,
    cause: detail.cause ?? undefined,
    executionArn: detail.executionArn,
  });
  logger.warn("order workflow ended without success", {
    orderId: detail.name,
    status: detail.status,
    changed: result.changed,
  });
  return result;
});
