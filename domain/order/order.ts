// The order aggregate: its stored shape (zod, so items read back from the table are parsed, not cast)
// and its creation from a channel's input. Positions live inside the order (one item per order, see
// docs/access-patterns.md for why).
import { z } from "zod";
import { approvalReasonSchema } from "../approval/approval-reasons.ts";
import type { Channel } from "./channel.ts";
import { addressSchema, type OrderInput, orderTypeSchema } from "./order-input.ts";

export const ORDER_STATUSES = [
  "INITIAL",
  "VALIDATED",
  "REJECTED",
  "NOT_ANNOUNCED",
  "ROUTED",
  "SUBMITTED",
  "EXCEPTION",
  "AWAITING_APPROVAL",
  "DECLINED",
] as const;
export const orderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

export const POSITION_STATUSES = ["OPEN", "ASSIGNED", "SUBMITTED", "NOT_ANNOUNCED"] as const;
export const positionStatusSchema = z.enum(POSITION_STATUSES);

export const positionSchema = z.object({
  lineId: z.string(),
  sku: z.string(),
  name: z.string().optional(),
  quantity: z.number().int().positive(),
  unitPrice: z.number().nonnegative(),
  category: z.string().optional(),
  weight: z.number().nonnegative().optional(),
  hazardous: z.boolean().optional(),
  status: positionStatusSchema,
  locationId: z.string().optional(),
  /** Assigned without a reservation: no visible location had the stock (the channel backorders). */
  backordered: z.boolean().optional(),
  /** Why routing found no location for it (the order is NOT_ANNOUNCED). */
  notAnnouncedReason: z.string().optional(),
});
export type Position = z.infer<typeof positionSchema>;

export const timelineEntrySchema = z.object({
  status: orderStatusSchema,
  action: z.string(),
  at: z.string(),
  note: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const orderExceptionSchema = z.object({
  previousStatus: orderStatusSchema,
  error: z.string(),
  cause: z.string(),
  at: z.string(),
  executionArn: z.string().optional(),
});

export const orderSchema = z.object({
  orderId: z.string(),
  merchantId: z.string(),
  channelId: z.string(),
  channelOrderRef: z.string(),
  orderType: orderTypeSchema,
  status: orderStatusSchema,
  currency: z.string(),
  placedAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  customer: z.object({
    id: z.string().optional(),
    email: z.string(),
    name: z.string(),
    tier: z.string().optional(),
  }),
  shippingAddress: addressSchema,
  billingAddress: addressSchema.optional(),
  paymentMethod: z.string(),
  tags: z.array(z.string()),
  positions: z.array(positionSchema).min(1),
  total: z.number(),
  timeline: z.array(timelineEntrySchema),
  rejection: z.object({ reasons: z.array(z.string()) }).optional(),
  exception: orderExceptionSchema.optional(),
  /** The approval steps planned for the order (a snapshot of the reasons that applied, by rank). */
  approval: z
    .object({ steps: z.array(z.object({ rank: z.number(), reasons: z.array(approvalReasonSchema) })) })
    .optional(),
  /** Why approval declined the order (status DECLINED). */
  decline: z.object({ reasonId: z.string(), actor: z.string(), comment: z.string().optional() }).optional(),
  /** The workflow execution that last moved the order on: operators' link to its history. */
  executionArn: z.string().optional(),
  /** Optimistic-lock counter: every write is conditional on the version it read. */
  version: z.number().int().nonnegative(),
  /** Sequence number of the order's last event; events are numbered 1, 2, 3... per order. */
  eventSequence: z.number().int().nonnegative(),
});
export type Order = z.infer<typeof orderSchema>;

/** Money in minor units is overkill for a placeholder total; round to cents to keep sums stable. */
const roundCents = (n: number): number => Math.round(n * 100) / 100;

export function createOrder(input: OrderInput, channel: Channel, orderId: string, now: string): Order {
  const positions: Position[] = input.positions.map((p, i) => ({
    lineId: p.lineId ?? String(i + 1),
    sku: p.sku,
    ...(p.name === undefined ? {} : { name: p.name }),
    quantity: p.quantity,
    unitPrice: p.unitPrice,
    ...(p.category === undefined ? {} : { category: p.category }),
    ...(p.weight === undefined ? {} : { weight: p.weight }),
    ...(p.hazardous === undefined ? {} : { hazardous: p.hazardous }),
    status: "OPEN",
  }));
  return {
    orderId,
    merchantId: channel.merchantId,
    channelId: channel.channelId,
    channelOrderRef: input.channelOrderRef,
    orderType: input.orderType,
    status: "INITIAL",
    currency: input.currency,
    placedAt: input.placedAt ?? now,
    createdAt: now,
    updatedAt: now,
    customer: input.customer,
    shippingAddress: input.shippingAddress,
    ...(input.billingAddress ? { billingAddress: input.billingAddress } : {}),
    paymentMethod: input.paymentMethod,
    tags: input.tags ?? [],
    positions,
    total: roundCents(positions.reduce((sum, p) => sum + p.quantity * p.unitPrice, 0)),
    timeline: [{ status: "INITIAL", action: "capture", at: now }],
    version: 1,
    eventSequence: 0,
  };
}
