// The order event catalogue: one zod schema per event type and version. Every event carries the merchant
// (tenant), channel, order id, a per-order sequence number and an event id, so consumers can scope,
// deduplicate (eventId) and re-order (sequence). On the bus the detail-type is `${type}.v${version}`.
import { z } from "zod";
import { temporaryResponseSchema } from "../fulfillment/order-response.ts";
import { orderStatusSchema } from "../order/order.ts";

export const EVENT_SOURCE = "oms.orders";

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    eventId: z.string().min(1),
    type: z.literal(type),
    version: z.literal(1),
    occurredAt: z.string(),
    merchantId: z.string(),
    channelId: z.string(),
    orderId: z.string(),
    sequence: z.number().int().positive(),
    data,
  });

const statusChange = { status: orderStatusSchema, previousStatus: orderStatusSchema.optional() };

export const orderCreatedV1 = envelope(
  "order.created",
  z.object({
    ...statusChange,
    orderType: z.string(),
    channelOrderRef: z.string(),
    currency: z.string(),
    total: z.number(),
    positions: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number() })),
  }),
);
export const orderValidatedV1 = envelope("order.validated", z.object(statusChange));
export const orderRejectedV1 = envelope(
  "order.rejected",
  z.object({ ...statusChange, reasons: z.array(z.string()) }),
);
export const orderRoutedV1 = envelope(
  "order.routed",
  z.object({
    ...statusChange,
    assignments: z.array(
      z.object({
        lineId: z.string(),
        locationId: z.string(),
        quantity: z.number(),
        /** Assigned without a reservation (no visible location had the stock). Absent = reserved. */
        backordered: z.boolean().optional(),
      }),
    ),
    /** An operator assigned the positions routing could not (a manual routing task). */
    manual: z.boolean().optional(),
  }),
);
export const orderNotAnnouncedV1 = envelope(
  "order.not-announced",
  z.object({
    ...statusChange,
    positions: z.array(
      z.object({ lineId: z.string(), sku: z.string(), quantity: z.number(), reason: z.string() }),
    ),
  }),
);
export const orderSubmittedV1 = envelope(
  "order.submitted",
  z.object({ ...statusChange, locationIds: z.array(z.string()) }),
);
export const orderExceptionV1 = envelope(
  "order.exception",
  z.object({ ...statusChange, error: z.string(), cause: z.string(), executionArn: z.string().optional() }),
);
export const orderRecoveredV1 = envelope("order.recovered", z.object(statusChange));
/** The temporary order response: per line the assigned location(s), availability, planned date, prices. */
export const orderResponseV1 = envelope(
  "order.response",
  z.object({ ...statusChange, ...temporaryResponseSchema.omit({ orderId: true }).shape }),
);

export const orderCheckAnnouncedV1 = envelope(
  "order.check-announced",
  z.object({
    ...statusChange,
    positions: z.array(
      z.object({ lineId: z.string(), sku: z.string(), quantity: z.number(), reason: z.string() }),
    ),
  }),
);
export const orderCancelledV1 = envelope(
  "order.cancelled",
  z.object({ ...statusChange, reason: z.string() }),
);
/** The channel routes in waves: the order waits for the next scheduled wave (docs/routing.md). */
export const orderAwaitingWaveV1 = envelope("order.awaiting-wave", z.object(statusChange));

export const orderEventSchemas = [
  orderCreatedV1,
  orderValidatedV1,
  orderRejectedV1,
  orderRoutedV1,
  orderNotAnnouncedV1,
  orderSubmittedV1,
  orderExceptionV1,
  orderRecoveredV1,
  orderCheckAnnouncedV1,
  orderCancelledV1,
  orderAwaitingWaveV1,
  orderResponseV1,
] as const;

export const orderEventSchema = z.discriminatedUnion("type", orderEventSchemas);
export type OrderEvent = z.infer<typeof orderEventSchema>;
export type OrderEventType = OrderEvent["type"];

export const detailTypeOf = (event: Pick<OrderEvent, "type" | "version">): string =>
  `${event.type}.v${event.version}`;
