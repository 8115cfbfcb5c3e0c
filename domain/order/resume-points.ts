// Where an order's workflow continues when it starts again: the automatic path runs as one Express
// execution, and every wait (a manual routing task, an approval, a location's answer) or a retry after an
// exception ends it; whoever answers starts a new execution at a resume point. The state machine's first
// Choice state jumps to the state of that name; this table says which point follows which status.
import type { OrderStatus } from "./order.ts";

/** Resume points: names of states in the order workflow (statemachines/home-delivery.asl.json). */
export const RESUME_POINTS = ["Validate", "Route", "AfterRouting", "Submit", "AfterApproval"] as const;
export type ResumePoint = (typeof RESUME_POINTS)[number];

/**
 * The step to repeat for an order whose workflow failed while it was in `status` (its exception's
 * previous status): the step that would have moved it on. Undefined: nothing in the workflow moves an
 * order on from there.
 */
const RETRY_FROM: Partial<Record<OrderStatus, ResumePoint>> = {
  INITIAL: "Validate",
  VALIDATED: "Route",
  ROUTED: "AfterRouting",
  // The approval check again: it restarts the order's approval, whose decided reasons stay decided.
  AWAITING_APPROVAL: "AfterRouting",
  // A location's webhook kept failing: deliver the parts again (what was delivered stays delivered).
  AWAITING_ACCEPTANCE: "Submit",
};

export function retryPointFor(previousStatus: OrderStatus): ResumePoint | undefined {
  return RETRY_FROM[previousStatus];
}
