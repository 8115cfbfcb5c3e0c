// Webhook delivery, fed by the delivery queue's event-source mapping (SQS on AWS, the local poller on one
// machine): signs and POSTs each message's event. A failed delivery gets its next attempt through
// ChangeMessageVisibility (exponential backoff) and is reported in batchItemFailures; the others are
// deleted by the mapping. Dead letters are written by the use case.
import { ChangeMessageVisibilityBatchCommand } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { deliverBatch } from "../../usecases/webhook-delivery.ts";
import { sqs } from "../shared/aws-clients.ts";
import { webhookDeliveryDeps } from "../shared/dependencies.ts";
import { environment } from "../shared/environment.ts";
import { logger } from "../shared/logger.ts";

const deps = {
  ...webhookDeliveryDeps(),
  log: (message: string, details: Record<string, unknown>) => logger.warn(message, details),
};

export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const records = new Map(event.Records.map((r) => [r.messageId, r]));
  const outcomes = await deliverBatch(
    deps,
    event.Records.map((r) => ({
      messageId: r.messageId,
      body: r.body,
      attempt: Number(r.attributes.ApproximateReceiveCount) || 1,
      queuedAt: Number(r.attributes.SentTimestamp) || Date.now(),
    })),
  );
  const retries = outcomes.flatMap((o) => (o.outcome === "RETRY" ? [o] : []));
  if (retries.length > 0) {
    const queueUrl = environment().QUEUE_URL_WEBHOOK_DELIVERIES;
    for (let i = 0; i < retries.length; i += 10) {
      const entries = retries.slice(i, i + 10).map((retry, index) => ({
        Id: String(index),
        ReceiptHandle: records.get(retry.messageId)?.receiptHandle ?? "",
        VisibilityTimeout: retry.delaySeconds,
      }));
      // If the backoff cannot be set, the message still returns after the queue's visibility timeout.
      await sqs
        .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }))
        .catch((error: unknown) => logger.warn("backoff not set", { error: (error as Error).message }));
    }
  }
  return { batchItemFailures: retries.map((r) => ({ itemIdentifier: r.messageId })) };
});
