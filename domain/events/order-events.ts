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

export const orderAwaitingApprovalV1 = envelope(
  "order.awaiting-approval",
  z.object({
    ...statusChange,
    /** The approval steps in order: equal rank = parallel reasons, ascending ranks = sequential. */
    steps: z.array(z.object({ rank: z.number(), reasonIds: z.array(z.string()) })),
  }),
);
const approvalReasonRef = {
  reasonId: z.string(),
  rank: z.number(),
  /** Present when a third party answers this reason. */
  thirdParty: z.object({ name: z.string() }).optional(),
};
export const orderApprovalRequestedV1 = envelope(
  "order.approval-requested",
  z.object({
    ...approvalReasonRef,
    description: z.string().optional(),
    /** When the reason times out, and what happens then. */
    dueAt: z.string(),
    onTimeout: z.enum(["ESCALATE", "DECLINE"]),
    /** A third party answers with POST <API>/approval-callbacks/{callbackId}: {decision, actor, comment}. */
    callback: z.object({ callbackId: z.string(), path: z.string() }).optional(),
    total: z.number(),
    currency: z.string(),
  }),
);
export const orderApprovalEscalatedV1 = envelope(
  "order.approval-escalated",
  z.object({ ...approvalReasonRef, dueAt: z.string(), escalatedAt: z.string() }),
);
export const orderApprovalDecidedV1 = envelope(
  "order.approval-decided",
  z.object({
    ...approvalReasonRef,
    decision: z.enum(["APPROVED", "DECLINED", "TIMED_OUT"]),
    actor: z.string(),
    comment: z.string().optional(),
  }),
);
export const orderApprovedV1 = envelope(
  "order.approved",
  z.object({
    ...statusChange,
    reasonIds: z.array(z.string()),
    /** True: routing runs again (status VALIDATED) before the order goes on. */
    reroute: z.boolean(),
  }),
);
export const orderDeclinedV1 = envelope(
  "order.declined",
  z.object({ ...statusChange, reasonId: z.string(), actor: z.string(), comment: z.string().optional() }),
);

const submissionLine = z.object({
  lineId: z.string(),
  sku: z.string(),
  name: z.string().optional(),
  quantity: z.number(),
  unitPrice: z.number(),
});
/**
 * One location's part of the order, sent to it (EVENTBRIDGE locations subscribe to this event with a rule
 * on detail.data.locationId; WEBHOOK locations get it POSTed, signed; PULL locations list it).
 */
export const orderSubmissionRequestedV1 = envelope(
  "order.submission-requested",
  z.object({
    locationId: z.string(),
    round: z.number(),
    channel: z.enum(["EVENTBRIDGE", "WEBHOOK", "PULL"]),
    /** EXPLICIT: answer with POST <API><answerPath> by dueAt; ON_DISPATCH: no answer expected. */
    acknowledgement: z.enum(["EXPLICIT", "ON_DISPATCH"]),
    channelOrderRef: z.string(),
    currency: z.string(),
    lines: z.array(submissionLine),
    shippingAddress: z.record(z.string(), z.unknown()),
    customer: z.object({ name: z.string(), email: z.string() }),
    dueAt: z.string(),
    answerPath: z.string(),
  }),
);
/** Submitted where locations answer: the order waits for their acceptance (awaitingLocationIds). */
export const orderAwaitingAcceptanceV1 = envelope(
  "order.awaiting-acceptance",
  z.object({ ...statusChange, locationIds: z.array(z.string()), awaitingLocationIds: z.array(z.string()) }),
);
/** A location's answer; rejected lines go back to routing without it (status VALIDATED: re-allocation). */
export const orderSubmissionAnsweredV1 = envelope(
  "order.submission-answered",
  z.object({
    ...statusChange,
    locationId: z.string(),
    actor: z.string(),
    accepted: z.array(z.string()),
    rejected: z.array(z.object({ lineId: z.string(), reason: z.string() })),
    /** Other locations' parts of a rejected (split) position, withdrawn with it. */
    withdrawn: z.array(z.object({ lineId: z.string(), locationId: z.string() })),
  }),
);
/** A part was not answered in time: escalated to operators, or re-allocated as rejected (onOverdue). */
export const orderSubmissionOverdueV1 = envelope(
  "order.submission-overdue",
  z.object({
    ...statusChange,
    locationId: z.string(),
    dueAt: z.string(),
    onOverdue: z.enum(["ESCALATE", "REALLOCATE"]),
  }),
);

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
  orderAwaitingApprovalV1,
  orderApprovalRequestedV1,
  orderApprovalEscalatedV1,
  orderApprovalDecidedV1,
  orderApprovedV1,
  orderDeclinedV1,
  orderSubmissionRequestedV1,
  orderAwaitingAcceptanceV1,
  orderSubmissionAnsweredV1,
  orderSubmissionOverdueV1,
] as const;

export const orderEventSchema = z.discriminatedUnion("type", orderEventSchemas);
export type OrderEvent = z.infer<typeof orderEventSchema>;
export type OrderEventType = OrderEvent["type"];
/** Events that record a reason's approval without changing the order's status. */
export type ApprovalNoteEvent = Extract<
  OrderEvent,
  { type: "order.approval-requested" | "order.approval-escalated" | "order.approval-decided" }
>;
/** The part sent to a location: recorded beside the submit transition, one per location. */
export type SubmissionNoteEvent = Extract<OrderEvent, { type: "order.submission-requested" }>;
/** Events that record a status change (every lifecycle transition emits one). */
export type StatusChangeEvent = Exclude<OrderEvent, ApprovalNoteEvent | SubmissionNoteEvent>;

export const detailTypeOf = (event: Pick<OrderEvent, "type" | "version">): string =>
  `${event.type}.v${event.version}`;
