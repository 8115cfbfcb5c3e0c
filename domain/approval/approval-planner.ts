// The approval planner: from an order (after routing) and its channel's approval reasons, which reasons
// apply, grouped by rank. Equal rank = one parallel step (every reason of it must approve); the steps run
// in ascending rank (the next starts only when the previous one is approved). Pure.
import type { Order } from "../order/order.ts";
import { evaluateCondition, type Facts } from "../rules/condition.ts";
import { orderFacts } from "../rules/order-facts.ts";
import type { ApprovalReason } from "./approval-reasons.ts";

export interface ApprovalStep {
  rank: number;
  reasons: ApprovalReason[];
}

export interface ApprovalPlan {
  /** Ascending ranks; empty when no reason applies (the order continues without approval). */
  steps: ApprovalStep[];
  /** Reasons that do not apply to this order, and why (for the order's history and operators). */
  skipped: { reasonId: string; why: string }[];
}

/** The facts an approval condition sees (APPROVAL_FACTS): the order's, plus what routing decided. */
export function approvalFacts(order: Order): Facts {
  return {
    ...orderFacts(order),
    "order.locations": [...new Set(order.positions.flatMap((p) => (p.locationId ? [p.locationId] : [])))],
    "order.billingDiffersFromShipping":
      order.billingAddress !== undefined &&
      JSON.stringify(order.billingAddress) !== JSON.stringify(order.shippingAddress),
  };
}

export function planApproval(order: Order, reasons: readonly ApprovalReason[]): ApprovalPlan {
  const facts = approvalFacts(order);
  const assigned = new Set(order.positions.flatMap((p) => (p.locationId ? [p.locationId] : [])));
  const applying: ApprovalReason[] = [];
  const skipped: ApprovalPlan["skipped"] = [];
  for (const reason of reasons) {
    if (reason.locationIds && !reason.locationIds.some((id) => assigned.has(id))) {
      skipped.push({ reasonId: reason.reasonId, why: `no position at ${reason.locationIds.join(", ")}` });
      continue;
    }
    const verdict = evaluateCondition(reason.condition, facts);
    if (verdict.result) applying.push(reason);
    else skipped.push({ reasonId: reason.reasonId, why: verdict.explanation });
  }
  const byRank = new Map<number, ApprovalReason[]>();
  for (const reason of applying) byRank.set(reason.rank, [...(byRank.get(reason.rank) ?? []), reason]);
  const steps = [...byRank.entries()]
    .sort(([a], [b]) => a - b)
    .map(([rank, list]) => ({
      rank,
      reasons: [...list].sort((a, b) => a.reasonId.localeCompare(b.reasonId)),
    }));
  return { steps, skipped };
}

/** Whether routing runs again after approval: any applied reason asks for it. */
export const rerouteAfterApproval = (plan: ApprovalPlan): boolean =>
  plan.steps.some((step) => step.reasons.some((r) => r.rerouteAfterApproval));
