// The webhook delivery queue (SQS): redeliveries and dead-letter redrives are sent here in batches of
// ten, the same message shape the subscription rules' input transformer produces.
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeliveryMessage, DeliveryQueue } from "../../usecases/ports.ts";

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: DeliveryMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message),
          })),
        }),
      );
      if ((result.Failed ?? []).length > 0) {
        throw new Error(`SendMessageBatch: ${result.Failed?.length} of ${batch.length} messages not queued`);
      }
    }
  }
}
