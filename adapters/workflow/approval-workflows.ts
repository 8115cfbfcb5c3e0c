// Starts the executions around an order's approval: the `order-approval` workflow (named after the
// order, so a repeated start is a no-op) and the continuation of the order's own workflow at a resume
// point once approval is through (named after the order and the resume point, likewise).
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";

async function startOnce(sfn: SFNClient, stateMachineArn: string, name: string, input: unknown) {
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
  }
}

/** Satisfies the use cases' ApprovalWorkflow port (structurally). */
export class StepFunctionsApprovalWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  startApproval(orderId: string, input: unknown): Promise<void> {
    return startOnce(this.sfn, this.stateMachineArn, `${orderId}-approval`, input);
  }
}

/** Satisfies the use cases' OrderResumer port: a new execution of the order's workflow at `resumeAt`. */
export class StepFunctionsOrderResumer {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  resumeOrder(orderId: string, resumeAt: string): Promise<void> {
    return startOnce(this.sfn, this.stateMachineArn, `${orderId}-${resumeAt}`, { orderId, resumeAt });
  }
}
