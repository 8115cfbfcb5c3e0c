// The order-approval workflow's tasks, one Lambda dispatching on `step` (statemachines/
// order-approval.asl.json): request / escalate (callback tasks: they store the task token), time-out,
// approve-order, decline-order. See usecases/approvals.ts. Errors keep their names for Retry/Catch.
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { z } from "zod";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import {
  approveOrder,
  declineOrder,
  escalateApproval,
  publicView,
  requestApproval,
  timeOutApproval,
} from "../../usecases/approvals.ts";
import { approvalDeps } from "../shared/dependencies.ts";
import { invocationLogger } from "../shared/logger.ts";

const reasonTask = { orderId: z.string().min(1), reasonId: z.string().min(1) };
const inputSchema = z.discriminatedUnion("step", [
  z.object({ step: z.literal("request"), ...reasonTask, taskToken: z.string().min(1) }),
  z.object({ step: z.literal("escalate"), ...reasonTask, taskToken: z.string().min(1) }),
  z.object({ step: z.literal("time-out"), ...reasonTask }),
  z.object({ step: z.literal("approve-order"), orderId: z.string().min(1) }),
  z.object({ step: z.literal("decline-order"), orderId: z.string().min(1) }),
]);

const deps = approvalDeps();

export const handler = middy<unknown, unknown, Error, Context>().handler(async (event, context) => {
  const parsed = inputSchema.safeParse(event);
  if (!parsed.success) throw toValidationError(parsed.error);
  const input = parsed.data;
  const log = invocationLogger(context, { orderId: input.orderId, step: `approval:${input.step}` });
  try {
    switch (input.step) {
      case "request":
        return publicView(await requestApproval(deps, input));
      case "escalate":
        return publicView(await escalateApproval(deps, input));
      case "time-out":
        return await timeOutApproval(deps, input);
      case "approve-order":
        return await approveOrder(deps, input.orderId);
      case "decline-order":
        return await declineOrder(deps, input.orderId);
    }
  } catch (error) {
    log.warn("approval step failed", { error: (error as Error).name, message: (error as Error).message });
    throw error;
  }
});
