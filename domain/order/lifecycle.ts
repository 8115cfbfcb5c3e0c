// The order lifecycle as a table: which action may move an order from which status to which, the guard
// that can refuse it (with a reason), and the event it records. Step Functions performs the side
// effects; this table alone decides legality. applyAction is pure: same order + command -> same result.
import type { ApprovalReason } from "../approval/approval-reasons.ts";
import type { OrderEvent, StatusChangeEvent } from "../events/order-events.ts";
import { IllegalTransitionError } from "../shared/errors.ts";
import { ORDER_STATUSES, type Order, type OrderStatus } from "./order.ts";

export type OrderCommand =
  | { action: "validate" }
  | { action: "reject"; reasons: string[] }
  | { action: "route"; assignments: { lineId: string; locationId: string; backordered?: boolean }[] }
  | { action: "not-announce"; positions: { lineId: string; reason: string }[] }
  | { action: "submit" }
  | { action: "raise-exception"; error: string; cause: string; executionArn?: string }
  | { action: "recover" }
  | { action: "request-approval"; steps: { rank: number; reasons: ApprovalReason[] }[] }
  | { action: "approve"; reasonIds: string[]; reroute: boolean }
  | { action: "decline"; reasonId: string; actor: string; comment?: string | undefined };
export type OrderAction = OrderCommand["action"];

type CommandOf<A extends OrderAction> = Extract<OrderCommand, { action: A }>;

interface TransitionRule<A extends OrderAction> {
  from: readonly OrderStatus[];
  /**
   * Target status, or a function of the order and command (recover returns to where the exception struck;
   * approve goes back to routing when a reason asks for it).
   */
  to: OrderStatus | ((order: Order, command: CommandOf<A>) => OrderStatus);
  /** Returns why the transition is refused, or undefined when it may happen. */
  guard?: (order: Order, command: CommandOf<A>) => string | undefined;
}

const ACTIVE: readonly OrderStatus[] = ["INITIAL", "VALIDATED", "ROUTED", "AWAITING_APPROVAL"];

export const ORDER_LIFECYCLE: { [A in OrderAction]: TransitionRule<A> } = {
  validate: { from: ["INITIAL"], to: "VALIDATED" },
  reject: {
    from: ["INITIAL"],
    to: "REJECTED",
    guard: (_o, c) => (c.reasons.length === 0 ? "a rejection needs at least one reason" : undefined),
  },
  route: {
    from: ["VALIDATED"],
    to: "ROUTED",
    guard: (order, c) => {
      const assigned = new Set(c.assignments.map((a) => a.lineId));
      const missing = order.positions.filter((p) => !assigned.has(p.lineId)).map((p) => p.lineId);
      if (missing.length > 0) return `positions without a location: ${missing.join(", ")}`;
      const unknown = c.assignments.filter((a) => !order.positions.some((p) => p.lineId === a.lineId));
      return unknown.length > 0 ? `unknown positions: ${unknown.map((a) => a.lineId).join(", ")}` : undefined;
    },
  },
  // IOM's NOT_ANNOUNCED: no location can deliver a position and the channel does not backorder. Terminal
  // for now (a cancel action, when it comes, leaves it); the route step releases the order's reservations.
  "not-announce": {
    from: ["VALIDATED"],
    to: "NOT_ANNOUNCED",
    guard: (order, c) => {
      if (c.positions.length === 0) return "not announcing needs at least one position without a location";
      const unknown = c.positions.filter((p) => !order.positions.some((o) => o.lineId === p.lineId));
      return unknown.length > 0 ? `unknown positions: ${unknown.map((p) => p.lineId).join(", ")}` : undefined;
    },
  },
  submit: {
    from: ["ROUTED"],
    to: "SUBMITTED",
    guard: (order) => (order.positions.every((p) => p.locationId) ? undefined : "a position has no location"),
  },
  // From EXCEPTION too: a retry that fails again replaces the cause (and keeps where the order stood).
  "raise-exception": { from: [...ACTIVE, "EXCEPTION"], to: "EXCEPTION" },
  recover: {
    from: ["EXCEPTION"],
    to: (order) => order.exception?.previousStatus ?? "INITIAL",
  },
  // Approval (domain/approval): a routed order for which approval reasons apply waits for them.
  "request-approval": {
    from: ["ROUTED"],
    to: "AWAITING_APPROVAL",
    guard: (_o, c) => (c.steps.length === 0 ? "approval needs at least one reason" : undefined),
  },
  // Approved: on to submission (ROUTED), or back to routing (VALIDATED) when a reason asks for it.
  approve: { from: ["AWAITING_APPROVAL"], to: (_o, c) => (c.reroute ? "VALIDATED" : "ROUTED") },
  decline: { from: ["AWAITING_APPROVAL"], to: "DECLINED" },
};

/** Statuses no action leaves. */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter(
  (status) => !Object.values(ORDER_LIFECYCLE).some((rule) => rule.from.includes(status)),
);

export const isTerminal = (status: OrderStatus): boolean => TERMINAL_STATUSES.includes(status);

/** Why `command` may not run on `order` now, or undefined when it may. */
export function refusal(order: Order, command: OrderCommand): string | undefined {
  const rule = ORDER_LIFECYCLE[command.action] as TransitionRule<OrderAction>;
  if (!rule.from.includes(order.status)) {
    return `allowed only from ${rule.from.join(", ")}; the order is ${order.status}`;
  }
  return rule.guard?.(order, command);
}

/**
 * True when the action's effect is already recorded: the last timeline entry is this action. Tasks
 * check this first so a re-run after a crash (or a Step Functions retry) changes nothing twice.
 */
export function alreadyApplied(order: Order, action: OrderAction): boolean {
  return order.timeline.at(-1)?.action === action;
}

export interface Applied {
  order: Order;
  event: StatusChangeEvent;
}

/** Applies a command: the next order state and the event recording it. Throws IllegalTransitionError. */
export function applyCommand(order: Order, command: OrderCommand, at: string, eventId: string): Applied {
  const reason = refusal(order, command);
  if (reason) throw new IllegalTransitionError(order.orderId, order.status, command.action, reason);
  const rule = ORDER_LIFECYCLE[command.action] as TransitionRule<OrderAction>;
  const to = typeof rule.to === "function" ? rule.to(order, command) : rule.to;
  const next: Order = {
    ...order,
    status: to,
    updatedAt: at,
    version: order.version + 1,
    eventSequence: order.eventSequence + 1,
    timeline: [...order.timeline, { status: to, action: command.action, at }],
  };
  const base = {
    eventId,
    version: 1 as const,
    occurredAt: at,
    merchantId: order.merchantId,
    channelId: order.channelId,
    orderId: order.orderId,
    sequence: next.eventSequence,
  };
  const statusChange = { status: to, previousStatus: order.status };
  switch (command.action) {
    case "validate":
      return { order: next, event: { ...base, type: "order.validated", data: statusChange } };
    case "reject":
      next.rejection = { reasons: command.reasons };
      return {
        order: next,
        event: { ...base, type: "order.rejected", data: { ...statusChange, reasons: command.reasons } },
      };
    case "route": {
      const byLine = new Map(command.assignments.map((a) => [a.lineId, a]));
      next.positions = order.positions.map((p) => {
        const assignment = byLine.get(p.lineId);
        return {
          ...p,
          status: "ASSIGNED",
          locationId: assignment?.locationId,
          ...(assignment?.backordered ? { backordered: true } : {}),
        };
      });
      const assignments = next.positions.map((p) => ({
        lineId: p.lineId,
        locationId: p.locationId ?? "",
        quantity: p.quantity,
        ...(p.backordered ? { backordered: true } : {}),
      }));
      return {
        order: next,
        event: { ...base, type: "order.routed", data: { ...statusChange, assignments } },
      };
    }
    case "not-announce": {
      const reasons = new Map(command.positions.map((p) => [p.lineId, p.reason]));
      next.positions = order.positions.map((p) => {
        const reason = reasons.get(p.lineId);
        return reason === undefined ? p : { ...p, status: "NOT_ANNOUNCED", notAnnouncedReason: reason };
      });
      const positions = order.positions
        .filter((p) => reasons.has(p.lineId))
        .map((p) => ({
          lineId: p.lineId,
          sku: p.sku,
          quantity: p.quantity,
          reason: reasons.get(p.lineId) ?? "",
        }));
      return {
        order: next,
        event: { ...base, type: "order.not-announced", data: { ...statusChange, positions } },
      };
    }
    case "submit": {
      next.positions = order.positions.map((p) => ({ ...p, status: "SUBMITTED" }));
      const locationIds = [...new Set(next.positions.map((p) => p.locationId ?? ""))];
      return {
        order: next,
        event: { ...base, type: "order.submitted", data: { ...statusChange, locationIds } },
      };
    }
    case "raise-exception": {
      const { error, cause, executionArn } = command;
      next.exception = {
        previousStatus:
          order.status === "EXCEPTION" && order.exception ? order.exception.previousStatus : order.status,
        error,
        cause,
        at,
        ...(executionArn ? { executionArn } : {}),
      };
      const data = { ...statusChange, error, cause, ...(executionArn ? { executionArn } : {}) };
      return { order: next, event: { ...base, type: "order.exception", data } };
    }
    case "recover": {
      const { exception: _resolved, ...rest } = next;
      return { order: rest, event: { ...base, type: "order.recovered", data: statusChange } };
    }
    case "request-approval": {
      next.approval = { steps: command.steps };
      const steps = command.steps.map((s) => ({ rank: s.rank, reasonIds: s.reasons.map((r) => r.reasonId) }));
      return {
        order: next,
        event: { ...base, type: "order.awaiting-approval", data: { ...statusChange, steps } },
      };
    }
    case "approve": {
      if (command.reroute) {
        // Routing runs again: positions go back to open (their reservations are released by the caller).
        next.positions = order.positions.map(({ locationId: _l, backordered: _b, ...p }) => ({
          ...p,
          status: "OPEN" as const,
        }));
      }
      const data = { ...statusChange, reasonIds: command.reasonIds, reroute: command.reroute };
      return { order: next, event: { ...base, type: "order.approved", data } };
    }
    case "decline": {
      const { reasonId, actor, comment } = command;
      next.decline = { reasonId, actor, ...(comment === undefined ? {} : { comment }) };
      const data = { ...statusChange, ...next.decline };
      return { order: next, event: { ...base, type: "order.declined", data } };
    }
  }
}

/** The order.created event of a freshly captured order (sequence 1). */
export function createdEvent(order: Order, eventId: string): { order: Order; event: OrderEvent } {
  const next = { ...order, eventSequence: order.eventSequence + 1 };
  return {
    order: next,
    event: {
      eventId,
      type: "order.created",
      version: 1,
      occurredAt: order.createdAt,
      merchantId: order.merchantId,
      channelId: order.channelId,
      orderId: order.orderId,
      sequence: next.eventSequence,
      data: {
        status: order.status,
        orderType: order.orderType,
        channelOrderRef: order.channelOrderRef,
        currency: order.currency,
        total: order.total,
        positions: order.positions.map((p) => ({ lineId: p.lineId, sku: p.sku, quantity: p.quantity })),
      },
    },
  };
}
