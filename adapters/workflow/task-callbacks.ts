// Settles a waiting workflow task (a `.waitForTaskToken` state) with SendTaskSuccess / SendTaskFailure.
// A token whose task already ended (a repeated decision, a task that timed out meanwhile, an execution
// that moved on) answers TaskTimedOut or TaskDoesNotExist: that is reported as `false`, not an error,
// so a repeated request repeats nothing.
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";

const isSettled = (error: unknown): boolean =>
  error instanceof TaskTimedOut || error instanceof TaskDoesNotExist;

/** Satisfies the use cases' TaskCallbacks port (structurally). */
export class StepFunctionsTaskCallbacks {
  constructor(private readonly sfn: SFNClient) {}

  async succeed(taskToken: string, output: unknown): Promise<boolean> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (error) {
      if (isSettled(error)) return false;
      throw error;
    }
  }

  async fail(taskToken: string, error: string, cause: string): Promise<boolean> {
    try {
      await this.sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
      return true;
    } catch (failure) {
      if (isSettled(failure)) return false;
      throw failure;
    }
  }
}
