// The order aggregate: its stored shape (zod, so items read back from the table are parsed, not cast)
// and its creation from a channel's input. Positions live inside the order (one item per order, see
// docs/access-patterns.md for why).
import { z } from "zod";
import { approvalReasonSchema } from "../approval/approval-reasons.ts";
import { temporaryResponseSchema } from "../fulfillment/order-response.ts";
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
  "CHECK_ANNOUNCED",
  "CANCELLED",
  /** A channel in wave mode: validated, waiting for the next routing wave (docs/routing.md). */
  "AWAITING_WAVE",
  "AWAITING_APPROVAL",
  "DECLINED",
  /** Submitted to locations that answer: waiting until every position is accepted somewhere. */
  "AWAITING_ACCEPTANCE",
] as const;
export const orderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

export const POSITION_STATUSES = [
  "OPEN",
  "ASSIGNED",
  /** Sent to its location(s), whose answer is awaited. */
  "AWAITING_ACCEPTANCE",
  /** Accepted by every location it was sent to (or handed over to one that does not answer). */
  "SUBMITTED",
  "NOT_ANNOUNCED",
  "CHECK_ANNOUNCED",
  "CANCELLED",
] as const;
export const positionStatusSchema = z.enum(POSITION_STATUSES);

/** Units of a position at one location (routing may split a position over several). */
export const allocationSchema = z.object({
  locationId: z.string(),
  quantity: z.number().int().positive(),
  /** Planned by routing: the location's shipping day and the delivery day it promises. */
  shipDate: z.string().optional(),
  deliveryDate: z.string().optional(),
  /** The location accepted its units (submission). */
  accepted: z.boolean().optional(),
});
export type PositionAllocation = z.infer<typeof allocationSchema>;

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
  /** The location of a position assigned to one location (absent when it is split: see allocations). */
  locationId: z.string().optional(),
  /** Where the position's units come from (set by routing; one entry unless it is split). */
  allocations: z.array(allocationSchema).optional(),
  /** The rule set version that assigned it (absent: manual assignment or before rule sets). */
  routedBy: z.object({ ruleSetId: z.string(), version: z.number().int().nonnegative() }).optional(),
  /** Why routing left it to an operator (the order is CHECK_ANNOUNCED). */
  checkAnnouncedReason: z.string().optional(),
  /** Assigned without a reservation: no visible location had the stock (the channel backorders). */
  backordered: z.boolean().optional(),
  /** Why routing found no location for it (the order is NOT_ANNOUNCED). */
  notAnnouncedReason: z.string().optional(),
  /** Locations that rejected it on submission: routing does not offer them again (re-allocation). */
  rejections: z.array(z.object({ locationId: z.string(), reason: z.string(), at: z.string() })).optional(),
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
  /** What routed the order: the rule set versions (DOSE) and whether an operator completed it. */
  routing: z
    .object({
      ruleSets: z.array(z.object({ ruleSetId: z.string(), version: z.number().int().nonnegative() })),
      routedAt: z.string(),
      manual: z.boolean().optional(),
    })
    .optional(),
  /** Why the order was cancelled. */
  cancellation: z.object({ reason: z.string(), at: z.string() }).optional(),
  /** The temporary order response last sent to the channel (GET /orders/{orderId}/response). */
  response: temporaryResponseSchema.optional(),
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

/** A position's allocations, also for positions stored before allocations existed (one location). */
export function allocationsOf(position: Pick<Position, "allocations" | "locationId" | "quantity">) {
  if (position.allocations) return position.allocations;
  return position.locationId ? [{ locationId: position.locationId, quantity: position.quantity }] : [];
}

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
