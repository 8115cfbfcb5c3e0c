// The route step with DOSE: read what routing needs (locations, published rule sets, stock of the
// order's SKUs, capacity used on the shipping days), decide with the pure engine, reserve every
// allocation (conditional transactions, so nothing is ever over-reserved), and turn the decision into
// lifecycle commands plus what to store with them (trace, manual task, capacity use). A reservation that
// loses a race sends the whole decision back to the engine with fresh stock.

import type { RoutingWrite } from "../adapters/dynamodb/routing-repository.ts";
import { isVisibleTo } from "../domain/inventory/availability.ts";
import { isOperational } from "../domain/inventory/location.ts";
import { isActive, type Reservation } from "../domain/inventory/reservation.ts";
import { reservableQuantity, type StockPosition } from "../domain/inventory/stock.ts";
import { type Channel, channelInventory } from "../domain/order/channel.ts";
import type { Assignment, OrderCommand } from "../domain/order/lifecycle.ts";
import type { Order } from "../domain/order/order.ts";
import { type DoseDecision, type PositionDecision, routeWithRules } from "../domain/routing/dose.ts";
import { shipDates } from "../domain/routing/promise.ts";
import type { RoutingTask } from "../domain/routing/routing-task.ts";
import { cascadeOrder } from "../domain/routing/rule-set.ts";
import { TransientError } from "../domain/shared/errors.ts";
import type { Clock, InventoryRepository, RoutingRepository } from "./ports.ts";
import { toReservation } from "./reservations.ts";

export interface RoutingDeps {
  inventory: InventoryRepository;
  routing: RoutingRepository;
  clock: Clock;
  /** Which shard a reservation tries first (spreads a hot SKU's writes); random by default. */
  random?: () => number;
}

export interface RoutingOutcome {
  commands: OrderCommand[];
  write: RoutingWrite;
  decision: DoseDecision;
}

/** Decide-and-reserve rounds before the step gives up with a TransientError (Step Functions retries). */
const ROUNDS = 6;

/**
 * Routes a validated order: reserves every assigned allocation and returns the commands (route; or
 * check-announce / not-announce with a manual task; or not-announce + cancel when the channel cancels).
 *
 * Reservations the order already holds (an earlier attempt of the step that did not get to write, or one
 * still running beside this one) count as its own stock: an allocation they match is kept, not taken
 * twice; nothing is released here. What the stored decision does not use is released after the write
 * (runOrderStep settles), so a concurrent attempt whose decision won never loses its units.
 */
export async function routeOrder(
  deps: RoutingDeps,
  order: Order,
  channel: Channel,
  /** A decision planned beforehand (a routing wave): reserved as is unless its stock is gone meanwhile. */
  planned?: DoseDecision,
): Promise<RoutingOutcome> {
  const at = deps.clock.now();
  const [locations, heads, held] = await Promise.all([
    deps.inventory.listLocations(),
    deps.routing.listRuleSets(true),
    deps.inventory.listReservations(order.orderId),
  ]);
  const own = held.filter(isActive);
  const ruleSets = cascadeOrder(heads);
  // Capacity matters only where routing may assign: locations the channel sees, with a capacity.
  const shipDateOf = shipDates(at);
  const days = locations.flatMap((l) => {
    const d = l.capacity && isVisibleTo(channel, l) && isOperational(l, at) ? shipDateOf(l) : undefined;
    return d ? [d] : [];
  });
  const capacityUsed = await deps.routing.capacityUse(days);
  const skus = [...new Set(order.positions.map((p) => p.sku))];

  for (let round = 1; round <= ROUNDS; round++) {
    const read = await Promise.all(skus.map((sku) => deps.inventory.queryPositions(sku, true)));
    const bySku = new Map(skus.map((sku, i) => [sku, read[i] ?? []]));
    const stock = Object.fromEntries(
      skus.map((sku) => [
        sku,
        (bySku.get(sku) ?? []).map((p) => ({
          locationId: p.locationId,
          // Units this order holds there are available to it.
          available:
            reservableQuantity(p) +
            own
              .filter((r) => r.sku === sku && r.locationId === p.locationId)
              .reduce((sum, r) => sum + r.quantity, 0),
        })),
      ]),
    );
    const decision =
      round === 1 && planned
        ? planned
        : routeWithRules({ order, channel, locations, stock, capacityUsed, ruleSets, at });
    // An order the channel cancels reserves nothing.
    const cancels =
      cancelsAtOnce(order, channel) && decision.positions.some((d) => d.outcome === "NOT_ANNOUNCED");
    const reserved = cancels || (await reserveDecision(deps, order, decision.positions, bySku, own));
    if (reserved) return outcome(order, channel, decision);
  }
  throw new TransientError(`order ${order.orderId}: stock kept changing while its reservations were taken`, {
    orderId: order.orderId,
  });
}

/**
 * Reserves every allocation of the decision that the order does not hold yet; on a lost race gives back
 * what this round took (never what it held before) and returns false.
 */
async function reserveDecision(
  deps: RoutingDeps,
  order: Order,
  positions: readonly PositionDecision[],
  bySku: Map<string, StockPosition[]>,
  own: readonly Reservation[],
): Promise<boolean> {
  const random = deps.random ?? Math.random;
  const taken: Reservation[] = [];
  const giveBack = async () => {
    for (const r of taken) await deps.inventory.release(r, "SUPERSEDED", deps.clock.now());
  };
  for (const d of positions) {
    if (d.outcome !== "ASSIGNED") continue;
    const sku = order.positions.find((p) => p.lineId === d.lineId)?.sku ?? "";
    for (const a of d.allocations) {
      let mine = own.find((r) => r.lineId === d.lineId && r.locationId === a.locationId);
      if (mine && mine.quantity === a.quantity) continue;
      const reallocated = (order.positions.find((p) => p.lineId === d.lineId)?.rejections?.length ?? 0) > 0;
      if (mine && reallocated) {
        // Left from the position's earlier allocation (a split whose other share was rejected): the new
        // decision wants another quantity there; give it back and reserve what is decided.
        await deps.inventory.release(mine, "SUPERSEDED", deps.clock.now());
        mine = undefined;
      }
      if (mine) {
        // Held with another quantity: decide again without touching it (rare; the step retries).
        await giveBack();
        return false;
      }
      const position = bySku.get(sku)?.find((p) => p.locationId === a.locationId);
      const reservation = position
        ? toReservation(deps, order, d.lineId, position, a.quantity, random)
        : undefined;
      const result = reservation
        ? await deps.inventory.reserve(reservation)
        : { outcome: "insufficient" as const };
      if (result.outcome === "reserved" && reservation) {
        taken.push(reservation);
        continue;
      }
      // A concurrent attempt of this step reserved the same line there meanwhile: it is the order's.
      if (result.outcome === "exists" && result.reservation.quantity === a.quantity) continue;
      // "insufficient" (a concurrent order took the units): decide again.
      await giveBack();
      return false;
    }
  }
  return true;
}

/**
 * The channel cancels a NOT_ANNOUNCED order at once, unless it was submitted before (a re-allocation:
 * locations hold its other parts, so an operator decides, through the manual routing task).
 */
function cancelsAtOnce(order: Order, channel: Channel): boolean {
  return (
    channelInventory(channel).cancelWhenNotAnnounced === true &&
    !order.timeline.some((t) => t.action === "submit")
  );
}

function outcome(order: Order, channel: Channel, decision: DoseDecision): RoutingOutcome {
  const assignments: Assignment[] = [];
  const notAnnounced: { lineId: string; reason: string }[] = [];
  const toCheck: { lineId: string; reason: string }[] = [];
  for (const d of decision.positions) {
    if (d.outcome === "ASSIGNED") {
      assignments.push({
        lineId: d.lineId,
        allocations: d.allocations,
        routedBy: { ruleSetId: d.ruleSetId, version: d.version },
      });
    } else if (d.outcome === "BACKORDERED") {
      assignments.push({ lineId: d.lineId, locationId: d.locationId, backordered: true });
    } else if (d.outcome === "NOT_ANNOUNCED") {
      notAnnounced.push({ lineId: d.lineId, reason: d.reason });
    } else {
      toCheck.push({ lineId: d.lineId, reason: d.reason });
    }
  }
  const routing = { ruleSets: decision.ruleSets };
  if (notAnnounced.length === 0 && toCheck.length === 0) {
    return {
      commands: [{ action: "route", assignments, routing }],
      write: { trace: decision.trace, capacityUse: decision.capacityUse },
      decision,
    };
  }
  if (notAnnounced.length > 0 && cancelsAtOnce(order, channel)) {
    const reason = `not announced: ${notAnnounced.map((p) => `${p.lineId} (${p.reason})`).join("; ")}`;
    return {
      commands: [
        { action: "not-announce", positions: [...notAnnounced, ...toCheck], assignments, routing },
        { action: "cancel", reason },
      ],
      write: { trace: decision.trace },
      decision,
    };
  }
  const now = decision.trace.at;
  const task: RoutingTask = {
    taskId: order.orderId,
    orderId: order.orderId,
    merchantId: order.merchantId,
    channelId: order.channelId,
    kind: notAnnounced.length > 0 ? "NOT_ANNOUNCED" : "CHECK_ANNOUNCED",
    status: "OPEN",
    positions: decision.positions.flatMap((d) => {
      if (d.outcome !== "CHECK_ANNOUNCED" && d.outcome !== "NOT_ANNOUNCED") return [];
      const p = order.positions.find((x) => x.lineId === d.lineId);
      return [
        {
          lineId: d.lineId,
          sku: p?.sku ?? "",
          quantity: p?.quantity ?? 0,
          reason: d.reason,
          candidates: d.outcome === "CHECK_ANNOUNCED" ? d.candidates : [],
        },
      ];
    }),
    createdAt: now,
    updatedAt: now,
  };
  const command: OrderCommand =
    notAnnounced.length > 0
      ? { action: "not-announce", positions: [...notAnnounced, ...toCheck], assignments, routing }
      : { action: "check-announce", positions: toCheck, assignments, routing };
  return {
    commands: [command],
    write: { trace: decision.trace, capacityUse: decision.capacityUse, task: { task, expect: "new" } },
    decision,
  };
}
