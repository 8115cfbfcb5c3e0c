// The local event-source mapping for the table stream: polls DynamoDB Local's stream (the same records
// AWS delivers to Lambda), applies each consumer's declared filter, invokes the consumer with a
// DynamoDBStreamEvent, honours its batchItemFailures (retry from the first failed record), and keeps
// per-shard checkpoints in the data folder, so a restart neither loses nor repeats what was processed.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { StreamConsumerDeclaration } from "../../app/app-declaration.ts";
import { compileEventPattern, matchesEventPattern } from "../../domain/events/event-pattern.ts";
import type { LambdaInvoker } from "../functions/lambda-invoker.ts";

export interface StreamRelayOptions {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  consumers: StreamConsumerDeclaration[];
  invoker: LambdaInvoker;
  /** JSON file for checkpoints; omitted = in memory. */
  checkpointFile?: string;
  pollIntervalMs?: number;
  region?: string;
  logger?: Pick<Console, "warn" | "error">;
}

interface ShardState {
  iterator?: string;
  /** Last sequence number fully handled; the next read starts after it. */
  checkpoint?: string;
  closed?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class ConsumerLoop {
  private readonly shards = new Map<string, ShardState>();
  private readonly filter;
  private failures = 0;

  constructor(
    private readonly relay: StreamRelay,
    readonly consumer: StreamConsumerDeclaration,
    saved: Record<string, string>,
  ) {
    this.filter = compileEventPattern(consumer.filter);
    for (const [shardId, checkpoint] of Object.entries(saved)) this.shards.set(shardId, { checkpoint });
  }

  checkpoints(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, s] of this.shards) if (s.checkpoint) out[id] = s.checkpoint;
    return out;
  }

  /** One pass over every open shard; returns how many records it read. */
  async poll(streamArn: string, shardIds: string[]): Promise<number> {
    let read = 0;
    for (const shardId of shardIds) {
      const state = this.shards.get(shardId) ?? {};
      this.shards.set(shardId, state);
      if (state.closed) continue;
      state.iterator ??= await this.relay.iteratorFor(streamArn, shardId, state.checkpoint);
      let page: Awaited<ReturnType<StreamRelay["getRecords"]>>;
      try {
        page = await this.relay.getRecords(state.iterator, this.consumer.batchSize);
      } catch (error) {
        if (
          (error as Error).name === "ExpiredIteratorException" ||
          (error as Error).name === "TrimmedDataAccessException"
        ) {
          state.iterator = undefined;
          continue;
        }
        throw error;
      }
      const records = page.Records ?? [];
      read += records.length;
      if (records.length > 0) {
        const failedAt = await this.deliver(streamArn, records);
        if (failedAt !== undefined) {
          // Retry from the failed record: everything before it is checkpointed.
          const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
          const done = index > 0 ? records[index - 1]?.dynamodb?.SequenceNumber : undefined;
          if (done) state.checkpoint = done;
          state.iterator = await this.relay.iteratorAt(streamArn, shardId, failedAt);
          this.relay.markDirty();
          await sleep(Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6)));
          continue;
        }
        state.checkpoint = records.at(-1)?.dynamodb?.SequenceNumber ?? state.checkpoint;
        this.relay.markDirty();
      }
      state.iterator = page.NextShardIterator;
      if (!state.iterator) state.closed = true;
    }
    return read;
  }

  /** Invokes the consumer; returns the sequence number to retry from, or undefined when all is handled. */
  private async deliver(streamArn: string, records: StreamRecord[]): Promise<string | undefined> {
    const lambdaRecords = records.map((r) => toLambdaRecord(r, streamArn, this.relay.region));
    const matched = lambdaRecords.filter((r) => matchesEventPattern(this.filter, r));
    if (matched.length === 0) return undefined;
    let failedAt: string | undefined;
    try {
      const event: DynamoDBStreamEvent = { Records: matched };
      const result = (await this.relay.invoker.invoke(
        this.consumer.functionId,
        event,
      )) as DynamoDBBatchResponse | null;
      failedAt = result?.batchItemFailures?.[0]?.itemIdentifier || undefined;
    } catch (error) {
      this.relay.log.warn(`stream relay: ${this.consumer.functionId} failed: ${(error as Error).message}`);
      failedAt = matched[0]?.dynamodb?.SequenceNumber;
    }
    if (failedAt === undefined) {
      this.failures = 0;
      return undefined;
    }
    this.failures += 1;
    if (this.failures > this.consumer.maxRetryAttempts) {
      this.relay.log.error(
        `stream relay: ${this.consumer.functionId} gave up on record ${failedAt} after ${this.consumer.maxRetryAttempts} retries`,
      );
      this.failures = 0;
      return undefined;
    }
    return failedAt;
  }
}

export class StreamRelay {
  readonly invoker: LambdaInvoker;
  readonly region: string;
  readonly log: Pick<Console, "warn" | "error">;
  private readonly loops: ConsumerLoop[];
  private running = false;
  private loopDone: Promise<void> | undefined;
  private dirty = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: StreamRelayOptions) {
    this.invoker = options.invoker;
    this.region = options.region ?? "us-east-1";
    this.log = options.logger ?? console;
    const saved = this.load();
    this.loops = options.consumers.map((c) => new ConsumerLoop(this, c, saved[c.functionId] ?? {}));
  }

  /** The consumers this relay feeds (the local counterpart of the event-source mappings). */
  get consumers(): StreamConsumerDeclaration[] {
    return this.options.consumers;
  }

  async start(): Promise<void> {
    const table = await this.options.dynamodb.send(
      new DescribeTableCommand({ TableName: this.options.tableName }),
    );
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`table ${this.options.tableName} has no stream`);
    this.running = true;
    this.loopDone = this.run(streamArn);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loopDone;
    this.save();
  }

  /** Resolves after the next poll round that found nothing new (tests and benchmarks wait on it). */
  whenCaughtUp(): Promise<void> {
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  markDirty(): void {
    this.dirty = true;
  }

  async iteratorFor(streamArn: string, shardId: string, checkpoint?: string): Promise<string | undefined> {
    const res = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: checkpoint ? "AFTER_SEQUENCE_NUMBER" : "TRIM_HORIZON",
        ...(checkpoint ? { SequenceNumber: checkpoint } : {}),
      }),
    );
    return res.ShardIterator;
  }

  async iteratorAt(streamArn: string, shardId: string, sequenceNumber: string): Promise<string | undefined> {
    const res = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: "AT_SEQUENCE_NUMBER",
        SequenceNumber: sequenceNumber,
      }),
    );
    return res.ShardIterator;
  }

  getRecords(iterator: string | undefined, limit: number) {
    return this.options.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
  }

  private async run(streamArn: string): Promise<void> {
    let shardIds: string[] = [];
    let shardsListedAt = 0;
    let lastSave = Date.now();
    while (this.running) {
      let read = 0;
      try {
        if (Date.now() - shardsListedAt > 10_000) {
          shardIds = await this.listShards(streamArn);
          shardsListedAt = Date.now();
        }
        for (const loop of this.loops) read += await loop.poll(streamArn, shardIds);
      } catch (error) {
        this.log.warn(`stream relay: ${(error as Error).message}`);
        shardsListedAt = 0;
      }
      if (this.dirty && Date.now() - lastSave > 200) {
        this.save();
        lastSave = Date.now();
      }
      if (read === 0) {
        for (const wake of this.idleWaiters.splice(0)) wake();
        await sleep(this.options.pollIntervalMs ?? 50);
      }
    }
  }

  private async listShards(streamArn: string): Promise<string[]> {
    const ids: string[] = [];
    let start: string | undefined;
    do {
      const res = await this.options.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      // Parents before children: AWS lists them in that order, which keeps per-key order.
      for (const shard of res.StreamDescription?.Shards ?? []) if (shard.ShardId) ids.push(shard.ShardId);
      start = res.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return ids;
  }

  private load(): Record<string, Record<string, string>> {
    const file = this.options.checkpointFile;
    if (!file || !existsSync(file)) return {};
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string>>;
  }

  private save(): void {
    const file = this.options.checkpointFile;
    this.dirty = false;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const data = Object.fromEntries(this.loops.map((l) => [l.consumer.functionId, l.checkpoints()]));
    writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 2));
    renameSync(`${file}.tmp`, file);
  }
}

/** An SDK stream record in the shape Lambda hands to a function (dates as epoch seconds). */
function toLambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = record.dynamodb;
  const created = d?.ApproximateCreationDateTime;
  return JSON.parse(
    JSON.stringify({
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: region,
      dynamodb: {
        ...d,
        ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : created,
      },
      eventSourceARN: streamArn,
    }),
  ) as DynamoDBRecord;
}
