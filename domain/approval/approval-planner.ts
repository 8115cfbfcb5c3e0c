// The approval planner: from an order (after routing) and its channel's approval reasons, which reasons
// apply, grouped by rank. Equal rank = one parallel step (every reason of it must approve); the steps run
// in ascending rank (the next starts only when the previous one is approved). Pure.
import type { Order } from "../order/order.ts";
import type { ApprovalFacts, ApprovalReason, ConditionEvaluator } from "./approval-reasons.ts";

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

/** The facts an approval condition sees: the order's, plus the locations routing assigned. */
export function approvalFacts(order: Order): ApprovalFacts {
  const locations = [...new Set(order.positions.flatMap((p) => (p.locationId ? [p.locationId] : [])))];
  return {
    "order.channel": order.channelId,
    "order.type": order.orderType,
    "order.country": order.shippingAddress.country,
    "order.customerTier": order.customer.tier,
    "order.totalValue": order.total,
    "order.currency": order.currency,
    "order.paymentMethod": order.paymentMethod,
    "order.tags": order.tags,
    "order.date": order.placedAt,
    "order.positionCount": order.positions.length,
    "order.locations": locations,
    "order.billingDiffersFromShipping":
      order.billingAddress !== undefined &&
      JSON.stringify(order.billingAddress) !== JSON.stringify(order.shippingAddress),
  };
}

export function planApproval(
  order: Order,
  reasons: readonly ApprovalReason[],
  evaluate: ConditionEvaluator,
): ApprovalPlan {
  const facts = approvalFacts(order);
  const assigned = new Set(order.positions.flatMap((p) => (p.locationId ? [p.locationId] : [])));
  const applying: ApprovalReason[] = [];
  const skipped: ApprovalPlan["skipped"] = [];
  for (const reason of reasons) {
    if (reason.locationIds && !reason.locationIds.some((id) => assigned.has(id))) {
      skipped.push({ reasonId: reason.reasonId, why: `no position at ${reason.locationIds.join(", ")}` });
    } else if (reason.condition !== undefined && !evaluate(reason.condition, facts)) {
      skipped.push({ reasonId: reason.reasonId, why: "its condition does not hold" });
    } else {
      applying.push(reason);
    }
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
