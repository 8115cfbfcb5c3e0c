// Routing simulation, pure: runs stored orders through the current published cascade and through a
// draft cascade (the same engine the route step uses, dose.ts), each against its own working copy of
// the stock and capacity read now (stock-ledger.ts), and compares the two: per order the assignments
// before and after, and for each side the aggregates a merchant judges a rule change by (outcomes,
// split rate, parcels, shipping cost, distance). Nothing is reserved or written: the caller only reads.
import { z } from "zod";
import { distanceKm, type Location } from "../inventory/location.ts";
import type { Channel } from "../order/channel.ts";
import { type Order, orderStatusSchema } from "../order/order.ts";
import { type CapacityUse, type DoseDecision, type PositionDecision, routeWithRules } from "./dose.ts";
import type { StockBySku } from "./routing-problem.ts";
import { type PublishedRuleSet, ruleSetDefinitionSchema, ruleSetIdSchema } from "./rule-set.ts";
import { StockLedger } from "./stock-ledger.ts";

export const MAX_SIMULATED_ORDERS = 500;

/** One change the draft cascade makes to the published one. */
export const cascadeChangeSchema = z.union([
  z
    .strictObject({ ruleSetId: ruleSetIdSchema, version: z.number().int().positive() })
    .describe("A stored version (usually a DRAFT) replaces the rule set's published version, or joins"),
  z
    .strictObject({ ruleSetId: ruleSetIdSchema, definition: ruleSetDefinitionSchema })
    .describe("An unsaved definition replaces the rule set's published version, or joins"),
  z.strictObject({ ruleSetId: ruleSetIdSchema, remove: z.literal(true) }).describe("The rule set leaves"),
]);
export type CascadeChange = z.infer<typeof cascadeChangeSchema>;

/** POST /routing/simulations. */
export const simulationRequestSchema = z.strictObject({
  draft: z
    .array(cascadeChangeSchema)
    .min(1)
    .max(50)
    .refine(
      (changes) => new Set(changes.map((c) => c.ruleSetId)).size === changes.length,
      "each rule set appears at most once in the draft",
    )
    .describe("How the draft cascade differs from the published one"),
  /** True: the draft cascade is exactly the listed rule sets (removals ignored); false: published + changes. */
  replaceCascade: z.boolean().default(false),
  orders: z
    .strictObject({
      orderIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_SIMULATED_ORDERS).optional(),
      channelId: z.string().min(1).max(64).optional(),
      status: orderStatusSchema.optional(),
      /** Orders received (createdAt) at or after this instant. */
      from: z.iso.datetime({ offset: true }).optional(),
      /** Orders received before this instant. */
      to: z.iso.datetime({ offset: true }).optional(),
      limit: z.number().int().min(1).max(MAX_SIMULATED_ORDERS).default(100),
    })
    .refine(
      (o) => o.orderIds !== undefined || o.channelId !== undefined || o.status !== undefined,
      "select orders by orderIds, channelId or status",
    )
    .refine((o) => o.from === undefined || o.to === undefined || o.from < o.to, {
      message: "from must be before to",
      path: ["to"],
    }),
  /**
   * placed: each order is routed at its placement time (calendar, cut-off, downtime as then); now: at the
   * time of the simulation. Stock and capacity are always as they are now.
   */
  routeAt: z.enum(["placed", "now"]).default("placed"),
  /**
   * shared: orders are routed in placement order against one copy of the stock per cascade (later ones
   * see what earlier ones took; the selected orders' own reservations are back in the pool);
   * independent: every order sees the whole current stock plus its own reservations.
   */
  stockView: z.enum(["shared", "independent"]).default("shared"),
  /** List unchanged orders in `orders` too (they always count in the aggregates). */
  includeUnchanged: z.boolean().default(false),
});
export type SimulationRequest = z.infer<typeof simulationRequestSchema>;
export type SimulationRequestInput = z.input<typeof simulationRequestSchema>;

/** The draft cascade: the published rule sets with the changes applied (or only the changes). */
export function draftCascade(
  published: readonly PublishedRuleSet[],
  changes: readonly (PublishedRuleSet | { ruleSetId: string; remove: true })[],
  replace: boolean,
): PublishedRuleSet[] {
  const byId = new Map(replace ? [] : published.map((r) => [r.ruleSetId, r]));
  for (const change of changes) {
    if ("remove" in change) byId.delete(change.ruleSetId);
    else byId.set(change.ruleSetId, change);
  }
  return [...byId.values()];
}

export type SimulatedOutcome = "ROUTED" | "CHECK_ANNOUNCED" | "NOT_ANNOUNCED";

export interface SimulatedPosition {
  lineId: string;
  outcome: PositionDecision["outcome"];
  allocations?: { locationId: string; quantity: number }[];
  ruleSet?: string;
  reason?: string;
}

export interface SimulatedRouting {
  /** How the order would end routing: any NOT_ANNOUNCED position wins, then CHECK_ANNOUNCED. */
  outcome: SimulatedOutcome;
  positions: SimulatedPosition[];
  /** Locations shipping assigned units (one parcel each). */
  locations: string[];
  parcels: number;
  /** Sum over the parcels of the location's perParcel + perKm x km + perUnit x units. */
  shippingCost: number;
  /** Mean distance from the parcels' locations to the customer (parcels with known coordinates). */
  meanDistanceKm?: number;
}

export interface SimulatedOrder {
  orderId: string;
  channelId: string;
  status: Order["status"];
  total: number;
  changed: boolean;
  before: SimulatedRouting;
  after: SimulatedRouting;
}

export interface SimulationAggregates {
  orders: number;
  routed: number;
  checkAnnounced: number;
  notAnnounced: number;
  positions: { assigned: number; backordered: number; checkAnnounced: number; notAnnounced: number };
  /** Routed orders shipped in more than one parcel. */
  splitOrders: number;
  /** splitOrders / routed, percent. */
  splitRatePct: number;
  parcels: number;
  parcelsPerRoutedOrder: number;
  shippingCost: number;
  meanDistanceKm: number | null;
  /** Positions assigned per rule set version ("id@version"). */
  byRuleSet: Record<string, number>;
}

export interface SimulationReport {
  at: string;
  cascade: {
    before: { ruleSetId: string; version: number; rank: number }[];
    after: { ruleSetId: string; version: number; rank: number }[];
  };
  ordersSimulated: number;
  ordersChanged: number;
  before: SimulationAggregates;
  after: SimulationAggregates;
  /** after - before for each number of the aggregates. */
  delta: Record<string, number>;
  /** Orders not simulated (their channel is gone). */
  skipped: { orderId: string; reason: string }[];
  /** Changed orders (and unchanged ones when asked), in the order they were routed. */
  orders: SimulatedOrder[];
}

export interface SimulationInput {
  /** In the order they are routed (the caller sorts: placement time, then id). */
  orders: readonly Order[];
  channels: ReadonlyMap<string, Channel>;
  locations: readonly Location[];
  /** Reservable units now, per SKU and location, for every SKU of the orders. */
  stock: StockBySku;
  /** The selected orders' own active reservations: back in the pool, since the orders are re-routed. */
  ownReservations: readonly { orderId: string; sku: string; locationId: string; quantity: number }[];
  capacityUsed: CapacityUse;
  current: readonly PublishedRuleSet[];
  draft: readonly PublishedRuleSet[];
  /** The simulation's own time (`routeAt: now`, and the report's). */
  now: string;
  routeAt: SimulationRequest["routeAt"];
  stockView: SimulationRequest["stockView"];
  includeUnchanged: boolean;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Runs both cascades over the orders and compares them. Pure and deterministic. */
export function simulateRouting(input: SimulationInput): SimulationReport {
  const locations = new Map(input.locations.map((l) => [l.locationId, l]));
  const pool = new StockLedger(input.stock, input.capacityUsed);
  const own = new Map<string, SimulationInput["ownReservations"][number][]>();
  for (const r of input.ownReservations) {
    if (input.stockView === "shared") pool.give(r.sku, r.locationId, r.quantity);
    else own.set(r.orderId, [...(own.get(r.orderId) ?? []), r]);
  }
  const ledgers = { before: pool, after: pool.clone() };
  const skipped: SimulationReport["skipped"] = [];
  const results: SimulatedOrder[] = [];
  const sides = { before: [] as SimulatedRouting[], after: [] as SimulatedRouting[] };

  for (const order of input.orders) {
    const channel = input.channels.get(order.channelId);
    if (!channel) {
      skipped.push({ orderId: order.orderId, reason: `channel ${order.channelId} does not exist` });
      continue;
    }
    const at = input.routeAt === "now" ? input.now : order.placedAt;
    const lineIds = order.positions.map((p) => p.lineId);
    const skus = new Set(order.positions.map((p) => p.sku));
    const skuOf = (lineId: string) => order.positions.find((p) => p.lineId === lineId)?.sku;
    const run = (side: "before" | "after"): SimulatedRouting => {
      let ledger = ledgers[side];
      if (input.stockView === "independent") {
        ledger = ledger.clone();
        for (const r of own.get(order.orderId) ?? []) ledger.give(r.sku, r.locationId, r.quantity);
      }
      const decision = routeWithRules({
        order,
        lineIds,
        channel,
        locations: input.locations,
        stock: ledger.stockOf(skus),
        capacityUsed: ledger.capacityUsed(),
        ruleSets: side === "before" ? input.current : input.draft,
        at,
      });
      if (input.stockView === "shared") ledger.take(decision, skuOf);
      return describeRouting(order, decision, locations);
    };
    const before = run("before");
    const after = run("after");
    sides.before.push(before);
    sides.after.push(after);
    const changed = fingerprint(before) !== fingerprint(after);
    if (changed || input.includeUnchanged) {
      results.push({
        orderId: order.orderId,
        channelId: order.channelId,
        status: order.status,
        total: order.total,
        changed,
        before,
        after,
      });
    }
  }

  const before = aggregate(sides.before);
  const after = aggregate(sides.after);
  const cascadeView = (ruleSets: readonly PublishedRuleSet[]) =>
    ruleSets
      .filter((r) => r.definition.enabled)
      .map((r) => ({ ruleSetId: r.ruleSetId, version: r.version, rank: r.definition.rank }))
      .sort((a, b) => a.rank - b.rank || a.ruleSetId.localeCompare(b.ruleSetId));
  return {
    at: input.now,
    cascade: { before: cascadeView(input.current), after: cascadeView(input.draft) },
    ordersSimulated: sides.before.length,
    ordersChanged: sides.before.filter((b, i) => fingerprint(b) !== fingerprint(sides.after[i] ?? b)).length,
    before,
    after,
    delta: delta(before, after),
    skipped,
    orders: results,
  };
}

/** One order's decision as the report shows it, with parcels, shipping cost and distance. */
export function describeRouting(
  order: Order,
  decision: DoseDecision,
  locations: ReadonlyMap<string, Location>,
): SimulatedRouting {
  const units = new Map<string, number>();
  const positions: SimulatedPosition[] = decision.positions.map((d) => {
    switch (d.outcome) {
      case "ASSIGNED": {
        const allocations = d.allocations
          .map((a) => ({ locationId: a.locationId, quantity: a.quantity }))
          .sort((a, b) => a.locationId.localeCompare(b.locationId));
        for (const a of allocations) units.set(a.locationId, (units.get(a.locationId) ?? 0) + a.quantity);
        return { lineId: d.lineId, outcome: d.outcome, allocations, ruleSet: `${d.ruleSetId}@${d.version}` };
      }
      case "BACKORDERED":
        return { lineId: d.lineId, outcome: d.outcome, allocations: [], reason: d.reason };
      default:
        return { lineId: d.lineId, outcome: d.outcome, reason: d.reason };
    }
  });
  const destination = order.shippingAddress.coordinates;
  let shippingCost = 0;
  const distances: number[] = [];
  for (const [locationId, n] of units) {
    const location = locations.get(locationId);
    const km =
      destination && location?.coordinates ? distanceKm(location.coordinates, destination) : undefined;
    if (km !== undefined) distances.push(km);
    const cost = location?.shippingCost;
    if (cost) shippingCost += cost.perParcel + cost.perUnit * n + cost.perKm * (km ?? 0);
  }
  const outcome: SimulatedOutcome = positions.some((p) => p.outcome === "NOT_ANNOUNCED")
    ? "NOT_ANNOUNCED"
    : positions.some((p) => p.outcome === "CHECK_ANNOUNCED")
      ? "CHECK_ANNOUNCED"
      : "ROUTED";
  const routing: SimulatedRouting = {
    outcome,
    positions,
    locations: [...units.keys()].sort(),
    parcels: units.size,
    shippingCost: round(shippingCost),
    ...(distances.length > 0
      ? { meanDistanceKm: round(distances.reduce((s, d) => s + d, 0) / distances.length, 1) }
      : {}),
  };
  distanceOf.set(routing, { sum: distances.reduce((s, d) => s + d, 0), parcels: distances.length });
  return routing;
}

/** Unrounded distance totals of each described routing, for the aggregate's mean over parcels. */
const distanceOf = new WeakMap<SimulatedRouting, { sum: number; parcels: number }>();

/** What "the assignments changed" compares: each position's outcome and allocations. */
function fingerprint(routing: SimulatedRouting): string {
  return routing.positions
    .map(
      (p) =>
        `${p.lineId}:${p.outcome}:${(p.allocations ?? []).map((a) => `${a.locationId}=${a.quantity}`).join(",")}`,
    )
    .join("|");
}

export function aggregate(routings: readonly SimulatedRouting[]): SimulationAggregates {
  const routed = routings.filter((r) => r.outcome === "ROUTED");
  const splitOrders = routed.filter((r) => r.parcels > 1).length;
  const count = (outcome: PositionDecision["outcome"]) =>
    routings.reduce((s, r) => s + r.positions.filter((p) => p.outcome === outcome).length, 0);
  const byRuleSet: Record<string, number> = {};
  let distanceSum = 0;
  let distanceParcels = 0;
  for (const r of routings) {
    for (const p of r.positions) if (p.ruleSet) byRuleSet[p.ruleSet] = (byRuleSet[p.ruleSet] ?? 0) + 1;
    // The mean over every parcel of the selection (with known coordinates), not over orders.
    const d = distanceOf.get(r) ?? { sum: (r.meanDistanceKm ?? 0) * r.parcels, parcels: r.parcels };
    if (r.meanDistanceKm !== undefined) {
      distanceSum += d.sum;
      distanceParcels += d.parcels;
    }
  }
  const parcels = routings.reduce((s, r) => s + r.parcels, 0);
  const routedParcels = routed.reduce((s, r) => s + r.parcels, 0);
  return {
    orders: routings.length,
    routed: routed.length,
    checkAnnounced: routings.filter((r) => r.outcome === "CHECK_ANNOUNCED").length,
    notAnnounced: routings.filter((r) => r.outcome === "NOT_ANNOUNCED").length,
    positions: {
      assigned: count("ASSIGNED"),
      backordered: count("BACKORDERED"),
      checkAnnounced: count("CHECK_ANNOUNCED"),
      notAnnounced: count("NOT_ANNOUNCED"),
    },
    splitOrders,
    splitRatePct: routed.length === 0 ? 0 : round((100 * splitOrders) / routed.length),
    parcels,
    parcelsPerRoutedOrder: routed.length === 0 ? 0 : round(routedParcels / routed.length),
    shippingCost: round(routings.reduce((s, r) => s + r.shippingCost, 0)),
    meanDistanceKm: distanceParcels === 0 ? null : round(distanceSum / distanceParcels, 1),
    byRuleSet,
  };
}

function delta(before: SimulationAggregates, after: SimulationAggregates): Record<string, number> {
  const out: Record<string, number> = {};
  const scalar = (key: string, a: number | null, b: number | null) => {
    if (a !== null && b !== null) out[key] = round(b - a);
  };
  for (const key of [
    "routed",
    "checkAnnounced",
    "notAnnounced",
    "splitOrders",
    "splitRatePct",
    "parcels",
    "parcelsPerRoutedOrder",
    "shippingCost",
    "meanDistanceKm",
  ] as const) {
    scalar(key, before[key], after[key]);
  }
  for (const key of ["assigned", "backordered", "checkAnnounced", "notAnnounced"] as const) {
    scalar(`positions.${key}`, before.positions[key], after.positions[key]);
  }
  return out;
}
