// The inventory event catalogue: one zod schema per type and version. An event carries the levels of one
// SKU at one location as they are after the change (level-triggered: a consumer that missed one event
// is repaired by the next). On the bus the source is "oms.inventory" and the detail-type
// `${type}.v${version}`; eventId is derived from the stream record, so a repeated delivery keeps its id.
import { z } from "zod";

export const INVENTORY_EVENT_SOURCE = "oms.inventory";

const levels = {
  onHand: z.number().int(),
  reserved: z.number().int(),
  safetyStock: z.number().int(),
  /** What channels see: max(0, onHand - reserved - safetyStock). */
  available: z.number().int().nonnegative(),
};

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    eventId: z.string().min(1),
    type: z.literal(type),
    version: z.literal(1),
    occurredAt: z.string(),
    sku: z.string(),
    locationId: z.string(),
    data,
  });

export const inventoryChangedV1 = envelope(
  "inventory.changed",
  z.object({
    ...levels,
    /** Units missing when a count found fewer than are reserved plus safety stock (0 normally). */
    shortfall: z.number().int().nonnegative(),
  }),
);

export const inventoryLowV1 = envelope(
  "inventory.low",
  z.object({ ...levels, lowStockThreshold: z.number().int().nonnegative() }),
);

export const inventoryEventSchemas = [inventoryChangedV1, inventoryLowV1] as const;
export const inventoryEventSchema = z.discriminatedUnion("type", inventoryEventSchemas);
export type InventoryEvent = z.infer<typeof inventoryEventSchema>;

export const inventoryDetailType = (event: Pick<InventoryEvent, "type" | "version">): string =>
  `${event.type}.v${event.version}`;
