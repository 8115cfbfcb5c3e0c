// The outbox relay: new order-event items on the table stream -> PutEvents on the order bus, in stream
// order, ten at a time. A failed entry reports its record as a batch item failure, so the event-source
// mapping retries from there: delivery is at least once, and consumers drop repeats by eventId.

import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import middy from "@middy/core";
import type {
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  AttributeValue as StreamAttributeValue,
} from "aws-lambda";
import { detailTypeOf, EVENT_SOURCE, orderEventSchema } from "../../domain/events/order-events.ts";
import { eventBridge } from "../shared/aws-clients.ts";
import { environment } from "../shared/environment.ts";
import { logger } from "../shared/logger.ts";

const BATCH = 10;

interface Pending {
  sequenceNumber: string;
  entry: PutEventsRequestEntry;
}

function toEntry(
  image: Record<string, StreamAttributeValue>,
  busName: string,
): PutEventsRequestEntry | undefined {
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.entityType !== "OrderEvent") return undefined;
  const event = orderEventSchema.parse(item.event);
  return {
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: detailTypeOf(event),
    Detail: JSON.stringify(event),
    Time: new Date(event.occurredAt),
    Resources: [`oms:order:${event.orderId}`],
  };
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  const busName = environment().EVENT_BUS_NAME;
  const pending: Pending[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? "";
    if (record.eventName !== "INSERT" || !image) continue;
    const entry = toEntry(image, busName);
    if (entry) pending.push({ sequenceNumber, entry });
  }
  for (let i = 0; i < pending.length; i += BATCH) {
    const batch = pending.slice(i, i + BATCH);
    let failedAt = -1;
    try {
      const res = await eventBridge.send(new PutEventsCommand({ Entries: batch.map((p) => p.entry) }));
      failedAt = (res.Entries ?? []).findIndex((e) => e.ErrorCode);
      if ((res.FailedEntryCount ?? 0) > 0 && failedAt < 0) failedAt = 0;
    } catch (error) {
      logger.warn("PutEvents failed", { error: (error as Error).message });
      failedAt = 0;
    }
    if (failedAt >= 0) {
      // Everything from the first failure on is retried; entries before it were delivered.
      const first = batch[failedAt]?.sequenceNumber ?? "";
      logger.warn("order events not published; the stream retries them", { from: first });
      return { batchItemFailures: [{ itemIdentifier: first }] };
    }
  }
  return { batchItemFailures: [] };
});
