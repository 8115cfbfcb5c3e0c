// The workflow's steps over the lifecycle table: each loads the order, decides with the pure core and
// writes the new state with its events in one conditional transaction. Re-running a step (a Step
// Functions retry, a redrive, a resumed execution) finds its effect recorded and changes nothing.

import type { RoutingWrite } from "../adapters/dynamodb/routing-repository.ts";
import type { OrderEvent } from "../domain/events/order-events.ts";
import { hasCurrentResponse } from "../domain/fulfillment/order-response.ts";
import { channelInventory } from "../domain/order/channel.ts";
import {
  alreadyApplied,
  applyCommand,
  type OrderAction,
  type OrderCommand,
  refusal,
} from "../domain/order/lifecycle.ts";
import type { Order, OrderStatus } from "../domain/order/order.ts";
import { rejectionReasons } from "../domain/order/validation-rules.ts";
import { NotFoundError, ValidationError } from "../domain/shared/errors.ts";
import { decideResponse } from "./order-response.ts";
import type {
  Clock,
  IdSource,
  InventoryRepository,
  OrderRepository,
  ReservationHoldTimer,
  RoutingRepository,
} from "./ports.ts";
import { settleReservations } from "./reservations.ts";
import { routeOrder } from "./routing.ts";
import { type SubmissionFlowDeps, submitOrder } from "./submissions.ts";

export interface StepDeps extends SubmissionFlowDeps {
  repo: OrderRepository;
  inventory: InventoryRepository;
  routing: RoutingRepository;
  clock: Clock;
  ids: IdSource;
}

export interface StepResult {
  orderId: string;
  status: OrderStatus;
  /** False when the step found its effect already recorded (a repeat). */
  changed: boolean;
}

export type OrderStep = "validate" | "route" | "respond" | "submit";

/** The actions whose presence as the last timeline entry means the step already ran. */
const STEP_OUTCOMES: Record<OrderStep, OrderAction[]> = {
  validate: ["validate", "reject"],
  route: ["route", "not-announce", "check-announce", "cancel", "await-wave"],
  respond: ["respond"],
  submit: ["submit"],
};

async function loadOrder(repo: OrderRepository, orderId: string): Promise<Order> {
  const order = await repo.getOrder(orderId);
  if (!order)
    throw new NotFoundError("ORDER_NOT_FOUND", `order ${orderId} does not exist`, "orderId", { orderId });
  return order;
}

interface Decision {
  commands: OrderCommand[];
  /** What routing stores with the status change (trace, task, capacity use), in the same transaction. */
  routing?: RoutingWrite;
}

/** Decides the step's commands from the order and its configuration. */
async function decide(deps: StepDeps, step: OrderStep, order: Order): Promise<Decision> {
  switch (step) {
    case "validate": {
      const channel = await deps.repo.getChannel(order.channelId);
      const reasons = channel
        ? rejectionReasons(order, channel, deps.clock.now())
        : [`channel ${order.channelId} was removed`];
      return { commands: [reasons.length > 0 ? { action: "reject", reasons } : { action: "validate" }] };
    }
    case "route": {
      // DOSE: rule sets, filters, the optimiser; every assignment reserved (usecases/routing.ts).
      const channel = await deps.repo.getChannel(order.channelId);
      if (!channel) {
        throw ValidationError.single("channelId", "NO_LOCATION", `channel ${order.channelId} was removed`);
      }
      // A channel in wave mode: the order waits for the next routing wave (usecases/routing-waves.ts).
      if (channel.routing?.mode === "WAVE") return { commands: [{ action: "await-wave" }] };
      const routed = await routeOrder(deps, order, channel);
      return { commands: routed.commands, routing: routed.write };
    }
    case "respond":
      return { commands: [await decideResponse(deps.inventory, order)] };
    case "submit":
      // usecases/submissions.ts decides and writes the submission itself (runOrderStep hands it over).
      throw new Error("submit is not decided here");
  }
}

export async function runOrderStep(
  deps: StepDeps,
  step: OrderStep,
  orderId: string,
  executionArn?: string,
): Promise<StepResult> {
  if (step === "submit") return submitOrder(deps, orderId, executionArn);
  const stored = await loadOrder(deps.repo, orderId);
  // The response is sent once per routing: a retry after a later failure does not send it again.
  const answered = step === "respond" && hasCurrentResponse(stored);
  if (answered || STEP_OUTCOMES[step].some((action) => alreadyApplied(stored, action))) {
    // A repeat of routing also finishes what a crash after its write may have left: reservations of a
    // cancelled order, or of a duplicate attempt that lost the race, go back.
    if (step === "route") await settleReservations(deps, stored);
    return { orderId, status: stored.status, changed: false };
  }
  let order = stored;
  const events: OrderEvent[] = [];
  const apply = (command: OrderCommand) => {
    const applied = applyCommand(order, command, deps.clock.now(), deps.ids.eventId());
    order = applied.order;
    events.push(applied.event);
  };
  // A redriven step first lifts the exception its failure raised, in the same write as its own effect.
  if (order.status === "EXCEPTION") apply({ action: "recover" });
  const decision = await decide(deps, step, order);
  for (const command of decision.commands) apply(command);
  if (executionArn) order = { ...order, executionArn };
  if (decision.routing) await deps.routing.saveRouting(stored.version, order, events, decision.routing);
  else await deps.repo.saveTransition(stored.version, order, events);
  // Routing keeps what the order held and reserves the rest; once its decision is stored, what the
  // decision does not use goes back (all of it for a cancelled order). A crash before this: the repeated
  // step finds its action recorded and settles.
  if (step === "route") await settleReservations(deps, order);
  return { orderId, status: order.status, changed: true };
}

export interface WorkflowFailure {
  orderId: string;
  status: string;
  error?: string | undefined;
  cause?: string | undefined;
  executionArn: string;
}

/**
 * Makes a failed workflow visible on its order: EXCEPTION with the cause. A retry that failed again
 * replaces the cause; a repeat for the same execution (a duplicate delivery), or an order the lifecycle
 * does not let fail (terminal), is left alone.
 */
export async function recordWorkflowFailure(
  deps: StepDeps & { holds: ReservationHoldTimer },
  failure: WorkflowFailure,
): Promise<StepResult> {
  const order = await deps.repo.getOrder(failure.orderId);
  if (!order)
    throw new NotFoundError("ORDER_NOT_FOUND", `order ${failure.orderId} does not exist`, "orderId");
  const command: OrderCommand = {
    action: "raise-exception",
    error: failure.error || `States.${failure.status}`,
    cause: failure.cause || `the workflow ended ${failure.status}`,
    executionArn: failure.executionArn,
  };
  const repeat = order.status === "EXCEPTION" && order.exception?.executionArn === failure.executionArn;
  if (repeat || refusal(order, command)) {
    // A repeated failure: make sure the hold timer runs (a crash may have struck before it started).
    if (order.status === "EXCEPTION") await holdReservations(deps, order);
    return { orderId: order.orderId, status: order.status, changed: false };
  }
  const applied = applyCommand(order, command, deps.clock.now(), deps.ids.eventId());
  await deps.repo.saveTransition(order.version, applied.order, [applied.event]);
  await holdReservations(deps, applied.order);
  return { orderId: order.orderId, status: applied.order.status, changed: true };
}

/** A stuck order keeps its reservations only for its channel's hold time: start that timer. */
async function holdReservations(
  deps: StepDeps & { holds: ReservationHoldTimer },
  order: Order,
): Promise<void> {
  if (!order.exception) return;
  const reservations = await deps.inventory.listReservations(order.orderId);
  if (!reservations.some((r) => r.status === "ACTIVE")) return;
  const channel = await deps.repo.getChannel(order.channelId);
  const minutes = channel ? channelInventory(channel).reservationHoldMinutes : 60;
  await deps.holds.startHold(order.orderId, order.exception.at, minutes * 60);
}
