// The DOSE routing problem for one order and its cost function: what the optimiser and the per-SKU greedy
// both take and return, and the one place that says what a route costs. Plain data, no zod, no I/O: this
// runs once per order inside the routing Lambda, so the caller validates and filters at the edge
// (visibility, operational state, fulfillment kind) and hands over plain candidates.
//
// Cost of a route (docs/routing.md): every location used is one parcel and costs
//   weights.parcel
//   + weights.cost     * (perParcel + perKm * haversine(location, customer))
//   + weights.priority * priority
// plus, per unit it ships, weights.cost * perUnit. The parcel term is what makes splits expensive; the
// per-unit term is linear, so once the set of locations is fixed the cheapest assignment fills each SKU
// from the locations with the lowest per-unit cost.

export interface Coordinates {
  lat: number;
  lon: number;
}

export interface RoutingLine {
  lineId: string;
  sku: string;
  quantity: number;
}

export interface ShippingCostParameters {
  perParcel: number;
  perUnit: number;
  perKm: number;
}

export interface RoutingLocation {
  locationId: string;
  coordinates: Coordinates;
  /** Lower is preferred (the location model's priority). */
  priority: number;
  /** Orders the location can still take today (capacity unit ORDERS); absent = unlimited. */
  remainingOrders?: number;
  /** Units the location can still ship today (capacity unit UNITS); absent = unlimited. */
  remainingUnits?: number;
  shippingCost: ShippingCostParameters;
}

/** Units routing may reserve of one SKU at one location. */
export interface StockLevel {
  locationId: string;
  available: number;
}

/**
 * Per SKU, the locations holding it: the shape of the availability read model (one item per SKU listing
 * its locations, docs/inventory.md), so the routing Lambda passes what it read without reshaping and the
 * optimiser touches only the locations that hold the order's SKUs, not all 1,000.
 */
export type StockBySku = Readonly<Record<string, readonly StockLevel[]>>;

/** Looks up one SKU's units at one location (tests, checks; not the hot path). */
export function stockAt(stock: StockBySku, sku: string, locationId: string): number {
  return stock[sku]?.find((l) => l.locationId === locationId)?.available ?? 0;
}

export interface RoutingWeights {
  /** Per parcel (per location used). */
  parcel: number;
  /** On the shipping cost (perParcel, perKm x distance, perUnit x units); with perParcel = perUnit = 0 and
   * perKm = 1 it weighs plain distance. */
  cost: number;
  /** Per parcel, times the location's priority. */
  priority: number;
}

export interface RoutingProblem {
  lines: readonly RoutingLine[];
  destination: Coordinates;
  locations: readonly RoutingLocation[];
  /** Stock of (at least) the order's SKUs; levels at locations not in `locations` are ignored. */
  stock: StockBySku;
  weights: RoutingWeights;
  /** Most locations (parcels) one order may be split into. */
  maxSplit: number;
  /** Whether one line's units may come from several locations. */
  splitLines: boolean;
  /** Locations filtered out (by rules, by an operator): never used, reported in the trace. */
  excluded?: readonly string[];
}

export interface Allocation {
  locationId: string;
  quantity: number;
}

export interface RoutedLine {
  lineId: string;
  sku: string;
  allocations: Allocation[];
}

export type PruneReason =
  /** In `excluded`. */
  | "EXCLUDED"
  /** No orders or units of capacity left. */
  | "NO_CAPACITY"
  /** Holds none of the order's SKUs. */
  | "NO_STOCK"
  /** Another location covers the same lines at no more cost. */
  | "DOMINATED"
  /** Not among the best few locations for any of the order's SKUs. */
  | "OUTRANKED";

export interface RoutingTrace {
  /** Locations offered. */
  locations: number;
  /** Locations the search considered after pruning. */
  candidates: number;
  pruned: { locationId: string; reason: PruneReason }[];
  /** Locations used, in the order of the route. */
  chosen: string[];
  /** Search nodes expanded. */
  expansions: number;
  /** True when the search stopped at its budget: the route is the best found, not proven optimal. */
  budgetExhausted: boolean;
}

export type RoutingResult =
  | {
      routable: true;
      lines: RoutedLine[];
      /** Locations used (one parcel each), sorted by id. */
      locations: string[];
      parcels: number;
      cost: number;
      trace: RoutingTrace;
    }
  | { routable: false; reason: string; trace: RoutingTrace };

const EARTH_RADIUS_KM = 6371;
const RAD = Math.PI / 180;

/** Great-circle distance (haversine), km; the same formula as domain/inventory/location.ts, kept here so
 * the routing core does not load the location schema (zod) on the hot path. */
export function haversineKm(a: Coordinates, b: Coordinates): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** What using a location at all costs (one parcel): parcel, shipping base and distance, priority. */
export function parcelCost(
  location: RoutingLocation,
  destination: Coordinates,
  weights: RoutingWeights,
): number {
  const { perParcel, perKm } = location.shippingCost;
  return (
    weights.parcel +
    weights.cost * (perParcel + perKm * haversineKm(location.coordinates, destination)) +
    weights.priority * location.priority
  );
}

/** What each unit shipped from a location adds. */
export function unitCost(location: RoutingLocation, weights: RoutingWeights): number {
  return weights.cost * location.shippingCost.perUnit;
}

/** The cost of any route for the problem (the optimiser's, the greedy's, the MILP's): the one definition. */
export function routeCost(problem: RoutingProblem, lines: readonly RoutedLine[]): number {
  const units = new Map<string, number>();
  for (const line of lines) {
    for (const a of line.allocations) {
      if (a.quantity > 0) units.set(a.locationId, (units.get(a.locationId) ?? 0) + a.quantity);
    }
  }
  let cost = 0;
  for (const location of problem.locations) {
    const u = units.get(location.locationId);
    if (u === undefined) continue;
    cost +=
      parcelCost(location, problem.destination, problem.weights) + unitCost(location, problem.weights) * u;
  }
  return cost;
}

/** Whether a route is admissible for the problem; the reason when not (tests and benchmark check with it). */
export function routeViolation(problem: RoutingProblem, lines: readonly RoutedLine[]): string | undefined {
  const byId = new Map(problem.locations.map((l) => [l.locationId, l]));
  const excluded = new Set(problem.excluded ?? []);
  const taken = new Map<string, number>();
  const units = new Map<string, number>();
  if (lines.length !== problem.lines.length) return "not every line is routed";
  for (const [i, line] of lines.entries()) {
    const wanted = problem.lines[i];
    if (!wanted || wanted.lineId !== line.lineId) return `line ${i} is not ${wanted?.lineId}`;
    const used = line.allocations.filter((a) => a.quantity > 0);
    if (!problem.splitLines && used.length > 1) return `line ${line.lineId} is split`;
    if (used.reduce((s, a) => s + a.quantity, 0) !== wanted.quantity) return `line ${line.lineId} quantity`;
    for (const a of used) {
      const location = byId.get(a.locationId);
      if (!location) return `unknown location ${a.locationId}`;
      if (excluded.has(a.locationId)) return `excluded location ${a.locationId}`;
      const key = `${a.locationId}\u0000${line.sku}`;
      taken.set(key, (taken.get(key) ?? 0) + a.quantity);
      if ((taken.get(key) ?? 0) > stockAt(problem.stock, line.sku, a.locationId))
        return `more ${line.sku} than ${a.locationId} has`;
      units.set(a.locationId, (units.get(a.locationId) ?? 0) + a.quantity);
    }
  }
  if (units.size > problem.maxSplit)
    return `${units.size} locations exceed the max split ${problem.maxSplit}`;
  for (const [id, u] of units) {
    const location = byId.get(id);
    if (location?.remainingOrders !== undefined && location.remainingOrders < 1)
      return `${id} has no order capacity`;
    if (location?.remainingUnits !== undefined && u > location.remainingUnits) return `${id} unit capacity`;
  }
  return undefined;
}
