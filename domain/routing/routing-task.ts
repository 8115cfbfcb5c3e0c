// Manual routing tasks: when DOSE leaves positions CHECK_ANNOUNCED (stock exists, but no rule set could
// keep its limits) or NOT_ANNOUNCED (no stock, and the channel does not cancel), one task per order asks
// an operator to assign them (validated against stock and reserved) or to cancel the order.
import { z } from "zod";
import { locationIdSchema } from "../inventory/location.ts";

export const ROUTING_TASK_STATUSES = ["OPEN", "COMPLETED", "CANCELLED"] as const;
export type RoutingTaskStatus = (typeof ROUTING_TASK_STATUSES)[number];

export const routingTaskSchema = z.object({
  /** One routing task per order: its id is the order id. */
  taskId: z.string(),
  orderId: z.string(),
  merchantId: z.string(),
  channelId: z.string(),
  kind: z.enum(["CHECK_ANNOUNCED", "NOT_ANNOUNCED"]),
  status: z.enum(ROUTING_TASK_STATUSES),
  positions: z.array(
    z.object({
      lineId: z.string(),
      sku: z.string(),
      quantity: z.number().int().positive(),
      reason: z.string(),
      /** Locations that hold the SKU (from the routing trace), for the operator's choice. */
      candidates: z.array(z.string()),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolution: z
    .object({
      by: z.enum(["ASSIGNED", "CANCELLED"]),
      at: z.string(),
      note: z.string().optional(),
    })
    .optional(),
});
export type RoutingTask = z.infer<typeof routingTaskSchema>;

/** POST /routing/tasks/{taskId}/complete: a location (and quantities) for every open position. */
export const completeRoutingTaskSchema = z.strictObject({
  assignments: z
    .array(
      z.strictObject({
        lineId: z.string().min(1).max(64),
        allocations: z
          .array(z.strictObject({ locationId: locationIdSchema, quantity: z.number().int().positive() }))
          .min(1)
          .max(20),
      }),
    )
    .min(1)
    .max(500),
  note: z.string().max(500).optional(),
});
export type CompleteRoutingTask = z.infer<typeof completeRoutingTaskSchema>;

/** POST /routing/tasks/{taskId}/cancel: the order is cancelled. */
export const cancelRoutingTaskSchema = z.strictObject({ reason: z.string().min(1).max(500) });
