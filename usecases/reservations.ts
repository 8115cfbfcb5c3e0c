// Reservations over an order's life: taken when routing assigns a position to a location (atomically with
// the stock, see adapters/dynamodb/inventory-repository.ts), released when the order is not announced,
// cancelled, declined or stuck past its hold time, consumed when the location ships.
//
// Routing is a placeholder for DOSE: per position, the channel's default location if it has the stock,
// else the visible location with stock of best priority; with no stock anywhere the channel's rule
// decides (BACKORDER at the default location, or NOT_ANNOUNCED). No aggregate reservation is taken at
// capture: docs/inventory.md says why.

import { routingCandidates, whenOutOfStock } from "../domain/inventory/availability.ts";
import { isActive, type ReleaseReason, type Reservation } from "../domain/inventory/reservation.ts";
import { planReservation, positionKey, type StockPosition } from "../domain/inventory/stock.ts";
import type { Channel } from "../domain/order/channel.ts";
import type { OrderCommand } from "../domain/order/lifecycle.ts";
import type { Order } from "../domain/order/order.ts";
import { ValidationError } from "../domain/shared/errors.ts";
import type { Clock, InventoryRepository, OrderRepository } from "./ports.ts";

export interface ReservationDeps {
  inventory: InventoryRepository;
  clock: Clock;
  /** Which shard a reservation tries first (spreads a hot SKU's writes); random by default. */
  random?: () => number;
}

/** Re-reads of a position whose shards were taken by a concurrent reservation before giving up on it. */
const ATTEMPTS_PER_LOCATION = 6;

/**
 * Reserves each position of a validated order and returns the routing decision: `route` (every position
 * has a location, reserved or backordered) or `not-announce`. Positions reserved by an earlier attempt of
 * the same step keep their reservation.
 */
export async function reserveOrder(
  deps: ReservationDeps,
  order: Order,
  channel: Channel,
): Promise<OrderCommand> {
  const at = deps.clock.now();
  const [existing, locations] = await Promise.all([
    deps.inventory.listReservations(order.orderId),
    deps.inventory.listLocations(),
  ]);
  const held = new Map(existing.filter(isActive).map((r) => [r.lineId, r]));
  const stock = new Map<string, Promise<StockPosition[]>>();
  const positionsOf = (sku: string) => {
    let read = stock.get(sku);
    if (!read) {
      read = deps.inventory.queryPositions(sku, true);
      stock.set(sku, read);
    }
    return read;
  };

  const assignments: { lineId: string; locationId: string; backordered?: boolean }[] = [];
  const notAnnounced: { lineId: string; reason: string }[] = [];
  for (const position of order.positions) {
    const previous = held.get(position.lineId);
    if (previous) {
      assignments.push({ lineId: position.lineId, locationId: previous.locationId });
      continue;
    }
    const stockOfSku = await positionsOf(position.sku);
    const candidates = routingCandidates(channel, locations, stockOfSku, position.quantity, "SHIP", at);
    // Once the order cannot be announced, later positions are only checked, not reserved.
    const reservedAt =
      notAnnounced.length > 0
        ? undefined
        : await reserveAtFirst(deps, order, position, candidates, stockOfSku);
    if (reservedAt) {
      assignments.push({ lineId: position.lineId, locationId: reservedAt });
      continue;
    }
    if (notAnnounced.length > 0 && candidates.length > 0) continue;
    const decision = whenOutOfStock(channel, locations, position.sku, position.quantity, at);
    if (decision.kind === "BACKORDER") {
      assignments.push({ lineId: position.lineId, locationId: decision.locationId, backordered: true });
    } else if (decision.kind === "NOT_ANNOUNCED") {
      notAnnounced.push({ lineId: position.lineId, reason: decision.reason });
    } else {
      throw ValidationError.single("defaultLocationId", "NO_LOCATION", decision.reason);
    }
  }
  return notAnnounced.length > 0
    ? { action: "not-announce", positions: notAnnounced }
    : { action: "route", assignments };
}

/** Tries the candidates in order; returns where the units were reserved, or undefined. */
async function reserveAtFirst(
  deps: ReservationDeps,
  order: Order,
  { lineId, sku, quantity }: Order["positions"][number],
  candidates: readonly string[],
  read: readonly StockPosition[],
): Promise<string | undefined> {
  const random = deps.random ?? Math.random;
  for (const locationId of candidates) {
    let position = read.find((p) => p.locationId === locationId);
    for (let attempt = 0; attempt < ATTEMPTS_PER_LOCATION; attempt++) {
      if (attempt > 0 || !position) {
        const key = positionKey(sku, locationId);
        position = (await deps.inventory.getPositions([{ sku, locationId }], true)).get(key);
      }
      const parts = position
        ? planReservation(position, quantity, Math.floor(random() * position.shards.length))
        : undefined;
      if (!parts) break;
      const now = deps.clock.now();
      const reservation: Reservation = {
        orderId: order.orderId,
        lineId,
        sku,
        locationId,
        quantity,
        parts,
        status: "ACTIVE",
        createdAt: now,
        updatedAt: now,
      };
      const outcome = await deps.inventory.reserve(reservation);
      if (outcome.outcome === "reserved") return locationId;
      if (outcome.outcome === "exists") return outcome.reservation.locationId;
      // "insufficient": a concurrent reservation took a shard first; read again and re-plan.
    }
  }
  return undefined;
}

/**
 * Brings an order's reservations in line with its routing: everything goes back when it was not
 * announced; reservations at locations a position was not assigned to (left by a duplicate or crashed
 * attempt of the routing step) are released as SUPERSEDED. Idempotent.
 */
export async function settleReservations(deps: ReservationDeps, order: Order): Promise<number> {
  const active = (await deps.inventory.listReservations(order.orderId)).filter(isActive);
  const keep = (r: Reservation) =>
    order.status !== "NOT_ANNOUNCED" &&
    order.positions.some((p) => p.lineId === r.lineId && p.locationId === r.locationId && !p.backordered);
  let released = 0;
  for (const r of active) {
    if (keep(r)) continue;
    const reason: ReleaseReason = order.status === "NOT_ANNOUNCED" ? "NOT_ANNOUNCED" : "SUPERSEDED";
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
 * The end of a stuck order's hold time (the reservation-hold workflow): releases its reservations as
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
  if (!stuck && !waiting) return 0;
  return releaseOrderReservations(deps, orderId, "EXPIRED");
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
    if (!position.locationId || position.backordered) continue;
    const held = current.get(`${position.lineId}\u0000${position.locationId}`);
    if (held && held.status !== "RELEASED") continue;
    const again = await reserveAtFirst(deps, order, position, [position.locationId], []);
    if (!again) {
      throw ValidationError.single(
        `positions.${index}`,
        "RESERVATION_LOST",
        `${position.quantity} x ${position.sku} at ${position.locationId} were released while order ${order.orderId} was stuck and are no longer available; route it again`,
      );
    }
    restored += 1;
  }
  return restored;
}
