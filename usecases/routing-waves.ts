// A routing wave (POST /routing/waves, and the schedule that calls the same use case): collects the
// orders parked in AWAITING_WAVE by channels in wave mode, plans them together with the pure wave
// planner (most valuable first against one copy of the stock, domain/routing/wave.ts), then, in the same
// sequence, routes each for real: reserves its planned allocations (a lost race re-decides that order
// with fresh stock), writes the decision with its trace/task/capacity in one transaction conditional on
// the order's version, and continues a routed order's workflow at AfterRouting. One order's failure is
// reported and leaves it waiting for the next wave; the others go on.

import type { OrderEvent } from "../domain/events/order-events.ts";
import { isOperational } from "../domain/inventory/location.ts";
import { reservableQuantity } from "../domain/inventory/stock.ts";
import type { Channel } from "../domain/order/channel.ts";
import { applyCommand } from "../domain/order/lifecycle.ts";
import type { Order, OrderStatus } from "../domain/order/order.ts";
import { allocationsOf } from "../domain/order/order.ts";
import type { DoseDecision } from "../domain/routing/dose.ts";
import { plannedShipDate } from "../domain/routing/promise.ts";
import { cascadeOrder } from "../domain/routing/rule-set.ts";
import { planWave, type WaveOrder } from "../domain/routing/wave.ts";
import type {
  Clock,
  IdSource,
  InventoryRepository,
  OrderRepository,
  RoutingRepository,
  WorkflowStarter,
} from "./ports.ts";
import { releaseOrderReservations, settleReservations } from "./reservations.ts";
import { routeOrder } from "./routing.ts";

export interface WaveDeps {
  repo: OrderRepository;
  inventory: InventoryRepository;
  routing: RoutingRepository;
  clock: Clock;
  ids: IdSource;
  /** Continues a routed order's workflow at AfterRouting (a new execution). */
  workflows: Pick<WorkflowStarter, "resumeOrder">;
}

/** Orders one wave takes at most (the oldest waiting first); the rest wait for the next wave. */
export const MAX_WAVE_ORDERS = 500;

export interface WaveResult {
  at: string;
  /** Orders found waiting. */
  waiting: number;
  /** In the sequence they were sourced, with where they ended. */
  orders: {
    orderId: string;
    total: number;
    status: OrderStatus;
    locations: string[];
    /** True when the planned allocations were reserved as planned (false: re-decided, stock had moved). */
    asPlanned?: boolean;
    error?: string;
  }[];
  routed: number;
  checkAnnounced: number;
  notAnnounced: number;
  cancelled: number;
  failed: number;
}

export async function runRoutingWave(deps: WaveDeps, limit = MAX_WAVE_ORDERS): Promise<WaveResult> {
  const at = deps.clock.now();
  const ids = await deps.repo.selectOrderIds({ status: "AWAITING_WAVE", limit, oldestFirst: true });
  const loaded = await Promise.all(ids.map((id) => deps.repo.getOrder(id)));
  const orders = loaded.flatMap((o) => (o?.status === "AWAITING_WAVE" ? [o] : []));
  const result: WaveResult = {
    at,
    waiting: orders.length,
    orders: [],
    routed: 0,
    checkAnnounced: 0,
    notAnnounced: 0,
    cancelled: 0,
    failed: 0,
  };
  await resumeStranded(deps, at);
  if (orders.length === 0) return result;

  const channelIds = [...new Set(orders.map((o) => o.channelId))];
  const skus = [...new Set(orders.flatMap((o) => o.positions.map((p) => p.sku)))];
  const [channelList, locations, heads, stockList] = await Promise.all([
    Promise.all(channelIds.map((id) => deps.repo.getChannel(id))),
    deps.inventory.listLocations(),
    deps.routing.listRuleSets(),
    Promise.all(skus.map((sku) => deps.inventory.queryPositions(sku, true))),
  ]);
  const channels = new Map<string, Channel>();
  for (const c of channelList) if (c) channels.set(c.channelId, c);
  const shipDates = locations.flatMap((l) => {
    const d = l.capacity && isOperational(l, at) ? plannedShipDate(l, at) : undefined;
    return d ? [d] : [];
  });
  const capacityUsed = await deps.routing.capacityUse(shipDates);
  const stock = Object.fromEntries(
    skus.map((sku, i) => [
      sku,
      (stockList[i] ?? []).map((p) => ({ locationId: p.locationId, available: reservableQuantity(p) })),
    ]),
  );
  const waveOrders: WaveOrder[] = orders.flatMap((order) => {
    const channel = channels.get(order.channelId);
    return channel ? [{ order, channel }] : [];
  });
  const plans = planWave({
    orders: waveOrders,
    locations,
    stock,
    capacityUsed,
    ruleSets: cascadeOrder(heads),
    at,
  });

  // Reserve and record in the planned sequence: an earlier (more valuable) order reserves first.
  for (const plan of plans) {
    const { order, channel } = waveOrders.find((w) => w.order.orderId === plan.orderId) as WaveOrder;
    try {
      const routed = await routeWaveOrder(deps, order, channel, plan.decision);
      result.orders.push({
        orderId: order.orderId,
        total: order.total,
        status: routed.order.status,
        locations: [
          ...new Set(routed.order.positions.flatMap((p) => allocationsOf(p).map((a) => a.locationId))),
        ].sort(),
        asPlanned: routed.asPlanned,
      });
      if (routed.order.status === "ROUTED") result.routed += 1;
      else if (routed.order.status === "CHECK_ANNOUNCED") result.checkAnnounced += 1;
      else if (routed.order.status === "NOT_ANNOUNCED") result.notAnnounced += 1;
      else if (routed.order.status === "CANCELLED") result.cancelled += 1;
    } catch (error) {
      result.failed += 1;
      result.orders.push({
        orderId: order.orderId,
        total: order.total,
        status: "AWAITING_WAVE",
        locations: [],
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  for (const order of orders) {
    if (!channels.has(order.channelId)) {
      result.failed += 1;
      result.orders.push({
        orderId: order.orderId,
        total: order.total,
        status: order.status,
        locations: [],
        error: `channel ${order.channelId} does not exist`,
      });
    }
  }
  return result;
}

/**
 * Routes one waiting order with its planned decision, like the route step: the commands and what routing
 * stores go in one transaction conditional on the version read; a routed order's workflow continues.
 */
async function routeWaveOrder(
  deps: WaveDeps,
  order: Order,
  channel: Channel,
  planned: DoseDecision,
): Promise<{ order: Order; asPlanned: boolean }> {
  const routed = await routeOrder(deps, order, channel, planned);
  let next = order;
  const events: OrderEvent[] = [];
  try {
    for (const command of routed.commands) {
      const applied = applyCommand(next, command, deps.clock.now(), deps.ids.eventId());
      next = applied.order;
      events.push(applied.event);
    }
    await deps.routing.saveRouting(order.version, next, events, routed.write);
  } catch (error) {
    // Not recorded (the order changed meanwhile, e.g. an operator cancelled it): give the stock back.
    await releaseOrderReservations(deps, order.orderId, "SUPERSEDED");
    throw error;
  }
  if (next.status === "CANCELLED") await settleReservations(deps, next);
  if (next.status === "ROUTED")
    await deps.workflows.resumeOrder(order.orderId, "AfterRouting", order.orderType);
  return { order: next, asPlanned: routed.decision === planned };
}

/** How long a wave-routed order may sit in ROUTED before a wave resumes its workflow again. */
const STRANDED_AFTER_MS = 2 * 60_000;

/**
 * A wave that crashed between an order's routing write and its resume left it ROUTED with no workflow
 * running. Orders leave ROUTED within seconds on the automatic path, so a wave-routed order ROUTED for
 * minutes is resumed again (the Submit step is idempotent; a duplicate resume changes nothing twice).
 */
async function resumeStranded(deps: WaveDeps, at: string): Promise<void> {
  const before = new Date(Date.parse(at) - STRANDED_AFTER_MS).toISOString();
  const ids = await deps.repo.selectOrderIds({ status: "ROUTED", updatedBefore: before, limit: 100 });
  for (const id of ids) {
    const order = await deps.repo.getOrder(id);
    if (order?.status === "ROUTED" && order.timeline.some((t) => t.action === "await-wave"))
      await deps.workflows.resumeOrder(id, "AfterRouting", order.orderType);
  }
}
