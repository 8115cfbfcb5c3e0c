// Task tokens of callback tasks (`.waitForTaskToken`): minting, the registry that outlives a restart (every
// change is handed to `persist`), the SendTask* checks with AWS's error types, and the waiting side with
// TimeoutSeconds / HeartbeatSeconds deadlines. aws-local-stepfunctions has no callback support: the engine
// mints a token per `$$.Task.Token` read, registers it when the task handler finds it in its input, and
// waits here until SendTaskSuccess/SendTaskFailure, a deadline, or the end of the execution settles it.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { AwsServiceError } from "../aws-protocol/aws-json-service.ts";
import { scheduleAt } from "./timers.ts";

export const tokenOutcomeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("succeeded"), output: z.string() }),
  z.object({ kind: z.literal("failed"), error: z.string().optional(), cause: z.string().optional() }),
  z.object({ kind: z.literal("timedOut"), heartbeat: z.boolean() }),
  /** The execution ended (stopped, timed out, failed elsewhere) while the task waited. */
  z.object({ kind: z.literal("closed") }),
]);
export type TokenOutcome = z.infer<typeof tokenOutcomeSchema>;

export const taskTokenRecordSchema = z.object({
  token: z.string(),
  executionArn: z.string(),
  stateName: z.string(),
  /** Id of the top-level *StateEntered event the task ran under: a resumed run may only reuse its own. */
  scope: z.number(),
  /** The task's input with the token replaced by TOKEN_PLACEHOLDER, to match a resumed task to its record. */
  template: z.string(),
  createdAt: z.number(),
  timeoutAt: z.number().optional(),
  heartbeatSeconds: z.number().optional(),
  lastBeatAt: z.number().optional(),
  /** The resource call that hands the token out (Lambda invoke, PutEvents) has returned. */
  submitted: z.boolean(),
  outcome: tokenOutcomeSchema.optional(),
});
export type TaskTokenRecord = z.infer<typeof taskTokenRecordSchema>;

export const TOKEN_PLACEHOLDER = "\u0000task-token\u0000";

const TOKEN_VERSION = "sfl1";

/** An opaque token that names its execution (so a malformed token is told apart from an unknown one). */
export function mintTaskToken(executionArn: string): string {
  return [
    TOKEN_VERSION,
    Buffer.from(executionArn).toString("base64url"),
    randomBytes(24).toString("base64url"),
  ].join(".");
}

export function isWellFormedTaskToken(token: string): boolean {
  const [version, arn, nonce, extra] = token.split(".");
  if (version !== TOKEN_VERSION || !arn || !nonce || extra !== undefined) return false;
  return Buffer.from(arn, "base64url").toString("utf8").startsWith("arn:");
}

interface Waiter {
  resolve(outcome: TokenOutcome): void;
  cancelTimer?: () => void;
}

export class TaskTokenRegistry {
  private readonly records = new Map<string, TaskTokenRecord>();
  private readonly byExecution = new Map<string, Set<TaskTokenRecord>>();
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    private readonly persist: (record: TaskTokenRecord) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Replays a record read back from the journal (the last version of a token wins). */
  restore(record: TaskTokenRecord): void {
    const previous = this.records.get(record.token);
    if (previous) this.byExecution.get(previous.executionArn)?.delete(previous);
    this.index(record);
  }

  register(init: Omit<TaskTokenRecord, "submitted" | "outcome">): TaskTokenRecord {
    const record: TaskTokenRecord = { ...init, submitted: false };
    this.index(record);
    this.persist(record);
    return record;
  }

  markSubmitted(token: string): void {
    const record = this.records.get(token);
    if (!record || record.submitted) return;
    record.submitted = true;
    this.persist(record);
  }

  /** Records of one execution's task state created under `scope`, oldest first: what a resumed task may reuse. */
  recordsFor(executionArn: string, stateName: string, scope: number): TaskTokenRecord[] {
    return [...(this.byExecution.get(executionArn) ?? [])]
      .filter((r) => r.stateName === stateName && r.scope === scope)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  sendSuccess(token: string, output: string): void {
    this.settle(this.openRecord(token), { kind: "succeeded", output });
  }

  sendFailure(token: string, error: string | undefined, cause: string | undefined): void {
    const outcome: TokenOutcome = { kind: "failed" };
    if (error !== undefined) outcome.error = error;
    if (cause !== undefined) outcome.cause = cause;
    this.settle(this.openRecord(token), outcome);
  }

  sendHeartbeat(token: string): void {
    const record = this.openRecord(token);
    record.lastBeatAt = this.now();
    this.persist(record);
    const waiter = this.waiters.get(token);
    if (waiter) this.arm(record, waiter);
  }

  /** Settles the token as timed out or closed (engine side: the task's own deadline or its end). */
  close(token: string, outcome: TokenOutcome): void {
    const record = this.records.get(token);
    if (record && !record.outcome) this.settle(record, outcome);
  }

  /** Closes every open token of an execution that ended, so late callbacks get TaskTimedOut. */
  closeExecution(executionArn: string): void {
    for (const record of this.byExecution.get(executionArn) ?? []) {
      if (!record.outcome) this.settle(record, { kind: "closed" });
    }
  }

  /** Resolves with the token's outcome; rejects with the signal's reason when the run is interrupted. */
  wait(token: string, signal: AbortSignal): Promise<TokenOutcome> {
    const record = this.records.get(token);
    if (!record) return Promise.resolve({ kind: "closed" });
    this.expireIfDue(record);
    if (record.outcome) return Promise.resolve(record.outcome);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.release(token);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        resolve: (outcome) => {
          signal.removeEventListener("abort", onAbort);
          resolve(outcome);
        },
      };
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.set(token, waiter);
      this.arm(record, waiter);
    });
  }

  /** Clears every deadline timer (service stop); the records stay for the next start. */
  stopTimers(): void {
    for (const token of [...this.waiters.keys()]) this.release(token);
  }

  private index(record: TaskTokenRecord): void {
    this.records.set(record.token, record);
    let set = this.byExecution.get(record.executionArn);
    if (!set) {
      set = new Set();
      this.byExecution.set(record.executionArn, set);
    }
    set.add(record);
  }

  private openRecord(token: string): TaskTokenRecord {
    if (!isWellFormedTaskToken(token))
      throw new AwsServiceError("InvalidToken", "Invalid Token: 'Invalid token'");
    const record = this.records.get(token);
    if (!record)
      throw new AwsServiceError("TaskDoesNotExist", "Task does not exist: 'Provided task does not exist'");
    this.expireIfDue(record);
    if (record.outcome) {
      throw new AwsServiceError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
    }
    return record;
  }

  private deadline(record: TaskTokenRecord): { at: number; heartbeat: boolean } | undefined {
    const beat =
      record.heartbeatSeconds === undefined
        ? undefined
        : (record.lastBeatAt ?? record.createdAt) + record.heartbeatSeconds * 1000;
    if (record.timeoutAt === undefined && beat === undefined) return undefined;
    if (beat !== undefined && (record.timeoutAt === undefined || beat < record.timeoutAt)) {
      return { at: beat, heartbeat: true };
    }
    return { at: record.timeoutAt ?? Number.POSITIVE_INFINITY, heartbeat: false };
  }

  private expireIfDue(record: TaskTokenRecord): void {
    const due = this.deadline(record);
    if (!record.outcome && due && due.at <= this.now()) {
      this.settle(record, { kind: "timedOut", heartbeat: due.heartbeat });
    }
  }

  private arm(record: TaskTokenRecord, waiter: Waiter): void {
    waiter.cancelTimer?.();
    const due = this.deadline(record);
    if (!due) return;
    waiter.cancelTimer = scheduleAt(
      due.at,
      () => {
        this.expireIfDue(record);
        if (!record.outcome && this.waiters.get(record.token) === waiter) this.arm(record, waiter);
      },
      this.now,
    );
  }

  private settle(record: TaskTokenRecord, outcome: TokenOutcome): void {
    record.outcome = outcome;
    this.persist(record);
    const waiter = this.waiters.get(record.token);
    this.release(record.token);
    waiter?.resolve(outcome);
  }

  private release(token: string): void {
    const waiter = this.waiters.get(token);
    waiter?.cancelTimer?.();
    this.waiters.delete(token);
  }
}
