// Starts an order's reservation hold timer (the reservation-hold state machine). The execution is named
// after the order and the moment its exception struck, so a repeated start for the same stuck episode is
// a no-op and a later episode gets a timer of its own.
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";

/** Satisfies the use cases' ReservationHoldTimer port (structurally). */
export class StepFunctionsHoldTimer {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async startHold(orderId: string, exceptionAt: string, holdSeconds: number): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: `${orderId}-hold-${Date.parse(exceptionAt)}`,
          input: JSON.stringify({ orderId, exceptionAt, holdSeconds: Math.max(1, Math.round(holdSeconds)) }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
}
