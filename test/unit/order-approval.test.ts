// Approval in the pure core: the planner (which reasons apply, grouped by rank), the approval transition
// table, the order's approval outcome, and the lifecycle's request-approval / approve / decline.
import { describe, expect, it } from "vitest";
import {
  APPROVAL_STATUSES,
  APPROVAL_TRANSITIONS,
  type Approval,
  type ApprovalCommand,
  applyApprovalCommand,
  approvalOutcome,
  approvalRefusal,
  rankGate,
} from "../../domain/approval/approval.ts";
import { noteApprovalEvent, requestedBody } from "../../domain/approval/approval-events.ts";
import { approvalFacts, planApproval, rerouteAfterApproval } from "../../domain/approval/approval-planner.ts";
import { type ApprovalReason, approvalReasonsSchema } from "../../domain/approval/approval-reasons.ts";
import { orderEventSchema } from "../../domain/events/order-events.ts";
import { applyCommand, isTerminal, type OrderCommand } from "../../domain/order/lifecycle.ts";
import type { Order } from "../../domain/order/order.ts";
import { IllegalTransitionError } from "../../domain/shared/errors.ts";
import { DEMO_APPROVAL_REASONS } from "../../local/seed/demo-seed.ts";
import { sampleOrder } from "../support/order-fixtures.ts";

const at = "2026-11-23T10:00:01.000Z";
let n = 0;
const apply = (order: Order, command: OrderCommand) => applyCommand(order, command, at, `e${++n}`);

const routed = (): Order => {
  const validated = apply(sampleOrder(), { action: "validate" }).order;
  return apply(validated, {
    action: "route",
    assignments: [
      { lineId: "1", locationId: "wh-1" },
      { lineId: "2", locationId: "store-9" },
    ],
  }).order;
};

const reason = (reasonId: string, rank: number, extra: Partial<ApprovalReason> = {}): ApprovalReason => ({
  reasonId,
  rank,
  timeoutSeconds: 3600,
  onTimeout: "ESCALATE",
  rerouteAfterApproval: false,
  ...extra,
});

describe("approval planner", () => {
  it("groups applying reasons by rank: equal rank parallel, ascending ranks sequential", () => {
    const plan = planApproval(routed(), [
      reason("risk", 2),
      reason("credit", 1),
      reason("fraud", 2),
      reason("manager", 5),
    ]);
    expect(plan.steps.map((s) => [s.rank, s.reasons.map((r) => r.reasonId)])).toEqual([
      [1, ["credit"]],
      [2, ["fraud", "risk"]],
      [5, ["manager"]],
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it("applies a reason only when its condition holds and its locations were assigned", () => {
    const order = routed();
    const plan = planApproval(order, [
      reason("invoice", 1, { condition: { fact: "order.paymentMethod", op: "eq", value: "INVOICE" } }),
      reason("big", 1, { condition: { fact: "order.totalValue", op: "gt", value: 1000 } }),
      reason("small", 1, { condition: { fact: "order.totalValue", op: "gt", value: 1 } }),
      reason("store", 2, { locationIds: ["store-9"] }),
      reason("dropship", 2, { locationIds: ["supplier-1"] }),
    ]);
    expect(plan.steps.flatMap((s) => s.reasons.map((r) => r.reasonId))).toEqual(["small", "store"]);
    expect(plan.skipped.map((s) => s.reasonId)).toEqual(["invoice", "big", "dropship"]);
    expect(plan.skipped[2]?.why).toMatch(/supplier-1/);
  });

  it("plans nothing without reasons, and asks for re-routing when one applied reason wants it", () => {
    expect(planApproval(routed(), []).steps).toEqual([]);
    const plan = planApproval(routed(), [reason("a", 1), reason("b", 2, { rerouteAfterApproval: true })]);
    expect(rerouteAfterApproval(plan)).toBe(true);
    expect(rerouteAfterApproval(planApproval(routed(), [reason("a", 1)]))).toBe(false);
  });

  it("offers the assigned locations and the order's facts to conditions", () => {
    const facts = approvalFacts(routed());
    expect(facts["order.locations"]).toEqual(["wh-1", "store-9"]);
    expect(facts["order.paymentMethod"]).toBe(routed().paymentMethod);
    expect(facts["order.totalValue"]).toBe(routed().total);
  });
});

describe("the demo channel's approval reasons", () => {
  const demoReasons = approvalReasonsSchema.parse(DEMO_APPROVAL_REASONS).reasons;
  const planned = (order: Order) =>
    planApproval(order, demoReasons).steps.map((s) => [s.rank, s.reasons.map((r) => r.reasonId)]);
  const elsewhere = { ...routed().shippingAddress, line1: "Am Markt 3", postalCode: "50667" };

  it("let the README's sample order through without anyone's approval", () => {
    expect(planned(routed())).toEqual([]);
    // Over 1,000 or to a new address, but by credit card: still no approval.
    expect(planned({ ...routed(), total: 1500, billingAddress: elsewhere })).toEqual([]);
  });

  it("ask the credit desk for invoices over 1,000, then the fraud desk for a new delivery address", () => {
    const invoice = { ...routed(), paymentMethod: "INVOICE" };
    expect(planned(invoice)).toEqual([]);
    expect(planned({ ...invoice, total: 1000 })).toEqual([]);
    expect(planned({ ...invoice, total: 1000.01 })).toEqual([[1, ["invoice-over-1000"]]]);
    expect(planned({ ...invoice, billingAddress: elsewhere })).toEqual([[2, ["invoice-new-address"]]]);
    // The billing address is the shipping address, written otherwise: not new.
    const same = { ...routed().shippingAddress, line1: "HEIDESTRASSE 17", name: "E. Mustermann" };
    expect(planned({ ...invoice, billingAddress: same })).toEqual([]);
    expect(planned({ ...invoice, total: 1500, billingAddress: elsewhere })).toEqual([
      [1, ["invoice-over-1000"]],
      [2, ["invoice-new-address"]],
    ]);
  });
});

describe("approval configuration", () => {
  it("refuses a duplicate reason id at its path, a zero timeout and an unknown onTimeout", () => {
    const result = approvalReasonsSchema.safeParse({
      reasons: [
        { reasonId: "credit", rank: 1, timeoutSeconds: 60, onTimeout: "DECLINE" },
        { reasonId: "credit", rank: 2, timeoutSeconds: 0, onTimeout: "IGNORE" },
      ],
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["reasons.1.timeoutSeconds", "reasons.1.onTimeout"]));
    const dup = approvalReasonsSchema.safeParse({
      reasons: [
        { reasonId: "credit", rank: 1, timeoutSeconds: 60, onTimeout: "DECLINE" },
        { reasonId: "credit", rank: 2, timeoutSeconds: 60, onTimeout: "DECLINE" },
      ],
    });
    expect(dup.error?.issues.map((i) => i.path.join("."))).toEqual(["reasons.1.reasonId"]);
  });

  it("defaults rerouteAfterApproval to false", () => {
    const parsed = approvalReasonsSchema.parse({
      reasons: [{ reasonId: "credit", rank: 1, timeoutSeconds: 60, onTimeout: "DECLINE" }],
    });
    expect(parsed.reasons[0]?.rerouteAfterApproval).toBe(false);
  });
});

const approval = (status: Approval["status"] = "REQUESTED"): Approval => ({
  orderId: "o1",
  reasonId: "credit",
  rank: 1,
  status,
  timeoutSeconds: 60,
  onTimeout: "ESCALATE",
  rerouteAfterApproval: false,
  requestedAt: at,
  dueAt: "2026-11-23T10:01:01.000Z",
  taskToken: "t1",
  history: [{ status: "REQUESTED", at }],
  version: 1,
});

describe("approval transitions", () => {
  const commands: ApprovalCommand[] = [
    { action: "escalate", taskToken: "t2" },
    { action: "approve", actor: "ops", comment: "fine" },
    { action: "decline", actor: "ops" },
    { action: "time-out" },
    { action: "withdraw" },
  ];

  it("follows the table from every status, refusing the rest with the reason", () => {
    for (const status of APPROVAL_STATUSES) {
      for (const command of commands) {
        const rule = APPROVAL_TRANSITIONS[command.action];
        const a = approval(status);
        if (rule.from.includes(status)) {
          const next = applyApprovalCommand(a, command, at);
          expect(next.status).toBe(rule.to);
          expect(next.version).toBe(2);
          expect(next.history.at(-1)?.status).toBe(rule.to);
        } else {
          expect(approvalRefusal(a, command)).toMatch(/allowed only from/);
          expect(() => applyApprovalCommand(a, command, at)).toThrow(IllegalTransitionError);
        }
      }
    }
  });

  it("records who decided and why; an escalation waits on a new token; a time-out names the timeout", () => {
    const approved = applyApprovalCommand(approval(), { action: "approve", actor: "ops", comment: "ok" }, at);
    expect(approved).toMatchObject({ status: "APPROVED", actor: "ops", comment: "ok", decidedAt: at });
    const escalated = applyApprovalCommand(approval(), { action: "escalate", taskToken: "t2" }, at);
    expect(escalated).toMatchObject({ status: "ESCALATED", taskToken: "t2", escalatedAt: at });
    expect(applyApprovalCommand(escalated, { action: "decline", actor: "ops" }, at).status).toBe("DECLINED");
    expect(applyApprovalCommand(approval(), { action: "time-out" }, at)).toMatchObject({
      status: "TIMED_OUT",
      actor: "system",
      comment: "no answer within 60 s",
    });
  });

  it("declines the order on one decline or time-out, approves it when every planned reason approved", () => {
    const a = { ...approval("APPROVED"), reasonId: "a" };
    const b = { ...approval("REQUESTED"), reasonId: "b" };
    expect(approvalOutcome([a, b], ["a", "b"])).toBe("PENDING");
    expect(approvalOutcome([a, { ...b, status: "APPROVED" }], ["a", "b"])).toBe("APPROVED");
    expect(approvalOutcome([a, { ...b, status: "DECLINED" }], ["a", "b"])).toBe("DECLINED");
    expect(approvalOutcome([a, { ...b, status: "TIMED_OUT" }], ["a", "b", "c"])).toBe("DECLINED");
    expect(approvalOutcome([a], ["a", "c"])).toBe("PENDING");
  });
});

describe("rank gate", () => {
  const planned = [
    { reasonId: "a", rank: 1 },
    { reasonId: "b", rank: 1 },
    { reasonId: "c", rank: 2 },
  ];
  const of = (reasonId: string, status: Approval["status"]) => ({ ...approval(status), reasonId });

  it("opens a rank when every lower-ranked reason approved, stops the chain at a decline", () => {
    expect(rankGate([], planned, 1)).toBe("go");
    expect(rankGate([of("a", "APPROVED")], planned, 2)).toBe("waiting");
    expect(rankGate([of("a", "APPROVED"), of("b", "REQUESTED")], planned, 2)).toBe("waiting");
    expect(rankGate([of("a", "APPROVED"), of("b", "APPROVED")], planned, 2)).toBe("go");
    expect(rankGate([of("a", "APPROVED"), of("b", "DECLINED")], planned, 2)).toBe("declined");
    expect(rankGate([of("a", "TIMED_OUT")], planned, 1)).toBe("declined");
  });
});

describe("order lifecycle with approval", () => {
  const credit = reason("credit", 1);
  const request: OrderCommand = { action: "request-approval", steps: [{ rank: 1, reasons: [credit] }] };

  it("waits in AWAITING_APPROVAL, then goes on ROUTED (approved) or ends DECLINED", () => {
    const waiting = apply(routed(), request);
    expect(waiting.order.status).toBe("AWAITING_APPROVAL");
    expect(waiting.event).toMatchObject({
      type: "order.awaiting-approval",
      data: { steps: [{ rank: 1, reasonIds: ["credit"] }] },
    });
    expect(waiting.order.approval?.steps[0]?.reasons[0]?.reasonId).toBe("credit");
    const approved = apply(waiting.order, { action: "approve", reasonIds: ["credit"], reroute: false });
    expect(approved.order.status).toBe("ROUTED");
    expect(approved.order.positions.map((p) => p.locationId)).toEqual(["wh-1", "store-9"]);
    const declined = apply(waiting.order, {
      action: "decline",
      reasonId: "credit",
      actor: "ops",
      comment: "no",
    });
    expect(declined.order).toMatchObject({
      status: "DECLINED",
      decline: { reasonId: "credit", actor: "ops", comment: "no" },
    });
    expect(isTerminal("DECLINED")).toBe(true);
    for (const e of [waiting.event, approved.event, declined.event])
      expect(orderEventSchema.safeParse(e).success).toBe(true);
  });

  it("sends an approved order back to routing with open positions when a reason asks for it", () => {
    const waiting = apply(routed(), request).order;
    const { order, event } = apply(waiting, { action: "approve", reasonIds: ["credit"], reroute: true });
    expect(order.status).toBe("VALIDATED");
    expect(order.positions.every((p) => p.status === "OPEN" && p.locationId === undefined)).toBe(true);
    expect(event).toMatchObject({ type: "order.approved", data: { reroute: true, status: "VALIDATED" } });
    // ...and routing may run again from there.
    expect(() =>
      apply(order, {
        action: "route",
        assignments: [
          { lineId: "1", locationId: "wh-1" },
          { lineId: "2", locationId: "wh-1" },
        ],
      }),
    ).not.toThrow();
  });

  it("refuses approval outside AWAITING_APPROVAL and an approval request without reasons", () => {
    expect(() => apply(routed(), { action: "approve", reasonIds: [], reroute: false })).toThrow(
      /AWAITING_APPROVAL/,
    );
    expect(() => apply(routed(), { action: "request-approval", steps: [] })).toThrow(/at least one reason/);
    expect(() => apply(sampleOrder(), request)).toThrow(/allowed only from ROUTED/);
  });

  it("records a reason's request as an event with the next sequence, without changing the status", () => {
    const waiting = apply(routed(), request).order;
    const a = {
      ...approval(),
      orderId: waiting.orderId,
      callbackId: "cb1",
      thirdParty: { name: "Credit Co" },
    };
    const noted = noteApprovalEvent(waiting, requestedBody(a, waiting), at, "e-x");
    expect(noted.order.status).toBe("AWAITING_APPROVAL");
    expect(noted.order.version).toBe(waiting.version + 1);
    expect(noted.event.sequence).toBe(waiting.eventSequence + 1);
    expect(noted.event).toMatchObject({
      type: "order.approval-requested",
      data: {
        reasonId: "credit",
        thirdParty: { name: "Credit Co" },
        callback: { path: "/approval-callbacks/cb1" },
      },
    });
    expect(orderEventSchema.safeParse(noted.event).success).toBe(true);
  });
});
