// Workflow task "Approve?" of the order's workflow, after routing: see usecases/approvals.ts
// planOrderApproval. Returns {orderId, status, approval}: AWAITING ends the order's execution (the
// order-approval workflow continues it), NOT_REQUIRED goes on.
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { type PlanResult, planOrderApproval } from "../../usecases/approvals.ts";
import { approvalDeps } from "../shared/dependencies.ts";
import { invocationLogger } from "../shared/logger.ts";
import { taskInputSchema } from "./step-handler.ts";

const deps = approvalDeps();

export const handler = middy<unknown, PlanResult, Error, Context>().handler(async (event, context) => {
  const input = taskInputSchema.safeParse(event);
  if (!input.success) throw toValidationError(input.error);
  const log = invocationLogger(context, { orderId: input.data.orderId, step: "approve?" });
  const result = await planOrderApproval(deps, input.data.orderId);
  log.info("approval planned", { status: result.status, approval: result.approval });
  return result;
});
