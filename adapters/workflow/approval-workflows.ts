// Starts an order's `order-approval` workflow, named after the order (and the attempt, after a retry), so
// a repeated start is a no-op.
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

  startApproval(orderId: string, attempt: number, input: unknown): Promise<void> {
    const name = attempt === 0 ? `${orderId}-approval` : `${orderId}-approval-${attempt}`;
    return startOnce(this.sfn, this.stateMachineArn, name, input);
  }
}
