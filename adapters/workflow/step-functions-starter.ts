// Starts an order's workflow (StartExecution), and starts it again at a resume point when an order
// continues after a wait or a retry. The first execution is named after the order id (on a Standard
// machine a repeated start is then a no-op; the Express automatic path tolerates a duplicate because every
// step is idempotent); a resumed one carries the resume point and a unique suffix.
import { randomUUID } from "node:crypto";
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { OrderType } from "../../domain/order/order-input.ts";
import type { ResumePoint } from "../../domain/order/resume-points.ts";
import { executionArnOf } from "./execution-arn.ts";

/** Satisfies the use cases' WorkflowStarter port (structurally: adapters do not import use cases). */
export class StepFunctionsWorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArns: Record<OrderType, string>,
  ) {}

  async startOrderWorkflow(orderType: OrderType, orderId: string): Promise<{ executionArn: string }> {
    const stateMachineArn = this.stateMachineArns[orderType];
    try {
      const res = await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn, name: orderId, input: JSON.stringify({ orderId }) }),
      );
      return { executionArn: res.executionArn ?? "" };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) {
        return { executionArn: executionArnOf(stateMachineArn, orderId) };
      }
      throw error;
    }
  }

  async resumeOrder(
    orderId: string,
    resumeAt: ResumePoint,
    orderType: OrderType = "HOME_DELIVERY",
  ): Promise<{ executionArn: string }> {
    const res = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArns[orderType],
        // ≤ 80 characters: 26 (ULID) + 1 + ≤ 12 + 1 + 12.
        name: `${orderId}-${resumeAt}-${randomUUID().replaceAll("-", "").slice(0, 12)}`,
        input: JSON.stringify({ orderId, resumeAt }),
      }),
    );
    return { executionArn: res.executionArn ?? "" };
  }
}
