// Reservations over an order's life: taken when routing assigns a position to a location (atomically with
// the stock, see adapters/dynamodb/inventory-repository.ts), released when the order is not announced,
// cancelled, declined or stuck past its hold time (a stored hold, ended by a scheduled sweep), consumed
// when the location ships.
//
// Routing itself (DOSE, usecases/routing.ts) decides and reserves; this module settles reservations
// afterwards. No aggregate reservation is taken at capture: docs/inventory.md says why.

import { isActive, type ReleaseReason, type Reservation } from "../domain/inventory/reservation.ts";
import type { ReservationHold } from "../domain/inventory/reservation-hold.ts";
import { planReservation, positionKey, type StockPosition } from "../domain/inventory/stock.ts";
import { channelInventory } from "../domain/order/channel.ts";
import { allocationsOf, type Order } from "../domain/order/order.ts";
import { ValidationError } from "../domain/shared/errors.ts";
import type { Clock, InventoryRepository, OrderRepository, ReservationHolds } from "./ports.ts";

export interface ReservationDeps {
  inventory: InventoryRepository;
  clock: Clock;
  /** Which shard a reservation tries first (spreads a hot SKU's writes); random by default. */
  random?: () => number;
}

/** Re-reads of a position whose shards were taken by a concurrent reservation before giving up on it. */
const ATTEMPTS_PER_LOCATION = 6;

/** A reservation of `quantity` units at a read stock position (undefined when it no longer has them). */
export function toReservation(
  deps: { clock: Clock },
  order: Pick<Order, "orderId">,
  lineId: string,
  position: StockPosition,
  quantity: number,
  random: () => number = Math.random,
): Reservation | undefined {
  const parts = planReservation(position, quantity, Math.floor(random() * position.shards.length));
  if (!parts) return undefined;
  const now = deps.clock.now();
  return {
    orderId: order.orderId,
    lineId,
    sku: position.sku,
    locationId: position.locationId,
    quantity,
    parts,
    status: "ACTIVE",
    createdAt: now,
    updatedAt: now,
  };
}

/** Reserves `quantity` of a line at one location, re-reading after lost races; false when it lacks them. */
export async function reserveAt(
  deps: ReservationDeps,
  order: Pick<Order, "orderId">,
  lineId: string,
  sku: string,
  locationId: string,
  quantity: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS_PER_LOCATION; attempt++) {
    const position = (await deps.inventory.getPositions([{ sku, locationId }], true)).get(
      positionKey(sku, locationId),
    );
    const reservation = position
      ? toReservation(deps, order, lineId, position, quantity, deps.random ?? Math.random)
      : undefined;
    if (!reservation) return false;
    const outcome = await deps.inventory.reserve(reservation);
    if (outcome.outcome === "reserved") return true;
    if (outcome.outcome === "exists") return outcome.reservation.quantity === quantity;
    // "insufficient": a concurrent reservation took a shard first; read again and re-plan.
  }
  return false;
}

/**
 * Brings an order's reservations in line with its routing: everything goes back when it was cancelled;
 * reservations no assigned position holds (left by a duplicate or crashed attempt of the routing step)
 * are released as SUPERSEDED. Idempotent.
 */
export async function settleReservations(deps: ReservationDeps, order: Order): Promise<number> {
  const active = (await deps.inventory.listReservations(order.orderId)).filter(isActive);
  const cancelled = order.status === "CANCELLED";
  const keep = (r: Reservation) =>
    !cancelled &&
    order.positions.some(
      (p) =>
        p.lineId === r.lineId &&
        !p.backordered &&
        (p.status === "ASSIGNED" || p.status === "AWAITING_ACCEPTANCE" || p.status === "SUBMITTED") &&
        allocationsOf(p).some((a) => a.locationId === r.locationId),
    );
  let released = 0;
  for (const r of active) {
    if (keep(r)) continue;
    const reason: ReleaseReason = cancelled ? "CANCELLED" : "SUPERSEDED";
    if (await deps.inventory.release(r, reason, deps.clock.now())) released += 1;
  }
  return released;
}

/** Releases every active reservation of an order (cancellation, decline, expiry). Idempotent. */
export async function releaseOrderReservations(
  deps: ReservationDeps,
  orderId: string,
  reason: ReleaseReason,
): Promise<number> {
  let released = 0;
  for (const r of (await deps.inventory.listReservations(orderId)).filter(isActive)) {
    if (await deps.inventory.release(r, reason, deps.clock.now())) released += 1;
  }
  return released;
}

/** The location shipped these lines (all when omitted): their reservations are consumed. Idempotent. */
export async function consumeOrderReservations(
  deps: ReservationDeps,
  orderId: string,
  lineIds?: readonly string[],
): Promise<number> {
  let consumed = 0;
  for (const r of (await deps.inventory.listReservations(orderId)).filter(isActive)) {
    if (lineIds && !lineIds.includes(r.lineId)) continue;
    if (await deps.inventory.consume(r, deps.clock.now())) consumed += 1;
  }
  return consumed;
}

/**
 * The end of a stuck order's hold time (the hold sweep, below): releases its reservations as
 * EXPIRED if it is still in the same exception, or still awaiting the approval it began to wait for at
 * `exceptionAt`; an order that was redriven or decided (or failed again since, with a timer of its own)
 * keeps them.
 */
export async function expireReservations(
  deps: ReservationDeps & { repo: OrderRepository },
  orderId: string,
  exceptionAt: string,
): Promise<number> {
  const order = await deps.repo.getOrder(orderId);
  const stuck = order?.status === "EXCEPTION" && order.exception?.at === exceptionAt;
  // An order awaiting approval holds its stock for the same time (the hold started when it began to wait).
  const waiting =
    order?.status === "AWAITING_APPROVAL" &&
    order.timeline.findLast((t) => t.action === "request-approval")?.at === exceptionAt;
  if ((!stuck && !waiting) || !order) return 0;
  // Units already at their locations (sent, awaiting or accepted) stay reserved: they are on their way.
  const atLocations = new Set(
    order.positions
      .filter((p) => p.status === "AWAITING_ACCEPTANCE" || p.status === "SUBMITTED")
      .map((p) => p.lineId),
  );
  let released = 0;
  for (const r of (await deps.inventory.listReservations(orderId)).filter(isActive)) {
    if (atLocations.has(r.lineId)) continue;
    if (await deps.inventory.release(r, "EXPIRED", deps.clock.now())) released += 1;
  }
  return released;
}

export interface HoldSweepResult {
  /** Holds this run ended. */
  expired: number;
  /** Reservations they released (0 for an order that had moved on). */
  released: number;
  /** Holds that failed; they stay due and the next run tries them again. */
  failed: number;
}

/**
 * The hold sweep (a schedule, once a minute): every hold due before now is ended, after
 * `expireReservations` released what the order still holds if it is still stuck in that episode.
 * Expiring first and ending the hold after makes a crash in between harmless: the next run expires again
 * (nothing left to release) and ends it. A hold that fails is counted, reported and left due.
 */
export async function expireDueHolds(
  deps: ReservationDeps & { repo: OrderRepository; holds: ReservationHolds },
  options: { pageSize?: number; onError?: (hold: ReservationHold, error: unknown) => void } = {},
): Promise<HoldSweepResult> {
  const now = deps.clock.now();
  const result: HoldSweepResult = { expired: 0, released: 0, failed: 0 };
  let cursor: string | undefined;
  do {
    const page = await deps.holds.listDue(now, options.pageSize ?? 100, cursor);
    for (const hold of page.items) {
      try {
        const released = await expireReservations(deps, hold.orderId, hold.exceptionAt);
        result.released += released;
        if (await deps.holds.endHold(hold, deps.clock.now(), released)) result.expired += 1;
      } catch (error) {
        result.failed += 1;
        options.onError?.(hold, error);
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return result;
}

/**
 * Stores the hold of every stuck order that holds stock but has none (once, when the holds moved from the
 * `reservation-hold` state machine to table items: executions still waiting at the switch end with the
 * state machine). The episode and hold time are those the steps use, so an order that has its hold
 * already is left alone (a repeated start is a no-op); one past its hold time is due at the next sweep.
 */
export async function startMissingHolds(
  deps: { repo: OrderRepository; inventory: InventoryRepository; holds: ReservationHolds },
  options: { pageSize?: number } = {},
): Promise<{ checked: number; holding: number }> {
  const result = { checked: 0, holding: 0 };
  for (const status of ["EXCEPTION", "AWAITING_APPROVAL"] as const) {
    let cursor: string | undefined;
    do {
      const page = await deps.repo.listOrders({ status, limit: options.pageSize ?? 100, cursor });
      for (const summary of page.items) {
        result.checked += 1;
        const order = await deps.repo.getOrder(summary.orderId);
        const since =
          order?.status === "EXCEPTION"
            ? order.exception?.at
            : order?.status === "AWAITING_APPROVAL"
              ? (order.timeline.findLast((t) => t.action === "request-approval")?.at ?? order.updatedAt)
              : undefined;
        if (!order || !since) continue;
        if (!(await deps.inventory.listReservations(order.orderId)).some(isActive)) continue;
        const channel = await deps.repo.getChannel(order.channelId);
        const minutes = channel ? channelInventory(channel).reservationHoldMinutes : 60;
        await deps.holds.startHold(order.orderId, since, minutes * 60);
        result.holding += 1;
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return result;
}

/**
 * Before a once-stuck order is submitted: every routed, non-backordered position must hold its
 * reservation. One released while the order was stuck (hold time over) is taken again at the same
 * location; if the stock is gone meanwhile the step fails with RESERVATION_LOST (the order needs routing
 * again) instead of submitting units nobody holds.
 */
export async function restoreReservations(deps: ReservationDeps, order: Order): Promise<number> {
  const current = new Map(
    (await deps.inventory.listReservations(order.orderId)).map((r) => [
      `${r.lineId}\u0000${r.locationId}`,
      r,
    ]),
  );
  let restored = 0;
  for (const [index, position] of order.positions.entries()) {
    if (position.backordered) continue;
    for (const a of allocationsOf(position)) {
      const held = current.get(`${position.lineId}\u0000${a.locationId}`);
      if (held && held.status !== "RELEASED") continue;
      if (!(await reserveAt(deps, order, position.lineId, position.sku, a.locationId, a.quantity))) {
        throw ValidationError.single(
          `positions.${index}`,
          "RESERVATION_LOST",
          `${a.quantity} x ${position.sku} at ${a.locationId} were released while order ${order.orderId} was stuck and are no longer available; route it again`,
        );
      }
      restored += 1;
    }
  }
  return restored;
}
