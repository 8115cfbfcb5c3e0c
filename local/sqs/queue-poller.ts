// The local Lambda event-source mapping for SQS: for each declared queue consumer, a few concurrent
// pollers long-poll the local queue, invoke the function with the SQS event Lambda sends (batch of
// records), and delete the messages the function did not report in `batchItemFailures`. A function that
// throws leaves its whole batch on the queue, to come back after the visibility timeout (or whatever
// the function set with ChangeMessageVisibility), as Lambda does.
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { QueueConsumerDeclaration } from "../../app/app-declaration.ts";
import { type LambdaInvoker, LOCAL_REGION } from "../functions/lambda-invoker.ts";
import type { LocalSqs, ReceivedMessage } from "./sqs-service.ts";

export interface QueuePollerOptions {
  sqs: LocalSqs;
  invoker: LambdaInvoker;
  consumers: { declaration: QueueConsumerDeclaration; queueName: string }[];
  /** Long-poll wait of each receive, seconds (short so stop() is quick). */
  waitSeconds?: number;
  onError?: (message: string, error: unknown) => void;
}

export class QueuePoller {
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly options: QueuePollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const consumer of this.options.consumers) {
      for (let i = 0; i < consumer.declaration.maxConcurrency; i++) {
        this.loops.push(this.loop(consumer.declaration, consumer.queueName));
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(declaration: QueueConsumerDeclaration, queueName: string): Promise<void> {
    const arn = this.options.sqs.queueArnOf(queueName);
    while (this.running) {
      let messages: ReceivedMessage[];
      try {
        messages = await this.options.sqs.receive(queueName, {
          max: declaration.batchSize,
          waitSeconds: this.options.waitSeconds ?? 1,
        });
      } catch (error) {
        this.options.onError?.(`receive from ${queueName} failed`, error);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (messages.length === 0 || !this.running) continue;
      const event: SQSEvent = { Records: messages.map((m) => toRecord(m, arn)) };
      let failed: Set<string>;
      try {
        const result = (await this.options.invoker.invoke(declaration.functionId, event)) as
          | SQSBatchResponse
          | undefined;
        failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        this.options.onError?.(`${declaration.functionId} failed; its batch returns to ${queueName}`, error);
        continue;
      }
      for (const message of messages) {
        if (failed.has(message.MessageId)) continue;
        await this.options.sqs.deleteByReceipt(queueName, message.ReceiptHandle);
      }
    }
  }
}

function toRecord(message: ReceivedMessage, arn: string): SQSRecord {
  const a = message.Attributes;
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
      SentTimestamp: a.SentTimestamp ?? "0",
      SenderId: a.SenderId ?? "",
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? "0",
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody,
    eventSource: "aws:sqs",
    eventSourceARN: arn,
    awsRegion: LOCAL_REGION,
  };
}
