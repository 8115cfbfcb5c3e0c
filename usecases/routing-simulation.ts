// POST /routing/simulations: previews a rule change before it is published. Reads the selected stored
// orders, their channels, the locations, the current stock of their SKUs, their own active reservations,
// the capacity used and the published rule sets, resolves the draft cascade, and hands everything to the
// pure comparison (domain/routing/simulation.ts). Read-only by construction: it calls no write of any
// repository (no reservation, order, stock, capacity or trace item), and the report is only returned.
import { isOperational } from "../domain/inventory/location.ts";
import { isActive } from "../domain/inventory/reservation.ts";
import { reservableQuantity } from "../domain/inventory/stock.ts";
import type { Channel } from "../domain/order/channel.ts";
import type { Order } from "../domain/order/order.ts";
import { addDays, plannedShipDate } from "../domain/routing/promise.ts";
import { cascadeOrder, type PublishedRuleSet } from "../domain/routing/rule-set.ts";
import {
  type CascadeChange,
  draftCascade,
  type SimulationReport,
  simulateRouting,
  simulationRequestSchema,
} from "../domain/routing/simulation.ts";
import { NotFoundError } from "../domain/shared/errors.ts";
import { toValidationError } from "../domain/shared/zod-issues.ts";
import type { Clock, InventoryRepository, OrderRepository, RoutingRepository } from "./ports.ts";

export interface SimulationDeps {
  repo: OrderRepository;
  inventory: InventoryRepository;
  routing: RoutingRepository;
  clock: Clock;
}

/** Parallel reads per batch (orders, reservations): enough to hide latency, few enough not to throttle. */
const READ_BATCH = 16;

/** Days after an order's placement day whose capacity use a replay reads (later ship days count as free). */
const REPLAY_CAPACITY_DAYS = 10;

export async function runRoutingSimulation(deps: SimulationDeps, body: unknown): Promise<SimulationReport> {
  const parsed = simulationRequestSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  const request = parsed.data;
  const now = deps.clock.now();

  const [heads, locations, draftChanges, orders] = await Promise.all([
    deps.routing.listRuleSets(),
    deps.inventory.listLocations(),
    resolveDraft(deps, request.draft),
    selectOrders(deps, request.orders),
  ]);
  const current = cascadeOrder(heads);
  const draft = draftCascade(current, draftChanges, request.replaceCascade);

  const channelIds = [...new Set(orders.map((o) => o.channelId))];
  const skus = [...new Set(orders.flatMap((o) => o.positions.map((p) => p.sku)))];
  const [channelList, stockList, reservations] = await Promise.all([
    Promise.all(channelIds.map((id) => deps.repo.getChannel(id))),
    Promise.all(skus.map((sku) => deps.inventory.queryPositions(sku))),
    inBatches(orders, (o) => deps.inventory.listReservations(o.orderId)),
  ]);
  const channels = new Map<string, Channel>();
  for (const channel of channelList) if (channel) channels.set(channel.channelId, channel);
  const stock = Object.fromEntries(
    skus.map((sku, i) => [
      sku,
      (stockList[i] ?? []).map((p) => ({ locationId: p.locationId, available: reservableQuantity(p) })),
    ]),
  );
  const ownReservations = reservations.flat().filter(isActive);

  // Capacity used on the ship days routing may pick: today's (routeAt now), or the days after each
  // order's placement (a replay).
  const withCapacity = locations.filter((l) => l.capacity);
  const dates = new Set<string>();
  if (withCapacity.length > 0) {
    if (request.routeAt === "now") {
      for (const l of withCapacity) {
        const d = isOperational(l, now) ? plannedShipDate(l, now) : undefined;
        if (d) dates.add(d);
      }
    } else {
      for (const day of new Set(orders.map((o) => o.placedAt.slice(0, 10)))) {
        for (let i = -1; i <= REPLAY_CAPACITY_DAYS; i++) dates.add(addDays(day, i));
      }
    }
  }
  const capacityUsed = await deps.routing.capacityUse([...dates]);

  return simulateRouting({
    orders,
    channels,
    locations,
    stock,
    ownReservations,
    capacityUsed,
    current,
    draft,
    now,
    routeAt: request.routeAt,
    stockView: request.stockView,
    includeUnchanged: request.includeUnchanged,
  });
}

/** The draft's rule sets: stored versions read (404 when missing), unsaved definitions as version 0. */
async function resolveDraft(
  deps: Pick<SimulationDeps, "routing">,
  changes: readonly CascadeChange[],
): Promise<(PublishedRuleSet | { ruleSetId: string; remove: true })[]> {
  return Promise.all(
    changes.map(async (change, index) => {
      if ("remove" in change) return change;
      if ("definition" in change)
        return { ruleSetId: change.ruleSetId, version: 0, definition: change.definition };
      const stored = await deps.routing.getRuleSetVersion(change.ruleSetId, change.version);
      if (!stored) {
        throw new NotFoundError(
          "RULE_SET_VERSION_NOT_FOUND",
          `rule set ${change.ruleSetId} has no version ${change.version}`,
          `draft.${index}.version`,
          { ruleSetId: change.ruleSetId, version: change.version },
        );
      }
      return { ruleSetId: stored.ruleSetId, version: stored.version, definition: stored.definition };
    }),
  );
}

/** The selected orders, oldest placement first (the shared stock view serves them in that order). */
async function selectOrders(
  deps: Pick<SimulationDeps, "repo">,
  selection: ReturnType<typeof simulationRequestSchema.parse>["orders"],
): Promise<Order[]> {
  const ids =
    selection.orderIds ??
    (await deps.repo.selectOrderIds({
      channelId: selection.channelId,
      status: selection.status,
      from: selection.from,
      to: selection.to,
      limit: selection.limit,
    }));
  const found = await inBatches([...new Set(ids)].slice(0, selection.limit), (id) =>
    deps.repo.getOrder(id, false),
  );
  const missing = ids.filter((id) => !found.some((o) => o?.orderId === id));
  if (selection.orderIds && missing.length > 0) {
    throw new NotFoundError(
      "ORDER_NOT_FOUND",
      `orders ${missing.slice(0, 10).join(", ")} do not exist`,
      "orders.orderIds",
      { missing: missing.length },
    );
  }
  return found
    .flatMap((o) => (o ? [o] : []))
    .filter(
      (o) =>
        (!selection.orderIds ||
          ((!selection.channelId || o.channelId === selection.channelId) &&
            (!selection.status || o.status === selection.status))) &&
        (!selection.from || o.createdAt >= selection.from) &&
        (!selection.to || o.createdAt < selection.to),
    )
    .sort((a, b) => a.placedAt.localeCompare(b.placedAt) || a.orderId.localeCompare(b.orderId));
}

async function inBatches<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += READ_BATCH) {
    out.push(...(await Promise.all(items.slice(i, i + READ_BATCH).map(read))));
  }
  return out;
}
