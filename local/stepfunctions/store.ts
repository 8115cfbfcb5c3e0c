// What the local Step Functions remembers: definitions, state machines, executions with their histories,
// and task-token records. Everything lives in memory; with a data folder every change is also appended to
// one JSON-lines journal (`<dataDir>/stepfunctions/journal.jsonl`) that is replayed on the next start.
// Appends are batched per event-loop turn into one write, so a history event costs a string push, not a
// file operation; a crash can lose at most the last turn's records, which resume tolerates because tasks
// are idempotent. Records read back are validated; a torn last line (crash mid-write) is skipped.
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type HistoryEvent, historyEventSchema, type NewEvent } from "./history.ts";
import type { Logger } from "./integrations.ts";
import { type TaskTokenRecord, taskTokenRecordSchema } from "./task-tokens.ts";

const stateMachineSchema = z.object({
  arn: z.string(),
  name: z.string(),
  type: z.enum(["STANDARD", "EXPRESS"]),
  roleArn: z.string(),
  definitionId: z.string(),
  creationDate: z.number(),
  updateDate: z.number().optional(),
  seq: z.number(),
  loggingConfiguration: z.record(z.string(), z.unknown()).optional(),
  tracingConfiguration: z.record(z.string(), z.unknown()).optional(),
});
export type StateMachineRecord = z.infer<typeof stateMachineSchema>;

export const executionStatusSchema = z.enum(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]);
export type ExecutionStatus = z.infer<typeof executionStatusSchema>;

const executionHeaderSchema = z.object({
  seq: z.number(),
  arn: z.string(),
  stateMachineArn: z.string(),
  stateMachineName: z.string(),
  name: z.string(),
  type: z.enum(["STANDARD", "EXPRESS"]),
  definitionId: z.string(),
  roleArn: z.string(),
  input: z.string(),
  startDate: z.number(),
});

/** The fields that change over an execution's life, written as one snapshot whenever they change. */
const executionStatusFieldsSchema = z.object({
  status: executionStatusSchema,
  stopDate: z.number().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  redriveCount: z.number(),
  redriveDate: z.number().optional(),
});
export type ExecutionStatusFields = z.infer<typeof executionStatusFieldsSchema>;

/** Where a run is: the top-level state last entered and its input (resume and redrive restart there). */
export interface Checkpoint {
  state: string;
  input: string;
  /** Id of that *StateEntered event: task tokens created under it belong to this attempt of the state. */
  eventId: number;
  timestamp: number;
}

export type ExecutionRecord = z.infer<typeof executionHeaderSchema> &
  ExecutionStatusFields & {
    events: HistoryEvent[];
    checkpoint?: Checkpoint | undefined;
  };

const journalRecordSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("def"), id: z.string(), text: z.string() }),
  z.object({ t: z.literal("sm"), record: stateMachineSchema }),
  z.object({ t: z.literal("smdel"), arn: z.string() }),
  z.object({ t: z.literal("ex"), record: executionHeaderSchema }),
  z.object({ t: z.literal("ev"), x: z.string(), e: historyEventSchema, top: z.literal(1).optional() }),
  z.object({ t: z.literal("st"), x: z.string(), s: executionStatusFieldsSchema }),
  z.object({ t: z.literal("tok"), record: taskTokenRecordSchema }),
]);
type JournalRecord = z.infer<typeof journalRecordSchema>;

class Journal {
  private pending: string[] = [];
  private flushScheduled = false;

  constructor(
    private readonly stream: WriteStream,
    logger: Logger,
  ) {
    stream.on("error", (error) =>
      logger.error("step functions journal write failed", { error: String(error) }),
    );
  }

  append(record: JournalRecord): void {
    this.pending.push(JSON.stringify(record));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    this.stream.write(`${this.pending.join("\n")}\n`);
    this.pending = [];
  }

  async close(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
  }
}

export class StepFunctionsStore {
  readonly definitions = new Map<string, string>();
  /** Active state machines by ARN (deleted ones are dropped; their executions stay). */
  readonly stateMachines = new Map<string, StateMachineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  /** Token records read back from the journal, for the token registry to restore. */
  readonly restoredTokens: TaskTokenRecord[] = [];
  private readonly byMachine = new Map<string, ExecutionRecord[]>();
  private seq = 0;
  private closed = false;

  private constructor(private readonly journal: Journal | undefined) {}

  /** Opens the store: in memory without `dataDir`, else replaying and appending to the journal there. */
  static async open(dataDir: string | undefined, logger: Logger): Promise<StepFunctionsStore> {
    if (!dataDir) return new StepFunctionsStore(undefined);
    const dir = join(dataDir, "stepfunctions");
    await mkdir(dir, { recursive: true });
    const path = join(dir, "journal.jsonl");
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    const store = new StepFunctionsStore(new Journal(createWriteStream(path, { flags: "a" }), logger));
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        skipped++;
        continue;
      }
      const record = journalRecordSchema.safeParse(parsed);
      if (record.success) store.replay(record.data);
      else skipped++;
    }
    if (skipped > 0) logger.warn("skipped unreadable step functions journal records", { path, skipped });
    return store;
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  putDefinition(id: string, text: string): void {
    if (this.definitions.has(id)) return;
    this.definitions.set(id, text);
    this.write({ t: "def", id, text });
  }

  putStateMachine(record: StateMachineRecord): void {
    this.stateMachines.set(record.arn, record);
    this.write({ t: "sm", record });
  }

  deleteStateMachine(arn: string): void {
    if (!this.stateMachines.delete(arn)) return;
    this.write({ t: "smdel", arn });
  }

  addExecution(header: z.infer<typeof executionHeaderSchema>): ExecutionRecord {
    const execution: ExecutionRecord = { ...header, status: "RUNNING", redriveCount: 0, events: [] };
    this.index(execution);
    this.write({ t: "ex", record: header });
    return execution;
  }

  /** Executions of a state machine, oldest first. */
  executionsOf(stateMachineArn: string): readonly ExecutionRecord[] {
    return this.byMachine.get(stateMachineArn) ?? [];
  }

  /**
   * Appends a history event. `topLevel` marks a top-level *StateEntered, which becomes the checkpoint that
   * resume and redrive restart from.
   */
  appendEvent(execution: ExecutionRecord, event: NewEvent, topLevel = false, now = Date.now()): HistoryEvent {
    const id = execution.events.length + 1;
    const stored: HistoryEvent = { id, previousEventId: id - 1, timestamp: now, type: event.type };
    if (event.details) stored.details = event.details;
    this.applyEvent(execution, stored, topLevel);
    this.write(
      topLevel ? { t: "ev", x: execution.arn, e: stored, top: 1 } : { t: "ev", x: execution.arn, e: stored },
    );
    return stored;
  }

  setStatus(execution: ExecutionRecord, fields: ExecutionStatusFields): void {
    applyStatus(execution, fields);
    this.write({ t: "st", x: execution.arn, s: fields });
  }

  putToken(record: TaskTokenRecord): void {
    this.write({ t: "tok", record });
  }

  /** Writes what is pending and closes the journal; later changes stay in memory only. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.journal?.close();
  }

  private write(record: JournalRecord): void {
    if (!this.closed) this.journal?.append(record);
  }

  private index(execution: ExecutionRecord): void {
    this.executions.set(execution.arn, execution);
    const list = this.byMachine.get(execution.stateMachineArn);
    if (list) list.push(execution);
    else this.byMachine.set(execution.stateMachineArn, [execution]);
    this.seq = Math.max(this.seq, execution.seq);
  }

  private applyEvent(execution: ExecutionRecord, event: HistoryEvent, topLevel: boolean): void {
    execution.events.push(event);
    const name = event.details?.["name"];
    const input = event.details?.["input"];
    if (topLevel && typeof name === "string" && typeof input === "string") {
      execution.checkpoint = { state: name, input, eventId: event.id, timestamp: event.timestamp };
    }
  }

  private replay(record: JournalRecord): void {
    switch (record.t) {
      case "def":
        this.definitions.set(record.id, record.text);
        break;
      case "sm":
        this.stateMachines.set(record.record.arn, record.record);
        this.seq = Math.max(this.seq, record.record.seq);
        break;
      case "smdel":
        this.stateMachines.delete(record.arn);
        break;
      case "ex":
        this.index({ ...record.record, status: "RUNNING", redriveCount: 0, events: [] });
        break;
      case "ev": {
        const execution = this.executions.get(record.x);
        if (execution) this.applyEvent(execution, record.e, record.top === 1);
        break;
      }
      case "st": {
        const execution = this.executions.get(record.x);
        if (execution) applyStatus(execution, record.s);
        break;
      }
      case "tok":
        this.restoredTokens.push(record.record);
        break;
    }
  }
}

function applyStatus(execution: ExecutionRecord, fields: ExecutionStatusFields): void {
  execution.status = fields.status;
  execution.stopDate = fields.stopDate;
  execution.output = fields.output;
  execution.error = fields.error;
  execution.cause = fields.cause;
  execution.redriveCount = fields.redriveCount;
  execution.redriveDate = fields.redriveDate;
}
