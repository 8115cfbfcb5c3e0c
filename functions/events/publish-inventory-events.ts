// Stream consumer: stock item writes on the table stream -> the availability read model, then
// inventory.changed / inventory.low on the order bus (source oms.inventory). A failed PutEvents reports the batch's first record as failed, so the
// event-source mapping retries the batch; the repeated events keep their ids (consumers drop repeats).
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import middy from "@middy/core";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { z } from "zod";
import {
  INVENTORY_EVENT_SOURCE,
  inventoryDetailType,
  inventoryEventSchema,
} from "../../domain/events/inventory-events.ts";
import {
  inventorySignals,
  recordAlerts,
  recordLevels,
  type StockTouch,
} from "../../usecases/inventory-signals.ts";
import { systemClock } from "../../usecases/system-ports.ts";
import { eventBridge } from "../shared/aws-clients.ts";
import { inventoryRepository } from "../shared/dependencies.ts";
import { environment } from "../shared/environment.ts";
import { logger } from "../shared/logger.ts";

const BATCH = 10;
const deps = { inventory: inventoryRepository(), clock: systemClock };
const stockImageSchema = z.object({
  entityType: z.literal("Stock"),
  sku: z.string(),
  locationId: z.string(),
});

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  const busName = environment().EVENT_BUS_NAME;
  const touches: StockTouch[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    const item = stockImageSchema.safeParse(unmarshall(image as Record<string, AttributeValue>));
    if (!item.success) continue;
    touches.push({ ...item.data, sequenceNumber: record.dynamodb?.SequenceNumber ?? "" });
  }
  const first = event.Records[0]?.dynamodb?.SequenceNumber ?? "";
  const { levels, events, alerts } = await inventorySignals(deps, touches);
  await recordLevels(deps, levels);
  const entries: PutEventsRequestEntry[] = events.map((e) => {
    const checked = inventoryEventSchema.parse(e);
    return {
      EventBusName: busName,
      Source: INVENTORY_EVENT_SOURCE,
      DetailType: inventoryDetailType(checked),
      Detail: JSON.stringify(checked),
      Time: new Date(checked.occurredAt),
      Resources: [`oms:sku:${checked.sku}`, `oms:location:${checked.locationId}`],
    };
  });
  for (let i = 0; i < entries.length; i += BATCH) {
    try {
      const res = await eventBridge.send(new PutEventsCommand({ Entries: entries.slice(i, i + BATCH) }));
      if ((res.FailedEntryCount ?? 0) > 0) throw new Error(`${res.FailedEntryCount} entries failed`);
    } catch (error) {
      // Nothing recorded yet: the whole batch is read again and its events (same ids) published again.
      logger.warn("inventory events not published; the stream retries them", {
        error: (error as Error).message,
      });
      return { batchItemFailures: [{ itemIdentifier: first }] };
    }
  }
  await recordAlerts(deps, alerts);
  return { batchItemFailures: [] };
});
