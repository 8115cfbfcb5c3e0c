// Retrying an order in EXCEPTION: a new workflow execution that starts at the step that failed (the
// resume-points table decides which). The step itself lifts the exception in the same write as its
// effect, so an order retried twice, or retried while its first retry runs, changes nothing twice.
import { type ResumePoint, retryPointFor } from "../domain/order/resume-points.ts";
import { ConflictError, NotFoundError } from "../domain/shared/errors.ts";
import type { OrderRepository, WorkflowStarter } from "./ports.ts";

export interface RetryResult {
  orderId: string;
  resumeAt: ResumePoint;
  executionArn: string;
}

export async function retryOrder(
  deps: { repo: OrderRepository; workflows: WorkflowStarter },
  orderId: string,
): Promise<RetryResult> {
  const order = await deps.repo.getOrder(orderId);
  if (!order) throw new NotFoundError("ORDER_NOT_FOUND", `order ${orderId} does not exist`, "orderId");
  if (order.status !== "EXCEPTION" || !order.exception) {
    throw new ConflictError(
      "ORDER_NOT_IN_EXCEPTION",
      `order ${orderId} is ${order.status}; only an order in EXCEPTION can be retried`,
      "orderId",
      { status: order.status },
    );
  }
  const resumeAt = retryPointFor(order.exception.previousStatus);
  if (!resumeAt) {
    throw new ConflictError(
      "NO_RETRY_POINT",
      `no workflow step moves an order on from ${order.exception.previousStatus}`,
      "orderId",
    );
  }
  const { executionArn } = await deps.workflows.resumeOrder(orderId, resumeAt, order.orderType);
  return { orderId, resumeAt, executionArn };
}
