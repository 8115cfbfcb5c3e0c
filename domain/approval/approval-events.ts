// The events that record one reason's approval (requested, escalated, decided) without changing the
// order's status: each takes the order's next event sequence and bumps its version, so it is written in
// the same conditional transaction as the approval it records and never twice.
import { noteEvent } from "../events/note-event.ts";
import type { ApprovalNoteEvent } from "../events/order-events.ts";
import type { Order } from "../order/order.ts";
import { IllegalTransitionError } from "../shared/errors.ts";
import type { Approval } from "./approval.ts";

type NoteBody = Pick<ApprovalNoteEvent, "type" | "data">;

/** The order as it is after recording the event, and the event (see domain/events/note-event.ts). */
export function noteApprovalEvent(
  order: Order,
  body: NoteBody,
  at: string,
  eventId: string,
): { order: Order; event: ApprovalNoteEvent } {
  return noteEvent<ApprovalNoteEvent>(order, body, at, eventId);
}

const reasonRef = (approval: Approval) => ({
  reasonId: approval.reasonId,
  rank: approval.rank,
  ...(approval.thirdParty ? { thirdParty: { name: approval.thirdParty.name } } : {}),
});

export function requestedBody(approval: Approval, order: Order): NoteBody {
  return {
    type: "order.approval-requested",
    data: {
      ...reasonRef(approval),
      ...(approval.description ? { description: approval.description } : {}),
      dueAt: approval.dueAt,
      onTimeout: approval.onTimeout,
      ...(approval.callbackId
        ? {
            callback: { callbackId: approval.callbackId, path: `/approval-callbacks/${approval.callbackId}` },
          }
        : {}),
      total: order.total,
      currency: order.currency,
    },
  };
}

export function escalatedBody(approval: Approval): NoteBody {
  return {
    type: "order.approval-escalated",
    data: { ...reasonRef(approval), dueAt: approval.dueAt, escalatedAt: approval.escalatedAt ?? "" },
  };
}

export function decidedBody(approval: Approval): NoteBody {
  const decision = approval.status;
  if (decision !== "APPROVED" && decision !== "DECLINED" && decision !== "TIMED_OUT") {
    throw new IllegalTransitionError(approval.orderId, approval.status, "record a decision", "not decided");
  }
  return {
    type: "order.approval-decided",
    data: {
      ...reasonRef(approval),
      decision,
      actor: approval.actor ?? "system",
      ...(approval.comment === undefined ? {} : { comment: approval.comment }),
    },
  };
}
