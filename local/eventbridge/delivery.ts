// Asynchronous at-least-once delivery of matched events to targets, as EventBridge does it: each
// (event, target) pair is journaled before PutEvents answers, attempted right after, retried with
// exponential backoff and jitter within the target's RetryPolicy (attempts and event age), and moved to a
// dead-letter store with its last error when retries run out or the error is not retryable. Dead letters
// can be listed and redriven. Pending deliveries survive a restart when journals are given.
import { randomUUID } from "node:crypto";
import type { KeyedJournal } from "./file-store.ts";
import type { DeadLetter, DeliveryRecord, Target } from "./model.ts";
import { DeliveryError } from "./target-senders.ts";

export interface Logger {
  info(message: string, details?: object): void;
  warn(message: string, details?: object): void;
  error(message: string, details?: object): void;
}

export interface DeadLetterFilter {
  ruleName?: string;
  targetId?: string;
  deadLetterArn?: string;
  /** Dead-letter record ids. */
  ids?: readonly string[];
}

/** AWS's defaults when a target has no RetryPolicy. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;

export interface DeliveryEngineOptions {
  /** Attempts one delivery; throws (ideally a DeliveryError) when it fails. */
  send(record: DeliveryRecord, target: Target): Promise<void>;
  /** The target to use for an attempt: the rule's current target of that Id, or the record's copy. */
  resolveTarget(record: DeliveryRecord): Target;
  /** Where a target without DeadLetterConfig sends its failures. */
  defaultDeadLetterArn: string;
  deliveryJournal?: KeyedJournal<DeliveryRecord>;
  deadLetterJournal?: KeyedJournal<DeadLetter>;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  /** Caps every target's MaximumRetryAttempts. */
  maxRetryAttempts: number;
  concurrency: number;
  logger?: Logger;
  now?: () => number;
}

export class DeliveryEngine {
  /** Every delivery not yet delivered or dead-lettered: in flight, ready, or waiting for a retry. */
  private readonly pending = new Map<string, DeliveryRecord>();
  private readonly deadLetters = new Map<string, DeadLetter>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Ids due for an attempt, oldest first; `readyHead` is the next one (an array queue without shift()). */
  private ready: string[] = [];
  private readyHead = 0;
  private readonly idleWaiters: Array<() => void> = [];
  private active = 0;
  private running = false;
  private pumpScheduled = false;
  private readonly now: () => number;

  constructor(private readonly options: DeliveryEngineOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Loads journaled deliveries and dead letters, then resumes the deliveries. */
  async start(): Promise<void> {
    const [deliveries, deadLetters] = await Promise.all([
      this.options.deliveryJournal?.open() ?? [],
      this.options.deadLetterJournal?.open() ?? [],
    ]);
    for (const letter of deadLetters) this.deadLetters.set(letter.id, letter);
    this.running = true;
    for (const record of deliveries) {
      this.pending.set(record.id, record);
      this.schedule(record);
    }
    if (deliveries.length > 0)
      this.options.logger?.info("Resuming pending deliveries", { count: deliveries.length });
  }

  /** Cancels retry timers and waits for attempts in flight; journaled deliveries resume at the next start. */
  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready = [];
    this.readyHead = 0;
    this.notifyIfIdle();
    await this.whenIdle();
    await Promise.all([this.options.deliveryJournal?.close(), this.options.deadLetterJournal?.close()]);
  }

  /** Journals new deliveries (resolving once they are durable) and schedules them. */
  async enqueue(records: DeliveryRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const record of records) this.pending.set(record.id, record);
    const journal = this.options.deliveryJournal;
    try {
      if (journal) await Promise.all(records.map((record) => journal.put(record)));
    } catch (error) {
      // The caller fails (and its client will retry): delivering these too would duplicate the events.
      for (const record of records) this.pending.delete(record.id);
      throw error;
    }
    for (const record of records) this.schedule(record);
  }

  /** Resolves when nothing is in flight, ready, or waiting for a retry timer. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  listDeadLetters(filter: DeadLetterFilter = {}): DeadLetter[] {
    return [...this.deadLetters.values()]
      .filter((letter) => matchesFilter(letter, filter))
      .sort((a, b) => a.deadLetteredAt - b.deadLetteredAt);
  }

  /**
   * Delivers matching dead letters again, with a fresh retry budget, using the rule's current target when
   * it still exists (so a fixed target takes effect). Returns how many were redriven.
   */
  async redrive(filter: DeadLetterFilter = {}): Promise<number> {
    const letters = this.listDeadLetters(filter);
    const now = this.now();
    const records = letters.map(
      (letter): DeliveryRecord => ({
        id: randomUUID(),
        eventId: letter.eventId,
        event: letter.event,
        ingestedAt: now,
        busName: letter.busName,
        ruleName: letter.ruleName,
        ruleArn: letter.ruleArn,
        target: letter.target,
        attempts: 0,
        nextAttemptAt: now,
      }),
    );
    // The new deliveries are durable before the dead letters go: a crash in between duplicates, never loses.
    await this.enqueue(records);
    for (const letter of letters) {
      this.deadLetters.delete(letter.id);
      await this.options.deadLetterJournal?.delete(letter.id);
    }
    return records.length;
  }

  private schedule(record: DeliveryRecord): void {
    if (!this.running) return;
    const delay = record.nextAttemptAt - this.now();
    if (delay <= 0) {
      this.ready.push(record.id);
      this.schedulePump();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(record.id);
      this.ready.push(record.id);
      this.pump();
    }, delay);
    // Journaled retries must not keep an otherwise finished process alive.
    timer.unref();
    this.timers.set(record.id, timer);
  }

  /** Attempts start on a later turn, so PutEvents answers before any target is called. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running && this.active < this.options.concurrency && this.readyHead < this.ready.length) {
      const record = this.pending.get(this.takeReady());
      if (!record) continue;
      this.active++;
      void this.attempt(record).finally(() => {
        this.active--;
        this.pump();
        this.notifyIfIdle();
      });
    }
    this.notifyIfIdle();
  }

  private takeReady(): string {
    const id = this.ready[this.readyHead++] as string;
    // Drop consumed ids once they are the larger part of the array, so a queue that never drains stays small.
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
    return id;
  }

  private async attempt(record: DeliveryRecord): Promise<void> {
    const target = this.options.resolveTarget(record);
    record.attempts++;
    try {
      await this.options.send(record, target);
    } catch (thrown) {
      await this.failed(record, target, asDeliveryError(thrown)).catch((error: unknown) => {
        this.options.logger?.error("Could not record a failed delivery", {
          id: record.id,
          error: String(error),
        });
      });
      return;
    }
    this.pending.delete(record.id);
    await this.options.deliveryJournal?.delete(record.id).catch((error: unknown) => {
      this.options.logger?.error("Could not journal a completed delivery", {
        id: record.id,
        error: String(error),
      });
    });
  }

  private async failed(record: DeliveryRecord, target: Target, error: DeliveryError): Promise<void> {
    record.lastError = { code: error.code, message: error.message };
    const now = this.now();
    const delay = this.backoff(record.attempts);
    const policy = target.RetryPolicy;
    const maxRetries = Math.min(
      this.options.maxRetryAttempts,
      policy?.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    );
    const maxAgeMs = (policy?.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000;
    const retry =
      error.retryable && record.attempts <= maxRetries && now + delay - record.ingestedAt <= maxAgeMs;
    if (retry) {
      record.nextAttemptAt = now + delay;
      await this.options.deliveryJournal?.put(record);
      this.schedule(record);
      return;
    }
    const letter: DeadLetter = {
      id: randomUUID(),
      deadLetterArn: target.DeadLetterConfig?.Arn ?? this.options.defaultDeadLetterArn,
      eventId: record.eventId,
      event: record.event,
      ingestedAt: record.ingestedAt,
      busName: record.busName,
      ruleName: record.ruleName,
      ruleArn: record.ruleArn,
      targetId: target.Id,
      targetArn: target.Arn,
      target,
      attempts: record.attempts,
      errorCode: error.code,
      errorMessage: error.message,
      deadLetteredAt: now,
    };
    this.deadLetters.set(letter.id, letter);
    await this.options.deadLetterJournal?.put(letter);
    this.pending.delete(record.id);
    await this.options.deliveryJournal?.delete(record.id);
    this.options.logger?.warn("Event dead-lettered", {
      rule: record.ruleName,
      target: target.Id,
      eventId: record.eventId,
      attempts: record.attempts,
      errorCode: error.code,
      errorMessage: error.message,
    });
  }

  /** Exponential backoff with "equal jitter": between half and all of base * 2^(attempt - 1), capped. */
  private backoff(attempts: number): number {
    const ceiling = Math.min(
      this.options.maxRetryDelayMs,
      this.options.retryBaseDelayMs * 2 ** (attempts - 1),
    );
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private isIdle(): boolean {
    return this.active === 0 && this.readyHead === this.ready.length && this.timers.size === 0;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError("INTERNAL_ERROR", message, true);
}

function matchesFilter(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  return (
    (filter.ruleName === undefined || letter.ruleName === filter.ruleName) &&
    (filter.targetId === undefined || letter.targetId === filter.targetId) &&
    (filter.deadLetterArn === undefined || letter.deadLetterArn === filter.deadLetterArn) &&
    (filter.ids === undefined || filter.ids.includes(letter.id))
  );
}
