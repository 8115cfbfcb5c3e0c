// The local Amazon SQS (X-Amz-Target "AmazonSQS", AWS JSON 1.0), as far as the OMS uses it: standard
// queues with visibility timeouts, message delays, retention, long polling, receive counts and a
// redrive policy that moves a message to its dead-letter queue once it was received more than
// maxReceiveCount times. Messages are kept in memory, or journaled under `${dataDir}/sqs/` so a restart
// loses none (a restarted queue shows every message again, as an expired visibility timeout would).
// Queue URLs point at the edge endpoint (the SDK sends each call to its QueueUrl's host).
import { createHash, randomUUID } from "node:crypto";
import { join } from "node:path";
import * as z from "zod";
import { type AwsJsonService, AwsServiceError } from "../aws-protocol/aws-json-service.ts";
import { KeyedJournal, SnapshotFile } from "../eventbridge/file-store.ts";
import { LOCAL_ACCOUNT, LOCAL_REGION } from "../functions/lambda-invoker.ts";

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_BODY_BYTES = 256 * 1024;

const RedrivePolicy = z.object({
  deadLetterTargetArn: z.string().min(1),
  maxReceiveCount: z.coerce.number().int().min(1).max(1000),
});

const QueueAttributes = z.object({
  VisibilityTimeout: z.coerce.number().int().min(0).max(43_200).default(30),
  MessageRetentionPeriod: z.coerce.number().int().min(60).max(1_209_600).default(345_600),
  DelaySeconds: z.coerce.number().int().min(0).max(900).default(0),
  ReceiveMessageWaitTimeSeconds: z.coerce.number().int().min(0).max(20).default(0),
  MaximumMessageSize: z.coerce.number().int().min(1024).max(MAX_BODY_BYTES).default(MAX_BODY_BYTES),
  /** JSON text, as on the wire. */
  RedrivePolicy: z.string().optional(),
  SqsManagedSseEnabled: z.string().optional(),
});
type QueueAttributes = z.infer<typeof QueueAttributes>;

const QueueRecord = z.object({
  name: z.string(),
  arn: z.string(),
  attributes: QueueAttributes,
  createdAt: z.number(),
});
type QueueRecord = z.infer<typeof QueueRecord>;

const StoredMessage = z.object({
  id: z.string(),
  queue: z.string(),
  body: z.string(),
  md5: z.string(),
  sentAt: z.number(),
  /** Visible (receivable) from this time, epoch ms. */
  visibleAt: z.number(),
  receiveCount: z.int().min(0),
  firstReceivedAt: z.number().optional(),
  /** The receipt handle of the latest receive. */
  receipt: z.string().optional(),
  deadLetterQueueSourceArn: z.string().optional(),
});
type StoredMessage = z.infer<typeof StoredMessage>;

const Snapshot = z.object({ version: z.literal(1), queues: z.array(QueueRecord) });

const queueUrl = z.string().min(1);
const CreateQueueInput = z.object({
  QueueName: z.string().regex(QUEUE_NAME),
  Attributes: z.record(z.string(), z.string()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});
const QueueRefInput = z.object({ QueueUrl: queueUrl });
const GetQueueUrlInput = z.object({
  QueueName: z.string().min(1),
  QueueOwnerAWSAccountId: z.string().optional(),
});
const GetQueueAttributesInput = z.object({
  QueueUrl: queueUrl,
  AttributeNames: z.array(z.string()).optional(),
});
const SetQueueAttributesInput = z.object({
  QueueUrl: queueUrl,
  Attributes: z.record(z.string(), z.string()),
});
const ListQueuesInput = z.object({
  QueueNamePrefix: z.string().optional(),
  MaxResults: z.int().min(1).max(1000).optional(),
  NextToken: z.string().optional(),
});
const SendMessageInput = z.object({
  QueueUrl: queueUrl,
  MessageBody: z.string(),
  DelaySeconds: z.int().min(0).max(900).optional(),
});
const SendMessageBatchInput = z.object({
  QueueUrl: queueUrl,
  Entries: z
    .array(
      z.object({
        Id: z.string().min(1).max(80),
        MessageBody: z.string(),
        DelaySeconds: z.int().min(0).max(900).optional(),
      }),
    )
    .min(1)
    .max(10),
});
const ReceiveMessageInput = z.object({
  QueueUrl: queueUrl,
  MaxNumberOfMessages: z.int().min(1).max(10).optional(),
  VisibilityTimeout: z.int().min(0).max(43_200).optional(),
  WaitTimeSeconds: z.int().min(0).max(20).optional(),
  AttributeNames: z.array(z.string()).optional(),
  MessageSystemAttributeNames: z.array(z.string()).optional(),
  MessageAttributeNames: z.array(z.string()).optional(),
});
const DeleteMessageInput = z.object({ QueueUrl: queueUrl, ReceiptHandle: z.string().min(1) });
const DeleteMessageBatchInput = z.object({
  QueueUrl: queueUrl,
  Entries: z
    .array(z.object({ Id: z.string().min(1), ReceiptHandle: z.string().min(1) }))
    .min(1)
    .max(10),
});
const ChangeVisibilityInput = z.object({
  QueueUrl: queueUrl,
  ReceiptHandle: z.string().min(1),
  VisibilityTimeout: z.int().min(0).max(43_200),
});
const ChangeVisibilityBatchInput = z.object({
  QueueUrl: queueUrl,
  Entries: z
    .array(
      z.object({
        Id: z.string().min(1),
        ReceiptHandle: z.string().min(1),
        VisibilityTimeout: z.int().min(0).max(43_200),
      }),
    )
    .min(1)
    .max(10),
});

/** A received message as the ReceiveMessage API returns it. */
export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes: Record<string, string>;
}

export interface LocalSqsOptions {
  dataDir?: string;
  region?: string;
  account?: string;
  now?: () => number;
}

type Operation = (input: Record<string, unknown>) => unknown;

export class LocalSqs implements AwsJsonService {
  readonly targetPrefix = "AmazonSQS";
  readonly jsonVersion = "1.0" as const;

  private readonly region: string;
  private readonly account: string;
  private readonly now: () => number;
  private endpoint = "http://127.0.0.1:4566";
  private readonly queues = new Map<string, QueueRecord>();
  /** Per queue, its messages in arrival order (Map iteration order). */
  private readonly messages = new Map<string, Map<string, StoredMessage>>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly snapshot: SnapshotFile | undefined;
  private readonly journal: KeyedJournal<StoredMessage> | undefined;
  private started: Promise<void> | undefined;
  private readonly operations: ReadonlyMap<string, Operation>;

  constructor(options: LocalSqsOptions = {}) {
    this.region = options.region ?? LOCAL_REGION;
    this.account = options.account ?? LOCAL_ACCOUNT;
    this.now = options.now ?? Date.now;
    const directory = options.dataDir === undefined ? undefined : join(options.dataDir, "sqs");
    if (directory !== undefined) {
      this.snapshot = new SnapshotFile(join(directory, "queues.json"), () => ({
        version: 1,
        queues: [...this.queues.values()],
      }));
      this.journal = new KeyedJournal(join(directory, "messages.jsonl"), {
        parse: (value) => StoredMessage.safeParse(value).data,
      });
    }
    this.operations = new Map<string, Operation>([
      ["CreateQueue", (input) => this.createQueue(input)],
      ["GetQueueUrl", (input) => this.getQueueUrl(input)],
      ["GetQueueAttributes", (input) => this.getQueueAttributes(input)],
      ["SetQueueAttributes", (input) => this.setQueueAttributes(input)],
      ["ListQueues", (input) => this.listQueues(input)],
      ["DeleteQueue", (input) => this.deleteQueue(input)],
      ["PurgeQueue", (input) => this.purgeQueue(input)],
      ["SendMessage", (input) => this.sendMessage(input)],
      ["SendMessageBatch", (input) => this.sendMessageBatch(input)],
      ["ReceiveMessage", (input) => this.receiveMessage(input)],
      ["DeleteMessage", (input) => this.deleteMessage(input)],
      ["DeleteMessageBatch", (input) => this.deleteMessageBatch(input)],
      ["ChangeMessageVisibility", (input) => this.changeMessageVisibility(input)],
      ["ChangeMessageVisibilityBatch", (input) => this.changeMessageVisibilityBatch(input)],
    ]);
  }

  /** Queue URLs name this endpoint (the edge server's address, known once it listens). */
  setEndpoint(endpoint: string): void {
    this.endpoint = endpoint.replace(/\/$/, "");
  }

  start(): Promise<void> {
    this.started ??= this.load();
    return this.started;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.started;
    for (const set of this.waiters.values()) for (const wake of set) wake();
    await this.snapshot?.save();
    await this.journal?.close();
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    await this.start();
    const run = this.operations.get(operation);
    if (!run) {
      throw new AwsServiceError("UnsupportedOperation", `The local SQS does not implement ${operation}`);
    }
    return run(input);
  }

  // -------------------------------------------------------------------------------------------------
  // In-process API (the EventBridge SQS target and the event-source-mapping poller)

  queueUrlOf(name: string): string {
    return `${this.endpoint}/${this.account}/${name}`;
  }

  queueArnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.account}:${name}`;
  }

  /** The queue of an ARN (any account or region: locally every queue is ours), if it exists. */
  queueNameOfArn(arn: string): string | undefined {
    const name = /^arn:aws[\w-]*:sqs:[^:]*:[^:]*:([A-Za-z0-9_-]+)$/.exec(arn)?.[1];
    return name !== undefined && this.queues.has(name) ? name : undefined;
  }

  async send(queueName: string, body: string, delaySeconds?: number): Promise<string> {
    await this.start();
    const queue = this.requireQueue(queueName);
    return (await this.enqueue(queue, body, delaySeconds)).id;
  }

  async receive(
    queueName: string,
    options: { max: number; waitSeconds: number; visibilityTimeout?: number },
  ): Promise<ReceivedMessage[]> {
    await this.start();
    const queue = this.requireQueue(queueName);
    return this.receiveFrom(queue, options.max, options.waitSeconds, options.visibilityTimeout, ["All"]);
  }

  async deleteByReceipt(queueName: string, receiptHandle: string): Promise<void> {
    await this.remove(this.requireQueue(queueName), receiptHandle);
  }

  /** Messages in a queue: visible, in flight (received, not deleted) and delayed. */
  counts(queueName: string): { visible: number; inFlight: number; delayed: number } {
    const now = this.now();
    const counts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of this.messages.get(queueName)?.values() ?? []) {
      if (message.visibleAt <= now) counts.visible++;
      else if (message.receiveCount > 0) counts.inFlight++;
      else counts.delayed++;
    }
    return counts;
  }

  // -------------------------------------------------------------------------------------------------
  // Queues

  private async createQueue(input: Record<string, unknown>): Promise<unknown> {
    const request = parse(CreateQueueInput, input);
    const attributes = parse(QueueAttributes, request.Attributes ?? {}, "Attributes");
    this.checkRedrivePolicy(attributes);
    const existing = this.queues.get(request.QueueName);
    if (existing) {
      // CreateQueue is idempotent for the same attributes, as on AWS.
      const given = Object.keys(request.Attributes ?? {}) as (keyof QueueAttributes)[];
      if (given.some((key) => String(existing.attributes[key]) !== String(attributes[key]))) {
        throw new AwsServiceError(
          "QueueNameExists",
          `A queue already exists with the same name and a different value for attribute(s) ${given.join(", ")}`,
        );
      }
      return { QueueUrl: this.queueUrlOf(existing.name) };
    }
    const queue: QueueRecord = {
      name: request.QueueName,
      arn: this.queueArnOf(request.QueueName),
      attributes,
      createdAt: this.now(),
    };
    this.queues.set(queue.name, queue);
    this.messages.set(queue.name, new Map());
    await this.snapshot?.save();
    return { QueueUrl: this.queueUrlOf(queue.name) };
  }

  private getQueueUrl(input: Record<string, unknown>): unknown {
    const { QueueName } = parse(GetQueueUrlInput, input);
    return { QueueUrl: this.queueUrlOf(this.requireQueue(QueueName).name) };
  }

  private getQueueAttributes(input: Record<string, unknown>): unknown {
    const request = parse(GetQueueAttributesInput, input);
    const queue = this.queueOfUrl(request.QueueUrl);
    const counts = this.counts(queue.name);
    const all: Record<string, string | undefined> = {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      VisibilityTimeout: String(queue.attributes.VisibilityTimeout),
      MessageRetentionPeriod: String(queue.attributes.MessageRetentionPeriod),
      DelaySeconds: String(queue.attributes.DelaySeconds),
      ReceiveMessageWaitTimeSeconds: String(queue.attributes.ReceiveMessageWaitTimeSeconds),
      MaximumMessageSize: String(queue.attributes.MaximumMessageSize),
      RedrivePolicy: queue.attributes.RedrivePolicy,
      SqsManagedSseEnabled: queue.attributes.SqsManagedSseEnabled,
    };
    const names = request.AttributeNames ?? [];
    const wanted = names.includes("All") ? Object.keys(all) : names;
    const attributes: Record<string, string> = {};
    for (const name of wanted) {
      if (!(name in all)) {
        throw new AwsServiceError("InvalidAttributeName", `Unknown Attribute ${name}.`);
      }
      const value = all[name];
      if (value !== undefined) attributes[name] = value;
    }
    return { Attributes: attributes };
  }

  private async setQueueAttributes(input: Record<string, unknown>): Promise<unknown> {
    const request = parse(SetQueueAttributesInput, input);
    const queue = this.queueOfUrl(request.QueueUrl);
    const merged = parse(
      QueueAttributes,
      { ...stringAttributes(queue.attributes), ...request.Attributes },
      "Attributes",
    );
    this.checkRedrivePolicy(merged);
    queue.attributes = merged;
    await this.snapshot?.save();
    return {};
  }

  private listQueues(input: Record<string, unknown>): unknown {
    const request = parse(ListQueuesInput, input);
    const urls = [...this.queues.keys()]
      .filter((name) => name.startsWith(request.QueueNamePrefix ?? ""))
      .sort()
      .slice(0, request.MaxResults ?? 1000)
      .map((name) => this.queueUrlOf(name));
    return { QueueUrls: urls };
  }

  private async deleteQueue(input: Record<string, unknown>): Promise<unknown> {
    const queue = this.queueOfUrl(parse(QueueRefInput, input).QueueUrl);
    await this.dropMessages(queue.name);
    this.queues.delete(queue.name);
    this.messages.delete(queue.name);
    await this.snapshot?.save();
    return {};
  }

  private async purgeQueue(input: Record<string, unknown>): Promise<unknown> {
    const queue = this.queueOfUrl(parse(QueueRefInput, input).QueueUrl);
    await this.dropMessages(queue.name);
    return {};
  }

  // -------------------------------------------------------------------------------------------------
  // Messages

  private async sendMessage(input: Record<string, unknown>): Promise<unknown> {
    const request = parse(SendMessageInput, input);
    const queue = this.queueOfUrl(request.QueueUrl);
    const message = await this.enqueue(queue, request.MessageBody, request.DelaySeconds);
    return { MessageId: message.id, MD5OfMessageBody: message.md5 };
  }

  private async sendMessageBatch(input: Record<string, unknown>): Promise<unknown> {
    const request = parse(SendMessageBatchInput, input);
    const queue = this.queueOfUrl(request.QueueUrl);
    if (new Set(request.Entries.map((e) => e.Id)).size !== request.Entries.length) {
      throw new AwsServiceError("BatchEntryIdsNotDistinct", "Two or more batch entries have the same Id.");
    }
    const total = request.Entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody), 0);
    if (total > MAX_BODY_BYTES) {
      throw new AwsServiceError("BatchRequestTooLong", "Batch requests cannot be longer than 262144 bytes.");
    }
    const successful = [];
    for (const entry of request.Entries) {
      const message = await this.enqueue(queue, entry.MessageBody, entry.DelaySeconds);
      successful.push({ Id: entry.Id, MessageId: message.id, MD5OfMessageBody: message.md5 });
    }
    return { Successful: successful, Failed: [] };
  }

  private async receiveMessage(input: Record<string, unknown>): Promise<unknown> {
    const request = parse(ReceiveMessageInput, input);
    const queue = this.queueOfUrl(request.QueueUrl);
    const messages = await this.receiveFrom(
      queue,
      request.MaxNumberOfMessages ?? 1,
      request.WaitTimeSeconds ?? queue.attributes.ReceiveMessageWaitTimeSeconds,
      request.VisibilityTimeout,
      [...(request.AttributeNames ?? []), ...(request.MessageSystemAttributeNames ?? [])],
    );
    return messages.length === 0 ? {} : { Messages: messages };
  }

  private async deleteMessage(input: Record<string, unknown>): Promise<unknown> {
    const request = parse(DeleteMessageInput, input);
    await this.remove(this.queueOfUrl(request.QueueUrl), request.ReceiptHandle);
    return {};
  }

  private async deleteMessageBatch(input: Record<string, unknown>): Promise<unknown> {
    const request = parse(DeleteMessageBatchInput, input);
    const queue = this.queueOfUrl(request.QueueUrl);
    const successful = [];
    const failed = [];
    for (const entry of request.Entries) {
      try {
        await this.remove(queue, entry.ReceiptHandle);
        successful.push({ Id: entry.Id });
      } catch (error) {
        failed.push(batchFailure(entry.Id, error));
      }
    }
    return { Successful: successful, Failed: failed };
  }

  private changeMessageVisibility(input: Record<string, unknown>): unknown {
    const request = parse(ChangeVisibilityInput, input);
    this.changeVisibility(
      this.queueOfUrl(request.QueueUrl),
      request.ReceiptHandle,
      request.VisibilityTimeout,
    );
    return {};
  }

  private changeMessageVisibilityBatch(input: Record<string, unknown>): unknown {
    const request = parse(ChangeVisibilityBatchInput, input);
    const queue = this.queueOfUrl(request.QueueUrl);
    const successful = [];
    const failed = [];
    for (const entry of request.Entries) {
      try {
        this.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout);
        successful.push({ Id: entry.Id });
      } catch (error) {
        failed.push(batchFailure(entry.Id, error));
      }
    }
    return { Successful: successful, Failed: failed };
  }

  // -------------------------------------------------------------------------------------------------
  // Mechanics

  private async enqueue(queue: QueueRecord, body: string, delaySeconds?: number): Promise<StoredMessage> {
    if (Buffer.byteLength(body) > queue.attributes.MaximumMessageSize) {
      throw new AwsServiceError(
        "InvalidParameterValue",
        `One or more parameters are invalid. Reason: Message must be shorter than ${queue.attributes.MaximumMessageSize} bytes.`,
      );
    }
    const now = this.now();
    const message: StoredMessage = {
      id: randomUUID(),
      queue: queue.name,
      body,
      md5: createHash("md5").update(body, "utf8").digest("hex"),
      sentAt: now,
      visibleAt: now + (delaySeconds ?? queue.attributes.DelaySeconds) * 1000,
      receiveCount: 0,
    };
    await this.journal?.put(message);
    this.messages.get(queue.name)?.set(message.id, message);
    this.wake(queue.name, message.visibleAt - now);
    return message;
  }

  private async receiveFrom(
    queue: QueueRecord,
    max: number,
    waitSeconds: number,
    visibilityTimeout: number | undefined,
    attributeNames: string[],
  ): Promise<ReceivedMessage[]> {
    const deadline = this.now() + waitSeconds * 1000;
    for (;;) {
      const taken = await this.take(queue, max, visibilityTimeout ?? queue.attributes.VisibilityTimeout);
      if (taken.length > 0 || this.now() >= deadline || !this.queues.has(queue.name)) {
        return taken.map((message) => view(message, attributeNames));
      }
      await this.waitForMessages(queue.name, deadline);
    }
  }

  /** Up to `max` visible messages, made invisible for the timeout; over-received ones go to the DLQ. */
  private async take(queue: QueueRecord, max: number, visibilityTimeout: number): Promise<StoredMessage[]> {
    const now = this.now();
    const retentionMs = queue.attributes.MessageRetentionPeriod * 1000;
    const redrive = queue.attributes.RedrivePolicy
      ? RedrivePolicy.parse(JSON.parse(queue.attributes.RedrivePolicy))
      : undefined;
    const taken: StoredMessage[] = [];
    const messages = this.messages.get(queue.name) ?? new Map<string, StoredMessage>();
    for (const message of messages.values()) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      if (now - message.sentAt > retentionMs) {
        messages.delete(message.id);
        await this.journal?.delete(message.id);
        continue;
      }
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        await this.moveToDeadLetterQueue(queue, message, redrive.deadLetterTargetArn);
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.receipt = `${message.id}#${randomUUID()}`;
      message.visibleAt = now + visibilityTimeout * 1000;
      taken.push(message);
      this.wake(queue.name, visibilityTimeout * 1000);
    }
    return taken;
  }

  private async moveToDeadLetterQueue(
    source: QueueRecord,
    message: StoredMessage,
    dlqArn: string,
  ): Promise<void> {
    const dlqName = this.queueNameOfArn(dlqArn);
    this.messages.get(source.name)?.delete(message.id);
    if (dlqName === undefined) {
      await this.journal?.delete(message.id);
      return;
    }
    // Same message id and body, as SQS keeps them; counts start over in the dead-letter queue.
    const moved: StoredMessage = {
      ...message,
      queue: dlqName,
      visibleAt: this.now(),
      receiveCount: 0,
      receipt: undefined,
      firstReceivedAt: undefined,
      deadLetterQueueSourceArn: source.arn,
    };
    await this.journal?.put(moved);
    this.messages.get(dlqName)?.set(moved.id, moved);
    this.wake(dlqName, 0);
  }

  private async remove(queue: QueueRecord, receiptHandle: string): Promise<void> {
    const message = this.byReceipt(queue, receiptHandle, false);
    // An unknown or stale handle of a message already deleted succeeds, as on AWS.
    if (!message) return;
    this.messages.get(queue.name)?.delete(message.id);
    await this.journal?.delete(message.id);
  }

  private changeVisibility(queue: QueueRecord, receiptHandle: string, timeout: number): void {
    const message = this.byReceipt(queue, receiptHandle, true);
    if (!message || message.visibleAt <= this.now()) {
      throw new AwsServiceError(
        "MessageNotInflight",
        "Value for parameter ReceiptHandle is invalid. Reason: Message is not in flight.",
      );
    }
    message.visibleAt = this.now() + timeout * 1000;
    this.wake(queue.name, timeout * 1000);
  }

  private byReceipt(queue: QueueRecord, receiptHandle: string, current: boolean): StoredMessage | undefined {
    const id = receiptHandle.split("#")[0] ?? "";
    if (!/^[0-9a-f-]{36}$/.test(id)) {
      throw new AwsServiceError(
        "ReceiptHandleIsInvalid",
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    const message = this.messages.get(queue.name)?.get(id);
    if (message && current && message.receipt !== receiptHandle) return undefined;
    return message;
  }

  private async dropMessages(queueName: string): Promise<void> {
    const messages = this.messages.get(queueName);
    for (const id of messages?.keys() ?? []) await this.journal?.delete(id);
    messages?.clear();
  }

  private waitForMessages(queueName: string, deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(queueName) ?? new Set();
      this.waiters.set(queueName, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - this.now()));
      set.add(done);
    });
  }

  /** Wakes long pollers now, or when a message becomes visible after `afterMs`. */
  private wake(queueName: string, afterMs: number): void {
    const fire = () => {
      for (const wake of [...(this.waiters.get(queueName) ?? [])]) wake();
    };
    if (afterMs <= 0) fire();
    else setTimeout(fire, afterMs + 1).unref();
  }

  private checkRedrivePolicy(attributes: QueueAttributes): void {
    if (attributes.RedrivePolicy === undefined) return;
    let policy: unknown;
    try {
      policy = JSON.parse(attributes.RedrivePolicy);
    } catch {
      policy = undefined;
    }
    if (!RedrivePolicy.safeParse(policy).success) {
      throw new AwsServiceError("InvalidParameterValue", "Value for parameter RedrivePolicy is invalid.");
    }
  }

  private requireQueue(name: string): QueueRecord {
    const queue = this.queues.get(name);
    if (!queue) throw new AwsServiceError("QueueDoesNotExist", "The specified queue does not exist.");
    return queue;
  }

  /** The queue of a URL: its last path segment names it (host and account are not checked). */
  private queueOfUrl(url: string): QueueRecord {
    return this.requireQueue(url.split("/").filter(Boolean).at(-1) ?? "");
  }

  private async load(): Promise<void> {
    const stored = await this.snapshot?.load();
    if (stored !== undefined) {
      for (const queue of Snapshot.parse(stored).queues) {
        this.queues.set(queue.name, queue);
        this.messages.set(queue.name, new Map());
      }
    }
    for (const message of (await this.journal?.open()) ?? []) {
      // After a restart every message is visible again: in-flight receipts died with the old process.
      this.messages
        .get(message.queue)
        ?.set(message.id, { ...message, visibleAt: Math.min(message.visibleAt, this.now()) });
    }
  }
}

function view(message: StoredMessage, attributeNames: string[]): ReceivedMessage {
  const all: Record<string, string | undefined> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    SenderId: LOCAL_ACCOUNT,
    DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn,
  };
  const wanted = attributeNames.includes("All") ? Object.keys(all) : attributeNames;
  const attributes: Record<string, string> = {};
  for (const name of wanted) {
    const value = all[name];
    if (value !== undefined) attributes[name] = value;
  }
  return {
    MessageId: message.id,
    ReceiptHandle: message.receipt ?? "",
    MD5OfBody: message.md5,
    Body: message.body,
    Attributes: attributes,
  };
}

function stringAttributes(attributes: QueueAttributes): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
}

function batchFailure(id: string, error: unknown) {
  const code = error instanceof AwsServiceError ? error.type : "InternalError";
  return { Id: id, Code: code, Message: (error as Error).message, SenderFault: true };
}

function parse<S extends z.ZodType>(schema: S, input: unknown, where = ""): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)].filter(Boolean).join(".");
  throw new AwsServiceError(
    "InvalidParameterValue",
    `Value for parameter ${path || "(request)"} is invalid. Reason: ${issue?.message ?? "invalid"}`,
  );
}
