// DOSE (Dynamic Order Supplier Evaluation) over rule sets, pure: no I/O, no clock (`at` is an input),
// read-only inputs, so it routes a live order in the route step and a stored one in a simulation alike.
//
// The cascade: rule sets in rank order; each takes the positions still open whose facts (order +
// position) match its conditions, (1) filters the locations holding their SKUs (visibility, operational
// state, kind, network, fulfillment kind, distance band, capacity on the shipping day, delivery promise
// within tolerance), (2) turns its criteria into the optimiser's weights and per-location costs, (3) lets
// the optimiser (optimizer.ts) pick the locations under stock, capacity and max split. Positions it
// assigns are done; the others move on to the next rule set. A position no rule set assigns is
// CHECK_ANNOUNCED when some matching rule set saw a location holding its SKU (an operator can decide),
// else NOT_ANNOUNCED (or backordered, by the channel's out-of-stock rule). Positions no published rule
// set matches (or all of them, when none is published) go to the built-in default rule set. The trace keeps, per rule set,
// which positions matched (and why the others did not), which filter removed each location, the
// candidates with their dates and scores, what the optimiser pruned and the winner.

import { whenOutOfStock } from "../inventory/availability.ts";
import { distanceKm, inDowntime, type Location } from "../inventory/location.ts";
import type { Channel } from "../order/channel.ts";
import { channelInventory } from "../order/channel.ts";
import type { Order, Position } from "../order/order.ts";
import { evaluateCondition } from "../rules/condition.ts";
import { routingFacts } from "../rules/order-facts.ts";
import { type OptimizerOptions, optimizeRoute } from "./optimizer.ts";
import { addDays, shipDates, transitDays } from "./promise.ts";
import {
  type Allocation,
  type Coordinates,
  type PruneReason,
  parcelCost,
  type RoutingLocation,
  type StockBySku,
} from "./routing-problem.ts";
import { BUILT_IN_RULE_SET, type PublishedRuleSet } from "./rule-set.ts";

/** Capacity already used, keyed by capacityKey(locationId, date). */
export type CapacityUse = Readonly<Record<string, { orders: number; units: number }>>;
export const capacityKey = (locationId: string, date: string): string => `${locationId}|${date}`;

export interface DoseInput {
  order: Order;
  /** Lines to route (default: every position still OPEN). */
  lineIds?: readonly string[];
  channel: Channel;
  locations: readonly Location[];
  /** Reservable units per SKU and location (at least the order's SKUs). */
  stock: StockBySku;
  capacityUsed: CapacityUse;
  /** Published rule sets (any order; the cascade sorts them). Empty: the built-in default. */
  ruleSets: readonly PublishedRuleSet[];
  at: string;
  optimizer?: OptimizerOptions;
}

export type LocationFilter =
  | "NOT_VISIBLE"
  | "DISABLED"
  | "DOWNTIME"
  | "KIND"
  | "NETWORK"
  | "LOCATION"
  /** The location rejected the position on submission (re-allocation). */
  | "REJECTED"
  | "FULFILLMENT_KIND"
  | "DISTANCE"
  | "CALENDAR"
  | "CAPACITY"
  | "PROMISE"
  | "STOCK_DEPTH";

export interface CandidateTrace {
  locationId: string;
  distanceKm?: number;
  shipDate: string;
  deliveryDate: string;
  /** Reservable units of each of the group's SKUs (after stock depth). */
  stock: Record<string, number>;
  /** What using this location costs (parcel, distance, shipping, priority), before units. */
  score: number;
}

export interface RuleSetTrace {
  ruleSetId: string;
  version: number;
  name: string;
  rank: number;
  matched: string[];
  /** Positions whose facts did not match, with the comparison that failed. */
  notMatched: { lineId: string; why: string }[];
  /** Locations holding the group's SKUs that a filter removed, grouped by filter. */
  filtered: { filter: LocationFilter; locationIds: string[] }[];
  candidates: CandidateTrace[];
  /** Candidates left out of `candidates` to keep the trace small (the cheapest are kept). */
  candidatesOmitted: number;
  optimizer?: {
    considered: number;
    pruned: Partial<Record<PruneReason, number>>;
    expansions: number;
    budgetExhausted: boolean;
  };
  /** Locations chosen, and the lines they got. */
  winner?: { locations: string[]; parcels: number; cost: number };
  assigned: string[];
  /** Why the open positions were not assigned here. */
  unassignedReason?: string;
}

export type PositionDecision =
  | {
      lineId: string;
      outcome: "ASSIGNED";
      ruleSetId: string;
      version: number;
      allocations: (Allocation & { shipDate: string; deliveryDate: string })[];
    }
  | { lineId: string; outcome: "BACKORDERED"; locationId: string; reason: string }
  | { lineId: string; outcome: "CHECK_ANNOUNCED"; reason: string; candidates: string[] }
  | { lineId: string; outcome: "NOT_ANNOUNCED"; reason: string };

export interface DoseDecision {
  positions: PositionDecision[];
  /** Capacity the assignments use, per location and shipping day (one order, units). */
  capacityUse: { locationId: string; date: string; orders: number; units: number }[];
  /** The rule set versions that assigned positions. */
  ruleSets: { ruleSetId: string; version: number }[];
  trace: DoseTrace;
}

export interface DoseTrace {
  at: string;
  destination?: Coordinates;
  ruleSets: RuleSetTrace[];
  /** One line per position: where it went and by which rule set, or why not. */
  summary: { lineId: string; outcome: PositionDecision["outcome"]; detail: string }[];
}

/** Candidates listed per rule set in the trace (all are counted). */
const TRACE_CANDIDATES = 25;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Routes the order's open positions through the cascade. Pure and deterministic. */
export function routeWithRules(input: DoseInput): DoseDecision {
  const { order, channel, at } = input;
  const wanted = new Set(
    input.lineIds ?? order.positions.filter((p) => p.status === "OPEN").map((p) => p.lineId),
  );
  let open: Position[] = order.positions.filter((p) => wanted.has(p.lineId));
  // The built-in default routes only what no published rule set's conditions matched.
  const ruleSets = [...sortCascade(input.ruleSets), BUILT_IN_RULE_SET];
  const matchedAny = new Set<string>();
  const destination = order.shippingAddress.coordinates;
  const byId = new Map(input.locations.map((l) => [l.locationId, l]));
  // Per location, computed once for all rule sets: visibility, distance, planned shipping date.
  const visibility = channelInventory(channel);
  const visibleIds = new Set([channel.defaultLocationId, ...visibility.locationIds]);
  const visibleNetworks = new Set(visibility.networks);
  const isVisible = (l: Location) =>
    visibleIds.has(l.locationId) || l.networks.some((n) => visibleNetworks.has(n));
  const distances = new Map<string, number | undefined>();
  const distanceOf = (l: Location) => {
    if (!distances.has(l.locationId)) {
      distances.set(
        l.locationId,
        destination && l.coordinates ? distanceKm(l.coordinates, destination) : undefined,
      );
    }
    return distances.get(l.locationId);
  };
  const shipDateOf = shipDates(at);
  // What removes a location whatever the rule set: not visible, disabled, in downtime.
  const closed = new Map<string, LocationFilter | undefined>();
  const closedBy = (l: Location) => {
    if (!closed.has(l.locationId)) {
      closed.set(
        l.locationId,
        !isVisible(l) ? "NOT_VISIBLE" : !l.enabled ? "DISABLED" : inDowntime(l, at) ? "DOWNTIME" : undefined,
      );
    }
    return closed.get(l.locationId);
  };
  const deliveries = new Map<string, string>();
  const deliveryOn = (shipDate: string, days: number) => {
    const key = `${shipDate}+${days}`;
    let date = deliveries.get(key);
    if (date === undefined) {
      date = addDays(shipDate, days);
      deliveries.set(key, date);
    }
    return date;
  };

  // Working copies: stock and capacity taken by earlier rule sets are gone for later ones.
  const stock = new Map<string, Map<string, number>>();
  for (const p of open) {
    if (stock.has(p.sku)) continue;
    const levels = new Map<string, number>();
    for (const level of input.stock[p.sku] ?? [])
      if (level.available > 0) levels.set(level.locationId, level.available);
    stock.set(p.sku, levels);
  }
  const used = new Map<string, { orders: number; units: number }>();
  const usedAt = (locationId: string, date: string) => {
    const key = capacityKey(locationId, date);
    const base = input.capacityUsed[key] ?? { orders: 0, units: 0 };
    const mine = used.get(key) ?? { orders: 0, units: 0 };
    return { orders: base.orders + mine.orders, units: base.units + mine.units, mine };
  };

  const decisions = new Map<string, PositionDecision>();
  const sawStock = new Map<string, Set<string>>();
  const traces: RuleSetTrace[] = [];

  for (const ruleSet of ruleSets) {
    if (open.length === 0) break;
    const def = ruleSet.definition;
    const trace: RuleSetTrace = {
      ruleSetId: ruleSet.ruleSetId,
      version: ruleSet.version,
      name: def.name,
      rank: def.rank,
      matched: [],
      notMatched: [],
      filtered: [],
      candidates: [],
      candidatesOmitted: 0,
      assigned: [],
    };
    traces.push(trace);
    const group: Position[] = [];
    const builtIn = ruleSet === BUILT_IN_RULE_SET;
    for (const p of open) {
      if (builtIn && matchedAny.has(p.lineId)) continue;
      const match = evaluateCondition(def.conditions, routingFacts(order, p));
      if (match.result) {
        group.push(p);
        matchedAny.add(p.lineId);
      } else trace.notMatched.push({ lineId: p.lineId, why: match.explanation });
    }
    if (builtIn && group.length === 0) {
      traces.pop();
      break;
    }
    trace.matched = group.map((p) => p.lineId);
    if (group.length === 0) {
      trace.unassignedReason = "no open position matches the conditions";
      continue;
    }

    // (1) filter the locations holding the group's SKUs.
    const skus = [...new Set(group.map((p) => p.sku))];
    const holders = [...new Set(skus.flatMap((sku) => [...(stock.get(sku)?.keys() ?? [])]))].sort();
    // Re-allocation: per SKU, the locations that rejected a position of it on submission. A location is
    // filtered out when it rejected every SKU of the group; otherwise only those SKUs' stock there is hidden.
    const rejectedFor = new Map<string, Set<string>>();
    for (const p of group) {
      for (const r of p.rejections ?? []) {
        const set = rejectedFor.get(p.sku) ?? new Set<string>();
        set.add(r.locationId);
        rejectedFor.set(p.sku, set);
      }
    }
    const rejectedHere = (sku: string, id: string) => rejectedFor.get(sku)?.has(id) ?? false;
    const filtered = new Map<LocationFilter, string[]>();
    const remove = (filter: LocationFilter, id: string) => {
      const list = filtered.get(filter) ?? [];
      list.push(id);
      filtered.set(filter, list);
    };
    const deadline =
      def.deliveryPromise.withinDays === undefined
        ? undefined
        : addDays(
            order.placedAt.slice(0, 10),
            def.deliveryPromise.withinDays + def.deliveryPromise.toleranceDays,
          );
    const f = def.filters;
    const passing: { location: Location; distance?: number; shipDate: string; deliveryDate: string }[] = [];
    for (const id of holders) {
      const location = byId.get(id);
      if (!location) {
        remove("NOT_VISIBLE", id);
        continue;
      }
      const closedFilter = closedBy(location);
      if (closedFilter) {
        remove(closedFilter, id);
        continue;
      }
      if (f.kinds && !f.kinds.includes(location.kind)) {
        remove("KIND", id);
        continue;
      }
      if (
        (f.networks && !location.networks.some((n) => f.networks?.includes(n))) ||
        (f.excludeNetworks && location.networks.some((n) => f.excludeNetworks?.includes(n)))
      ) {
        remove("NETWORK", id);
        continue;
      }
      if ((f.locationIds && !f.locationIds.includes(id)) || f.excludeLocationIds?.includes(id)) {
        remove("LOCATION", id);
        continue;
      }
      // Re-allocation: a location that rejected one of these positions on submission is not offered again.
      if (skus.every((sku) => rejectedHere(sku, id))) {
        remove("REJECTED", id);
        continue;
      }
      if (!location.fulfillmentKinds.includes(f.fulfillmentKind)) {
        remove("FULFILLMENT_KIND", id);
        continue;
      }
      const distance = distanceOf(location);
      if (
        (f.maxDistanceKm !== undefined || f.minDistanceKm !== undefined) &&
        (distance === undefined ||
          (f.maxDistanceKm !== undefined && distance > f.maxDistanceKm) ||
          (f.minDistanceKm !== undefined && distance < f.minDistanceKm))
      ) {
        remove("DISTANCE", id);
        continue;
      }
      const shipDate = shipDateOf(location);
      if (!shipDate) {
        remove("CALENDAR", id);
        continue;
      }
      if (f.respectCapacity && location.capacity) {
        const u = usedAt(id, shipDate);
        const full =
          location.capacity.unit === "ORDERS"
            ? u.orders >= location.capacity.perDay
            : u.units >= location.capacity.perDay;
        if (full) {
          remove("CAPACITY", id);
          continue;
        }
      }
      // A location past the deadline still shows that the SKU exists (CHECK_ANNOUNCED, not NOT_ANNOUNCED).
      for (const p of group) {
        if (!rejectedHere(p.sku, id) && (stock.get(p.sku)?.get(id) ?? 0) > 0) {
          const seen = sawStock.get(p.lineId) ?? new Set<string>();
          seen.add(id);
          sawStock.set(p.lineId, seen);
        }
      }
      const deliveryDate = deliveryOn(shipDate, transitDays(distance, def.deliveryPromise.transitDays));
      if (deadline !== undefined && deliveryDate > deadline) {
        remove("PROMISE", id);
        continue;
      }
      passing.push({ location, ...(distance === undefined ? {} : { distance }), shipDate, deliveryDate });
    }

    // (2) criteria -> the optimiser's problem.
    const c = def.criteria;
    const origin = destination ?? { lat: 0, lon: 0 };
    const routingLocations: RoutingLocation[] = [];
    const levels: Record<string, { locationId: string; available: number }[]> = {};
    const candidates: CandidateTrace[] = [];
    for (const { location, distance, shipDate, deliveryDate } of passing) {
      const keep = f.keepUnits?.kinds.includes(location.kind) ? f.keepUnits.units : 0;
      const units: Record<string, number> = {};
      let any = false;
      for (const sku of skus) {
        const n = rejectedHere(sku, location.locationId)
          ? 0
          : Math.max(0, (stock.get(sku)?.get(location.locationId) ?? 0) - keep);
        units[sku] = n;
        if (n > 0) {
          any = true;
          const list = levels[sku] ?? [];
          list.push({ locationId: location.locationId, available: n });
          levels[sku] = list;
        }
      }
      if (!any) {
        remove("STOCK_DEPTH", location.locationId);
        continue;
      }
      const cost = location.shippingCost ?? { perParcel: 0, perUnit: 0, perKm: 0 };
      const rl: RoutingLocation = {
        locationId: location.locationId,
        // Without the customer's coordinates distance cannot count: every location sits at the origin.
        coordinates: destination && location.coordinates ? location.coordinates : origin,
        priority: location.priority,
        shippingCost: {
          perParcel: c.shippingCost * cost.perParcel,
          perUnit: c.shippingCost * cost.perUnit,
          perKm: c.shippingCost * cost.perKm + c.distance,
        },
      };
      if (f.respectCapacity && location.capacity) {
        const u = usedAt(location.locationId, shipDate);
        if (location.capacity.unit === "ORDERS") rl.remainingOrders = location.capacity.perDay - u.orders;
        else rl.remainingUnits = location.capacity.perDay - u.units;
      }
      routingLocations.push(rl);
      const weights = { parcel: c.parcel, cost: 1, priority: c.priority };
      candidates.push({
        locationId: location.locationId,
        ...(distance === undefined ? {} : { distanceKm: round(distance, 1) }),
        shipDate,
        deliveryDate,
        stock: units,
        score: round(parcelCost(rl, origin, weights)),
      });
    }
    trace.filtered = [...filtered.entries()].map(([filter, locationIds]) => ({ filter, locationIds }));
    candidates.sort((a, b) => a.score - b.score || a.locationId.localeCompare(b.locationId));
    trace.candidates = candidates.slice(0, TRACE_CANDIDATES);
    trace.candidatesOmitted = Math.max(0, candidates.length - TRACE_CANDIDATES);

    // (3) optimise; positions no candidate can serve alone go on, the rest are routed together.
    const canServe = (p: Position) => {
      const supply = (levels[p.sku] ?? []).map((l) => l.available);
      return def.splitPositions
        ? supply.reduce((s, n) => s + n, 0) >= p.quantity
        : supply.some((n) => n >= p.quantity);
    };
    const servable = group.filter(canServe);
    if (servable.length === 0) {
      trace.unassignedReason =
        candidates.length === 0
          ? "no location passes the filters with stock"
          : "no candidate holds the quantity of any matched position";
      continue;
    }
    const problem = {
      lines: servable.map((p) => ({ lineId: p.lineId, sku: p.sku, quantity: p.quantity })),
      destination: origin,
      locations: routingLocations,
      stock: levels,
      weights: { parcel: c.parcel, cost: 1, priority: c.priority },
      maxSplit: def.maxSplit,
      splitLines: def.splitPositions,
    };
    const result = optimizeRoute(problem, input.optimizer);
    const pruned: Partial<Record<PruneReason, number>> = {};
    for (const p of result.trace.pruned) pruned[p.reason] = (pruned[p.reason] ?? 0) + 1;
    trace.optimizer = {
      considered: result.trace.candidates,
      pruned,
      expansions: result.trace.expansions,
      budgetExhausted: result.trace.budgetExhausted,
    };
    if (!result.routable) {
      trace.unassignedReason = result.reason;
      continue;
    }
    trace.winner = { locations: result.locations, parcels: result.parcels, cost: round(result.cost) };
    const dates = new Map(passing.map((p) => [p.location.locationId, p]));
    const unitsAt = new Map<string, number>();
    for (const line of result.lines) {
      const allocations = line.allocations
        .filter((a) => a.quantity > 0)
        .map((a) => {
          const d = dates.get(a.locationId);
          stock.get(line.sku)?.set(a.locationId, (stock.get(line.sku)?.get(a.locationId) ?? 0) - a.quantity);
          unitsAt.set(a.locationId, (unitsAt.get(a.locationId) ?? 0) + a.quantity);
          return { ...a, shipDate: d?.shipDate ?? "", deliveryDate: d?.deliveryDate ?? "" };
        });
      decisions.set(line.lineId, {
        lineId: line.lineId,
        outcome: "ASSIGNED",
        ruleSetId: ruleSet.ruleSetId,
        version: ruleSet.version,
        allocations,
      });
      trace.assigned.push(line.lineId);
    }
    for (const [locationId, units] of unitsAt) {
      const shipDate = dates.get(locationId)?.shipDate ?? "";
      const key = capacityKey(locationId, shipDate);
      const mine = used.get(key) ?? { orders: 0, units: 0 };
      used.set(key, { orders: mine.orders === 0 ? 1 : mine.orders, units: mine.units + units });
    }
    const done = new Set(trace.assigned);
    if (done.size < group.length) {
      trace.unassignedReason = "no candidate holds the quantity of the other matched positions";
    }
    open = open.filter((p) => !done.has(p.lineId));
  }

  // Positions left: CHECK_ANNOUNCED when stock was seen, else the channel's out-of-stock rule.
  const rule = visibility.whenOutOfStock;
  for (const p of open) {
    const seen = [...(sawStock.get(p.lineId) ?? [])].sort();
    if (seen.length > 0) {
      decisions.set(p.lineId, {
        lineId: p.lineId,
        outcome: "CHECK_ANNOUNCED",
        reason: `no rule set could assign ${p.quantity} x ${p.sku} within its limits (delivery promise, split, stock); ${seen.length} location(s) hold it`,
        candidates: seen.slice(0, 20),
      });
      continue;
    }
    const none = `no location passing the rules holds ${p.quantity} x ${p.sku}`;
    if (rule === "BACKORDER") {
      // Not at a location that rejected the position (re-allocation): another one backorders it.
      const rejected = new Set((p.rejections ?? []).map((r) => r.locationId));
      const backorderAt = rejected.size
        ? input.locations.filter((l) => !rejected.has(l.locationId))
        : input.locations;
      const backorder = whenOutOfStock(channel, backorderAt, p.sku, p.quantity, at);
      if (backorder.kind === "BACKORDER") {
        decisions.set(p.lineId, {
          lineId: p.lineId,
          outcome: "BACKORDERED",
          locationId: backorder.locationId,
          reason: none,
        });
        continue;
      }
    }
    decisions.set(p.lineId, { lineId: p.lineId, outcome: "NOT_ANNOUNCED", reason: none });
  }

  const positions = order.positions.flatMap((p) => {
    const d = decisions.get(p.lineId);
    return d ? [d] : [];
  });
  const versions = new Map<string, { ruleSetId: string; version: number }>();
  for (const d of positions) {
    if (d.outcome === "ASSIGNED") versions.set(d.ruleSetId, { ruleSetId: d.ruleSetId, version: d.version });
  }
  const capacityUse = [...used.entries()]
    .map(([key, u]) => {
      const [locationId = "", date = ""] = key.split("|");
      return { locationId, date, orders: u.orders, units: u.units };
    })
    .sort((a, b) => a.locationId.localeCompare(b.locationId) || a.date.localeCompare(b.date));
  return {
    positions,
    capacityUse,
    ruleSets: [...versions.values()],
    trace: {
      at,
      ...(destination ? { destination } : {}),
      ruleSets: traces,
      summary: positions.map((d) => ({ lineId: d.lineId, outcome: d.outcome, detail: describe(d) })),
    },
  };
}

function describe(d: PositionDecision): string {
  switch (d.outcome) {
    case "ASSIGNED":
      return `${d.allocations.map((a) => `${a.quantity} at ${a.locationId} (ships ${a.shipDate}, arrives ${a.deliveryDate})`).join(", ")} by rule set ${d.ruleSetId} v${d.version}`;
    case "BACKORDERED":
      return `backordered at ${d.locationId}: ${d.reason}`;
    default:
      return d.reason;
  }
}

function sortCascade(ruleSets: readonly PublishedRuleSet[]): PublishedRuleSet[] {
  return ruleSets
    .filter((r) => r.definition.enabled)
    .sort((a, b) => a.definition.rank - b.definition.rank || a.ruleSetId.localeCompare(b.ruleSetId));
}
