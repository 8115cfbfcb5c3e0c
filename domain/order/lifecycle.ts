// The order lifecycle as a table: which action may move an order from which status to which, the guard
// that can refuse it (with a reason), and the event it records. Step Functions performs the side
// effects; this table alone decides legality. applyAction is pure: same order + command -> same result.
import type { ApprovalReason } from "../approval/approval-reasons.ts";
import { eventEnvelope } from "../events/note-event.ts";
import type { OrderEvent, StatusChangeEvent } from "../events/order-events.ts";
import type { TemporaryResponse } from "../fulfillment/order-response.ts";
import { IllegalTransitionError } from "../shared/errors.ts";
import {
  allocationsOf,
  ORDER_STATUSES,
  type Order,
  type OrderStatus,
  type Position,
  type PositionAllocation,
} from "./order.ts";

/** A position's routing: one location (locationId) or its allocations (a split), and what decided it. */
export interface Assignment {
  lineId: string;
  locationId?: string;
  allocations?: PositionAllocation[];
  backordered?: boolean;
  routedBy?: { ruleSetId: string; version: number };
}

/** The rule set versions that routed the order (recorded on it). */
export type RoutingRecord = { ruleSets: { ruleSetId: string; version: number }[] };

export type OrderCommand =
  | { action: "validate" }
  | { action: "reject"; reasons: string[] }
  | { action: "route"; assignments: Assignment[]; routing?: RoutingRecord }
  | {
      action: "not-announce";
      positions: { lineId: string; reason: string }[];
      /** Positions routing could assign meanwhile (they keep their reservations). */
      assignments?: Assignment[];
      routing?: RoutingRecord;
    }
  | {
      action: "check-announce";
      positions: { lineId: string; reason: string }[];
      assignments?: Assignment[];
      routing?: RoutingRecord;
    }
  | { action: "assign-manually"; assignments: Assignment[]; taskId: string }
  | { action: "cancel"; reason: string }
  /** Hands the ASSIGNED positions to their locations; `accepted`: locations whose part counts as accepted now. */
  | { action: "submit"; accepted: string[] }
  /** A location's answer (or the OMS for it: an overdue part set to re-allocate). */
  | {
      action: "answer-submission";
      locationId: string;
      answers: { lineId: string; decision: "ACCEPTED" | "REJECTED"; reason?: string | undefined }[];
      actor: string;
    }
  /** Every position is accepted somewhere. */
  | { action: "complete-submission" }
  /** A part's answer is overdue: recorded (and escalated by the caller), no status change. */
  | { action: "mark-overdue"; locationId: string; dueAt: string; onOverdue: "ESCALATE" | "REALLOCATE" }
  | { action: "raise-exception"; error: string; cause: string; executionArn?: string }
  | { action: "recover" }
  | { action: "await-wave" }
  | { action: "respond"; response: TemporaryResponse }
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

const ACTIVE: readonly OrderStatus[] = [
  "INITIAL",
  "VALIDATED",
  "ROUTED",
  "AWAITING_APPROVAL",
  "AWAITING_ACCEPTANCE",
];

/**
 * Where a location's answer may arrive: while the order waits for answers, and while it is being
 * re-allocated after another location's rejection (routing again, or failed on the way).
 */
const ANSWERABLE: readonly OrderStatus[] = [
  "AWAITING_ACCEPTANCE",
  "VALIDATED",
  "ROUTED",
  "AWAITING_WAVE",
  "CHECK_ANNOUNCED",
  "NOT_ANNOUNCED",
  "EXCEPTION",
];

/**
 * Where a rejection may arrive: while the order waits for answers, or before its re-allocation's routing
 * wrote (routing routes every OPEN position). Elsewhere (a round on its way, a manual task, an exception)
 * the location answers again once the order waits for it: nothing could pick the line up.
 */
export const REJECTABLE: readonly OrderStatus[] = ["AWAITING_ACCEPTANCE", "VALIDATED"];

/** Actions that record something about a part without moving the workflow on (not a step's outcome). */
export const NOTE_ACTIONS: readonly OrderAction[] = ["answer-submission", "mark-overdue"];

/** Why the answers do not fit the order's positions awaiting that location's answer, or undefined. */
function answerProblem(order: Order, c: CommandOf<"answer-submission">): string | undefined {
  if (c.answers.length === 0) return "an answer needs at least one line";
  if (c.answers.some((a) => a.decision === "REJECTED") && !REJECTABLE.includes(order.status))
    return `a rejection is taken while the order awaits its locations' answers or is routed again, not while it is ${order.status}`;
  for (const a of c.answers) {
    const p = order.positions.find((x) => x.lineId === a.lineId);
    if (!p) return `unknown position ${a.lineId}`;
    const allocation = allocationsOf(p).find((x) => x.locationId === c.locationId);
    if (p.status !== "AWAITING_ACCEPTANCE" || !allocation || allocation.accepted)
      return `position ${a.lineId} is not awaiting an answer from ${c.locationId}`;
  }
  return undefined;
}

const allSubmitted = (positions: readonly Position[]) => positions.every((p) => p.status === "SUBMITTED");

const hasLocation = (a: Assignment) => Boolean(a.locationId) || (a.allocations?.length ?? 0) > 0;

/** Why assignments do not fit the order (unknown lines, no location, wrong quantities), or undefined. */
function assignmentProblem(order: Order, assignments: readonly Assignment[]): string | undefined {
  const unknown = assignments.filter((a) => !order.positions.some((p) => p.lineId === a.lineId));
  if (unknown.length > 0) return `unknown positions: ${unknown.map((a) => a.lineId).join(", ")}`;
  const empty = assignments.filter((a) => !hasLocation(a));
  if (empty.length > 0) return `positions without a location: ${empty.map((a) => a.lineId).join(", ")}`;
  for (const a of assignments) {
    if (!a.allocations) continue;
    const position = order.positions.find((p) => p.lineId === a.lineId);
    const units = a.allocations.reduce((sum, x) => sum + x.quantity, 0);
    if (position && units !== position.quantity)
      return `position ${a.lineId}: allocations add up to ${units}, not ${position.quantity}`;
  }
  return undefined;
}

/** Statuses of positions that have their location(s): a re-allocation routes only the others. */
const HAS_LOCATION: readonly Position["status"][] = ["ASSIGNED", "AWAITING_ACCEPTANCE", "SUBMITTED"];

/** Positions still waiting for a location once these assignments apply. */
function unassignedAfter(order: Order, assignments: readonly Assignment[]): string[] {
  const assigned = new Set(assignments.map((a) => a.lineId));
  return order.positions
    .filter((p) => !assigned.has(p.lineId) && !HAS_LOCATION.includes(p.status))
    .map((p) => p.lineId);
}

export const ORDER_LIFECYCLE: { [A in OrderAction]: TransitionRule<A> } = {
  validate: { from: ["INITIAL"], to: "VALIDATED" },
  reject: {
    from: ["INITIAL"],
    to: "REJECTED",
    guard: (_o, c) => (c.reasons.length === 0 ? "a rejection needs at least one reason" : undefined),
  },
  route: {
    from: ["VALIDATED", "AWAITING_WAVE"],
    to: "ROUTED",
    guard: (order, c) => {
      const unknown = c.assignments.filter((a) => !order.positions.some((p) => p.lineId === a.lineId));
      if (unknown.length > 0) return `unknown positions: ${unknown.map((a) => a.lineId).join(", ")}`;
      const missing = unassignedAfter(order, c.assignments.filter(hasLocation));
      if (missing.length > 0) return `positions without a location: ${missing.join(", ")}`;
      return assignmentProblem(order, c.assignments);
    },
  },
  // IOM's NOT_ANNOUNCED: no location can deliver a position and the channel does not backorder. A manual
  // routing task waits for an operator (assign-manually or cancel); a channel may cancel at once instead.
  "not-announce": {
    from: ["VALIDATED", "AWAITING_WAVE"],
    to: "NOT_ANNOUNCED",
    guard: (order, c) => {
      if (c.positions.length === 0) return "not announcing needs at least one position without a location";
      const unknown = c.positions.filter((p) => !order.positions.some((o) => o.lineId === p.lineId));
      if (unknown.length > 0) return `unknown positions: ${unknown.map((p) => p.lineId).join(", ")}`;
      return assignmentProblem(order, c.assignments ?? []);
    },
  },
  // IOM's CHECK_ANNOUNCED: locations hold the stock but none within the rules' tolerances (delivery
  // promise, split); a manual routing task asks an operator to assign or cancel.
  "check-announce": {
    from: ["VALIDATED", "AWAITING_WAVE"],
    to: "CHECK_ANNOUNCED",
    guard: (order, c) => {
      if (c.positions.length === 0) return "check-announcing needs at least one position to check";
      const unknown = c.positions.filter((p) => !order.positions.some((o) => o.lineId === p.lineId));
      if (unknown.length > 0) return `unknown positions: ${unknown.map((p) => p.lineId).join(", ")}`;
      return assignmentProblem(order, c.assignments ?? []);
    },
  },
  "assign-manually": {
    from: ["CHECK_ANNOUNCED", "NOT_ANNOUNCED"],
    to: "ROUTED",
    guard: (order, c) => {
      const problem = assignmentProblem(order, c.assignments);
      if (problem) return problem;
      const reassigned = c.assignments.filter((a) =>
        HAS_LOCATION.includes(order.positions.find((p) => p.lineId === a.lineId)?.status ?? "OPEN"),
      );
      if (reassigned.length > 0)
        return `positions already assigned: ${reassigned.map((a) => a.lineId).join(", ")}`;
      const missing = unassignedAfter(order, c.assignments);
      return missing.length > 0 ? `positions without a location: ${missing.join(", ")}` : undefined;
    },
  },
  cancel: {
    from: ["VALIDATED", "CHECK_ANNOUNCED", "NOT_ANNOUNCED", "AWAITING_WAVE"],
    to: "CANCELLED",
    guard: (_o, c) => (c.reason.trim() === "" ? "a cancellation needs a reason" : undefined),
  },
  // Positions a location rejected meanwhile (OPEN again) send the order back to routing (VALIDATED).
  submit: {
    from: ["ROUTED"],
    to: (order, c) => {
      const positions = submitPositions(order.positions, c.accepted);
      if (positions.some((p) => p.status === "OPEN")) return "VALIDATED";
      return allSubmitted(positions) ? "SUBMITTED" : "AWAITING_ACCEPTANCE";
    },
    guard: (order) =>
      order.positions.every((p) => p.status === "OPEN" || allocationsOf(p).length > 0)
        ? undefined
        : "a position has no location",
  },
  // A rejection while the order waits sends it back to routing; during a re-allocation the status stays.
  "answer-submission": {
    from: ANSWERABLE,
    to: (order, c) =>
      order.status === "AWAITING_ACCEPTANCE" && c.answers.some((a) => a.decision === "REJECTED")
        ? "VALIDATED"
        : order.status,
    guard: answerProblem,
  },
  "complete-submission": {
    from: ["AWAITING_ACCEPTANCE", "EXCEPTION"],
    to: "SUBMITTED",
    guard: (order) => (allSubmitted(order.positions) ? undefined : "a position is not accepted yet"),
  },
  "mark-overdue": { from: ANSWERABLE, to: (order) => order.status },
  // From EXCEPTION too: a retry that fails again replaces the cause (and keeps where the order stood).
  "raise-exception": { from: [...ACTIVE, "EXCEPTION"], to: "EXCEPTION" },
  recover: {
    from: ["EXCEPTION"],
    to: (order) => order.exception?.previousStatus ?? "INITIAL",
  },
  // Magento-style batch sourcing: a channel in wave mode parks validated orders; the next routing wave
  // (usecases/routing-waves.ts) routes them together, from AWAITING_WAVE, with the actions above.
  "await-wave": { from: ["VALIDATED"], to: "AWAITING_WAVE" },
  // The temporary order response: recorded (and sent to the channel as order.response) without a status
  // change; a new routing may be answered again.
  respond: {
    from: ["ROUTED"],
    to: "ROUTED",
    guard: (order, c) =>
      c.response.orderId === order.orderId ? undefined : "the response is another order's",
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
  return order.timeline.findLast((t) => !NOTE_ACTIONS.includes(t.action as OrderAction))?.action === action;
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
  const base = eventEnvelope(order, next.eventSequence, at, eventId);
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
      next.positions = assign(order.positions, command.assignments);
      if (command.routing) next.routing = { ruleSets: command.routing.ruleSets, routedAt: at };
      return {
        order: next,
        event: { ...base, type: "order.routed", data: { ...statusChange, assignments: routedData(next) } },
      };
    }
    case "not-announce":
    case "check-announce": {
      const status = command.action === "not-announce" ? "NOT_ANNOUNCED" : "CHECK_ANNOUNCED";
      const reasons = new Map(command.positions.map((p) => [p.lineId, p.reason]));
      next.positions = assign(order.positions, command.assignments ?? []).map((p) => {
        const reason = reasons.get(p.lineId);
        if (reason === undefined) return p;
        return status === "NOT_ANNOUNCED"
          ? { ...p, status, notAnnouncedReason: reason }
          : { ...p, status, checkAnnouncedReason: reason };
      });
      if (command.routing) next.routing = { ruleSets: command.routing.ruleSets, routedAt: at };
      const positions = order.positions
        .filter((p) => reasons.has(p.lineId))
        .map((p) => ({
          lineId: p.lineId,
          sku: p.sku,
          quantity: p.quantity,
          reason: reasons.get(p.lineId) ?? "",
        }));
      const type = command.action === "not-announce" ? "order.not-announced" : "order.check-announced";
      return { order: next, event: { ...base, type, data: { ...statusChange, positions } } };
    }
    case "assign-manually": {
      next.positions = assign(order.positions, command.assignments);
      next.routing = { ruleSets: order.routing?.ruleSets ?? [], routedAt: at, manual: true };
      const data = { ...statusChange, assignments: routedData(next), manual: true };
      return { order: next, event: { ...base, type: "order.routed", data } };
    }
    case "cancel": {
      next.positions = order.positions.map((p) => ({ ...p, status: "CANCELLED" }));
      next.cancellation = { reason: command.reason, at };
      return {
        order: next,
        event: { ...base, type: "order.cancelled", data: { ...statusChange, reason: command.reason } },
      };
    }
    case "submit": {
      next.positions = submitPositions(order.positions, command.accepted);
      const locationIds = [
        ...new Set(next.positions.flatMap((p) => allocationsOf(p).map((a) => a.locationId))),
      ];
      if (to === "SUBMITTED") {
        return {
          order: next,
          event: { ...base, type: "order.submitted", data: { ...statusChange, locationIds } },
        };
      }
      const awaiting = [
        ...new Set(
          next.positions.flatMap((p) =>
            p.status === "AWAITING_ACCEPTANCE"
              ? allocationsOf(p)
                  .filter((a) => !a.accepted)
                  .map((a) => a.locationId)
              : [],
          ),
        ),
      ];
      return {
        order: next,
        event: {
          ...base,
          type: "order.awaiting-acceptance",
          data: { ...statusChange, locationIds, awaitingLocationIds: awaiting },
        },
      };
    }
    case "answer-submission": {
      const answered = answerPositions(order.positions, command, at);
      next.positions = answered.positions;
      const data = {
        ...statusChange,
        locationId: command.locationId,
        actor: command.actor,
        accepted: command.answers.filter((a) => a.decision === "ACCEPTED").map((a) => a.lineId),
        rejected: command.answers
          .filter((a) => a.decision === "REJECTED")
          .map((a) => ({ lineId: a.lineId, reason: a.reason ?? "rejected" })),
        withdrawn: answered.withdrawn,
      };
      return { order: next, event: { ...base, type: "order.submission-answered", data } };
    }
    case "complete-submission": {
      const { exception: _resolved, ...rest } = next;
      const locationIds = [
        ...new Set(order.positions.flatMap((p) => allocationsOf(p).map((a) => a.locationId))),
      ];
      return {
        order: rest,
        event: { ...base, type: "order.submitted", data: { ...statusChange, locationIds } },
      };
    }
    case "mark-overdue": {
      const { locationId, dueAt, onOverdue } = command;
      const data = { ...statusChange, locationId, dueAt, onOverdue };
      return { order: next, event: { ...base, type: "order.submission-overdue", data } };
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
    case "await-wave":
      return { order: next, event: { ...base, type: "order.awaiting-wave", data: statusChange } };
    case "respond": {
      next.response = command.response;
      const { orderId: _inEnvelope, ...response } = command.response;
      return {
        order: next,
        event: { ...base, type: "order.response", data: { ...statusChange, ...response } },
      };
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

/** Positions after submit: ASSIGNED ones go to their locations, accepted at once where `accepted` says. */
function submitPositions(positions: readonly Position[], accepted: readonly string[]): Position[] {
  return positions.map((p) => {
    if (p.status !== "ASSIGNED") return p;
    const allocations = allocationsOf(p).map((a) =>
      accepted.includes(a.locationId) ? { ...a, accepted: true } : a,
    );
    const done = allocations.every((a) => a.accepted);
    return { ...p, allocations, status: done ? "SUBMITTED" : "AWAITING_ACCEPTANCE" };
  });
}

/**
 * Positions after a location's answer: an accepted allocation is marked (the position is SUBMITTED once
 * all its allocations are); a rejected position goes back to routing (OPEN) without any location, and
 * remembers the location that rejected it. Its other allocations (a split) are withdrawn.
 */
function answerPositions(
  positions: readonly Position[],
  c: CommandOf<"answer-submission">,
  at: string,
): { positions: Position[]; withdrawn: { lineId: string; locationId: string }[] } {
  const withdrawn: { lineId: string; locationId: string }[] = [];
  const next = positions.map((p): Position => {
    const answer = c.answers.find((a) => a.lineId === p.lineId);
    if (!answer) return p;
    if (answer.decision === "ACCEPTED") {
      const allocations = allocationsOf(p).map((a) =>
        a.locationId === c.locationId ? { ...a, accepted: true } : a,
      );
      return { ...p, allocations, status: allocations.every((a) => a.accepted) ? "SUBMITTED" : p.status };
    }
    for (const a of allocationsOf(p))
      if (a.locationId !== c.locationId) withdrawn.push({ lineId: p.lineId, locationId: a.locationId });
    const { locationId: _l, allocations: _a, backordered: _b, routedBy: _r, ...rest } = p;
    const rejection = { locationId: c.locationId, reason: answer.reason ?? "rejected", at };
    return { ...rest, status: "OPEN", rejections: [...(p.rejections ?? []), rejection] };
  });
  return { positions: next, withdrawn };
}

/** Positions with the assignments applied: one location -> locationId; a split -> allocations only. */
function assign(positions: readonly Position[], assignments: readonly Assignment[]): Position[] {
  const byLine = new Map(assignments.map((a) => [a.lineId, a]));
  return positions.map((p) => {
    const a = byLine.get(p.lineId);
    if (!a) return p;
    const allocations =
      a.allocations ?? (a.locationId ? [{ locationId: a.locationId, quantity: p.quantity }] : []);
    const single = new Set(allocations.map((x) => x.locationId)).size === 1;
    const {
      locationId: _l,
      allocations: _a,
      notAnnouncedReason: _n,
      checkAnnouncedReason: _c,
      backordered: _b,
      ...rest
    } = p;
    return {
      ...rest,
      status: "ASSIGNED",
      ...(single ? { locationId: allocations[0]?.locationId } : {}),
      allocations,
      ...(a.backordered ? { backordered: true } : {}),
      ...(a.routedBy ? { routedBy: a.routedBy } : {}),
    };
  });
}

/** order.routed's assignments: one entry per position and location (a split position has several). */
function routedData(order: Order) {
  return order.positions.flatMap((p) =>
    allocationsOf(p).map((a) => ({
      lineId: p.lineId,
      locationId: a.locationId,
      quantity: a.quantity,
      ...(p.backordered ? { backordered: true } : {}),
    })),
  );
}

/** The order.created event of a freshly captured order (sequence 1). */
export function createdEvent(order: Order, eventId: string): { order: Order; event: OrderEvent } {
  const next = { ...order, eventSequence: order.eventSequence + 1 };
  return {
    order: next,
    event: {
      ...eventEnvelope(order, next.eventSequence, order.createdAt, eventId),
      type: "order.created",
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
