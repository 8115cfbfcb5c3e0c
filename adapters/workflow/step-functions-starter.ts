// Starts an order's workflow: the execution is named after the order id, so a repeated start (a capture
// retry after a crash) cannot create a second execution.
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { OrderType } from "../../domain/order/order-input.ts";
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

  /**
   * Continues a waiting order (the OrderWorkflow port): a new execution of its order type's state machine
   * that starts at `resumeAt`, named `<orderId>-<resumeAt>` so a repeated resume starts nothing twice.
   */
  async resumeOrder(
    orderId: string,
    resumeAt: string,
    orderType: OrderType = "HOME_DELIVERY",
  ): Promise<void> {
    const stateMachineArn = this.stateMachineArns[orderType];
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: `${orderId}-${resumeAt}`,
          input: JSON.stringify({ orderId, resumeAt }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
}
