// The envelope every order event carries (tenant, channel, order, per-order sequence, id), and events
// recorded beside a transition without changing the order's status (an approval requested or decided, a
// part sent to a location): each takes the order's next event sequence and bumps its version, so it is
// written in the same conditional transaction as what it records, and never twice.
import type { Order } from "../order/order.ts";
import type { ApprovalNoteEvent, SubmissionNoteEvent } from "./order-events.ts";

export type NoteEvent = ApprovalNoteEvent | SubmissionNoteEvent;

/** The fields of an order event other than its type and data: numbered `sequence` within the order. */
export function eventEnvelope(
  order: Pick<Order, "merchantId" | "channelId" | "orderId">,
  sequence: number,
  at: string,
  eventId: string,
) {
  return {
    eventId,
    version: 1 as const,
    occurredAt: at,
    merchantId: order.merchantId,
    channelId: order.channelId,
    orderId: order.orderId,
    sequence,
  };
}

/** The order as it is after recording the event, and the event. */
export function noteEvent<E extends NoteEvent>(
  order: Order,
  body: Pick<E, "type" | "data">,
  at: string,
  eventId: string,
): { order: Order; event: E } {
  const next: Order = { ...order, version: order.version + 1, eventSequence: order.eventSequence + 1 };
  const event = { ...eventEnvelope(order, next.eventSequence, at, eventId), ...body } as E;
  return { order: next, event };
}
