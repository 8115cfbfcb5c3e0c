// DOSE over rule sets (domain/routing/dose.ts): the cascade (first matching rule set that assigns wins,
// else the next), filters named in the trace, the delivery promise (CHECK_ANNOUNCED when stock exists
// but no rule set can keep it), NOT_ANNOUNCED and backorder; and, on random networks and orders, the
// engine's promises: never more than available, never more parcels than the max split, never a
// filtered-out location, the same decision for the same input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Location, locationSchema } from "../../domain/inventory/location.ts";
import type { Channel } from "../../domain/order/channel.ts";
import type { Order } from "../../domain/order/order.ts";
import { type DoseInput, routeWithRules } from "../../domain/routing/dose.ts";
import { plannedShipDate } from "../../domain/routing/promise.ts";
import {
  type PublishedRuleSet,
  type RuleSetDefinitionInput,
  ruleSetDefinitionSchema,
} from "../../domain/routing/rule-set.ts";
import { sampleOrder } from "../support/order-fixtures.ts";

const AT = "2026-11-23T09:00:00.000Z"; // a Monday, 10:00 in Berlin
const COLOGNE = { lat: 50.94, lon: 6.96 };

function loc(locationId: string, patch: Partial<Location> = {}): Location {
  return locationSchema.parse({
    locationId,
    name: locationId,
    kind: "WAREHOUSE",
    address: { postalCode: "10115", city: "Berlin", country: "DE" },
    coordinates: { lat: 52.52, lon: 13.4 },
    timeZone: "Europe/Berlin",
    networks: ["all"],
    createdAt: AT,
    updatedAt: AT,
    version: 1,
    ...patch,
  });
}

const channel: Channel = {
  channelId: "web-de",
  merchantId: "m1",
  name: "Web",
  orderTypes: ["HOME_DELIVERY"],
  defaultLocationId: "wh",
  shipToCountries: ["DE"],
  active: true,
  inventory: {
    locationIds: [],
    networks: ["all"],
    whenOutOfStock: "NOT_ANNOUNCED",
    reservationHoldMinutes: 60,
  },
};

function order(
  positions: { sku: string; quantity: number; hazardous?: boolean }[],
  patch: Partial<Order> = {},
): Order {
  const base = sampleOrder();
  return {
    ...base,
    shippingAddress: { ...base.shippingAddress, coordinates: COLOGNE },
    positions: positions.map((p, i) => ({ lineId: String(i + 1), unitPrice: 10, status: "OPEN", ...p })),
    ...patch,
  };
}

function ruleSet(
  ruleSetId: string,
  def: Omit<RuleSetDefinitionInput, "name"> & { name?: string },
): PublishedRuleSet {
  return { ruleSetId, version: 1, definition: ruleSetDefinitionSchema.parse({ name: ruleSetId, ...def }) };
}

function input(patch: Partial<DoseInput>): DoseInput {
  return {
    order: order([{ sku: "A", quantity: 1 }]),
    channel,
    locations: [],
    stock: {},
    capacityUsed: {},
    ruleSets: [],
    at: AT,
    ...patch,
  };
}

describe("the cascade", () => {
  const locations = [loc("wh", { priority: 10 }), loc("store", { kind: "STORE", priority: 50 })];
  const stock = { A: [{ locationId: "store", available: 5 }], B: [{ locationId: "wh", available: 5 }] };

  it("skips a rule set whose conditions do not match, and one that cannot assign", () => {
    const decision = routeWithRules(
      input({
        locations,
        stock,
        ruleSets: [
          ruleSet("vip-only", {
            rank: 1,
            conditions: { fact: "order.customerTier", op: "eq", value: "gold" },
          }),
          ruleSet("warehouses", { rank: 2, filters: { kinds: ["WAREHOUSE"] } }),
          ruleSet("stores", { rank: 3, filters: { kinds: ["STORE"] } }),
        ],
      }),
    );
    expect(decision.positions).toEqual([
      expect.objectContaining({ lineId: "1", outcome: "ASSIGNED", ruleSetId: "stores", version: 1 }),
    ]);
    const [vip, warehouses, stores] = decision.trace.ruleSets;
    expect(vip?.notMatched[0]?.why).toContain("order.customerTier eq gold: false");
    expect(warehouses?.filtered).toEqual([{ filter: "KIND", locationIds: ["store"] }]);
    expect(warehouses?.unassignedReason).toBeDefined();
    expect(stores?.winner?.locations).toEqual(["store"]);
    expect(decision.ruleSets).toEqual([{ ruleSetId: "stores", version: 1 }]);
  });

  it("routes positions by different rule sets when their facts differ (hazardous goods from warehouses)", () => {
    const both = {
      A: [
        { locationId: "wh", available: 5 },
        { locationId: "store", available: 5 },
      ],
    };
    const decision = routeWithRules(
      input({
        order: order([
          { sku: "A", quantity: 1, hazardous: true },
          { sku: "A", quantity: 1 },
        ]),
        locations: [loc("wh", { priority: 90 }), loc("store", { kind: "STORE", priority: 1 })],
        stock: both,
        ruleSets: [
          ruleSet("dangerous", {
            rank: 1,
            conditions: { fact: "position.hazardous", op: "eq", value: true },
            filters: { kinds: ["WAREHOUSE"] },
          }),
          ruleSet("rest", { rank: 2 }),
        ],
      }),
    );
    const where = decision.positions.map((p) =>
      p.outcome === "ASSIGNED" ? p.allocations[0]?.locationId : p.outcome,
    );
    expect(where).toEqual(["wh", "store"]);
  });

  it("routes what no published rule set matches by the built-in default (fewest parcels, then priority)", () => {
    const decision = routeWithRules(
      input({
        locations,
        stock: {
          A: [
            { locationId: "wh", available: 1 },
            { locationId: "store", available: 1 },
          ],
        },
        ruleSets: [
          ruleSet("gold", { rank: 1, conditions: { fact: "order.customerTier", op: "eq", value: "gold" } }),
        ],
      }),
    );
    expect(decision.positions[0]).toMatchObject({ outcome: "ASSIGNED", ruleSetId: "built-in-default" });
    expect(decision.positions[0]).toMatchObject({ allocations: [{ locationId: "wh" }] });
    expect(decision.trace.ruleSets.map((r) => r.ruleSetId)).toEqual(["gold", "built-in-default"]);
  });

  it("CHECK_ANNOUNCED when the stock is too far for the promise; the next rule set with a longer promise assigns", () => {
    const far = [loc("far", { coordinates: { lat: 38.7, lon: -9.1 } })]; // Lisbon
    const farStock = { A: [{ locationId: "far", available: 3 }] };
    const strict = ruleSet("express", { rank: 1, deliveryPromise: { withinDays: 1 } });
    const late = routeWithRules(input({ locations: far, stock: farStock, ruleSets: [strict] }));
    expect(late.positions[0]).toMatchObject({ outcome: "CHECK_ANNOUNCED", candidates: ["far"] });
    expect(late.trace.ruleSets[0]?.filtered).toEqual([{ filter: "PROMISE", locationIds: ["far"] }]);

    const relaxed = ruleSet("standard", { rank: 2, deliveryPromise: { withinDays: 1, toleranceDays: 5 } });
    const chained = routeWithRules(input({ locations: far, stock: farStock, ruleSets: [strict, relaxed] }));
    expect(chained.positions[0]).toMatchObject({ outcome: "ASSIGNED", ruleSetId: "standard" });
  });

  it("NOT_ANNOUNCED without stock anywhere; BACKORDERED when the channel backorders", () => {
    const none = routeWithRules(input({ locations }));
    expect(none.positions[0]).toMatchObject({ outcome: "NOT_ANNOUNCED" });
    const backorder = routeWithRules(
      input({
        locations,
        channel: { ...channel, inventory: { ...channel.inventory!, whenOutOfStock: "BACKORDER" } },
      }),
    );
    expect(backorder.positions[0]).toMatchObject({ outcome: "BACKORDERED", locationId: "wh" });
  });

  it("re-allocates without the locations that rejected the position, also when it backorders", () => {
    const rejected = order([{ sku: "A", quantity: 1 }]).positions.map((p) => ({
      ...p,
      rejections: [{ locationId: "store", reason: "damaged", at: AT }],
    }));
    const again = routeWithRules(input({ order: { ...order([]), positions: rejected }, locations, stock }));
    expect(again.positions[0]).toMatchObject({ outcome: "NOT_ANNOUNCED" });
    expect(JSON.stringify(again.trace)).toContain('"REJECTED"');
    const twice = rejected.map((p) => ({
      ...p,
      rejections: [...p.rejections, { locationId: "wh", reason: "closed", at: AT }],
    }));
    const backorders = {
      ...channel,
      inventory: { ...channel.inventory!, whenOutOfStock: "BACKORDER" as const },
    };
    const elsewhere = routeWithRules(
      input({ order: { ...order([]), positions: twice }, locations, stock: {}, channel: backorders }),
    );
    // Neither the default location nor the store: they both rejected it; nothing else is usable.
    expect(elsewhere.positions[0]?.outcome).not.toBe("BACKORDERED");
    const backorderOnly = routeWithRules(
      input({ order: { ...order([]), positions: rejected }, locations, stock: {}, channel: backorders }),
    );
    expect(backorderOnly.positions[0]).toMatchObject({ outcome: "BACKORDERED", locationId: "wh" });
  });

  it("leaves a rejecting location out only for the SKU it rejected", () => {
    const both = { A: [{ locationId: "store", available: 5 }], B: [{ locationId: "store", available: 5 }] };
    const positions = order([
      { sku: "A", quantity: 1 },
      { sku: "B", quantity: 1 },
    ]).positions.map((p) =>
      p.sku === "A" ? { ...p, rejections: [{ locationId: "store", reason: "damaged", at: AT }] } : p,
    );
    const decision = routeWithRules(input({ order: { ...order([]), positions }, locations, stock: both }));
    expect(decision.positions.map((d) => [d.lineId, d.outcome])).toEqual([
      ["1", "NOT_ANNOUNCED"],
      ["2", "ASSIGNED"],
    ]);
  });

  it("filters by capacity used on the shipping day, downtime and visibility, and names each filter", () => {
    const ship = plannedShipDate(loc("x"), AT) ?? "";
    const decision = routeWithRules(
      input({
        locations: [
          loc("full", { capacity: { perDay: 2, unit: "ORDERS" } }),
          loc("down", { downtimes: [{ from: "2026-11-23T00:00:00Z", to: "2026-11-24T00:00:00Z" }] }),
          loc("hidden", { networks: ["other"] }),
          loc("ok", { priority: 999 }),
        ],
        stock: { A: ["full", "down", "hidden", "ok"].map((locationId) => ({ locationId, available: 9 })) },
        capacityUsed: { [`full|${ship}`]: { orders: 2, units: 7 } },
      }),
    );
    expect(decision.positions[0]).toMatchObject({ outcome: "ASSIGNED", allocations: [{ locationId: "ok" }] });
    expect(decision.trace.ruleSets[0]?.filtered).toEqual([
      { filter: "DOWNTIME", locationIds: ["down"] },
      { filter: "CAPACITY", locationIds: ["full"] },
      { filter: "NOT_VISIBLE", locationIds: ["hidden"] },
    ]);
    expect(decision.capacityUse).toEqual([{ locationId: "ok", date: ship, orders: 1, units: 1 }]);
  });

  it("keeps a store's last units (stock depth) and plans the ship date after the cut-off", () => {
    const store = loc("store", { kind: "STORE", cutOffTime: "10:30" });
    const rs = ruleSet("depth", { rank: 1, filters: { keepUnits: { kinds: ["STORE"], units: 2 } } });
    const twoLeft = routeWithRules(
      input({ locations: [store], stock: { A: [{ locationId: "store", available: 2 }] }, ruleSets: [rs] }),
    );
    expect(twoLeft.positions[0]?.outcome).toBe("CHECK_ANNOUNCED");
    const three = routeWithRules(
      input({ locations: [store], stock: { A: [{ locationId: "store", available: 3 }] }, ruleSets: [rs] }),
    );
    expect(three.positions[0]).toMatchObject({
      outcome: "ASSIGNED",
      allocations: [{ shipDate: "2026-11-23" }],
    });
    const late = routeWithRules(
      input({
        at: "2026-11-23T09:45:00Z",
        locations: [store],
        stock: { A: [{ locationId: "store", available: 3 }] },
        ruleSets: [rs],
      }),
    );
    expect(late.positions[0]).toMatchObject({
      allocations: [{ shipDate: "2026-11-24", deliveryDate: "2026-11-26" }],
    });
  });
});

describe("plannedShipDate", () => {
  it("moves past the cut-off in the location's own time zone, weekends and holidays", () => {
    const wh = loc("wh", { cutOffTime: "16:00", holidays: ["2026-11-30"] });
    expect(plannedShipDate(wh, "2026-11-27T14:59:00Z")).toBe("2026-11-27"); // Friday 15:59 Berlin
    expect(plannedShipDate(wh, "2026-11-27T15:00:00Z")).toBe("2026-12-01"); // after cut-off: Mon is a holiday
    const ny = loc("ny", { timeZone: "America/New_York", cutOffTime: "16:00" });
    expect(plannedShipDate(ny, "2026-11-24T20:30:00Z")).toBe("2026-11-24"); // 15:30 in New York
  });
});

describe("engine properties (random networks and orders)", () => {
  const arbitrary = fc.record({
    locations: fc.array(
      fc.record({
        kind: fc.constantFrom("WAREHOUSE", "STORE", "SUPPLIER") as fc.Arbitrary<Location["kind"]>,
        lat: fc.double({ min: 45, max: 55, noNaN: true }),
        lon: fc.double({ min: 5, max: 15, noNaN: true }),
        priority: fc.integer({ min: 0, max: 100 }),
        enabled: fc.boolean(),
        capacity: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        stock: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 4, maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    lines: fc.array(
      fc.record({ sku: fc.integer({ min: 0, max: 3 }), quantity: fc.integer({ min: 1, max: 5 }) }),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    used: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }),
    maxSplit: fc.integer({ min: 1, max: 4 }),
    splitPositions: fc.boolean(),
    kinds: fc.subarray(["WAREHOUSE", "STORE", "SUPPLIER"] as Location["kind"][], { minLength: 1 }),
    maxDistanceKm: fc.option(fc.integer({ min: 50, max: 800 }), { nil: undefined }),
  });

  it("never over-assigns, never exceeds the max split, never uses a filtered-out location, is deterministic", () => {
    fc.assert(
      fc.property(arbitrary, (c) => {
        const locations = c.locations.map((l, i) =>
          loc(`L${i}`, {
            kind: l.kind,
            coordinates: { lat: l.lat, lon: l.lon },
            priority: l.priority,
            enabled: l.enabled,
            ...(l.capacity ? { capacity: { perDay: l.capacity, unit: "ORDERS" as const } } : {}),
          }),
        );
        const stock = Object.fromEntries(
          [0, 1, 2, 3].map((s) => [
            `S${s}`,
            c.locations.map((l, i) => ({ locationId: `L${i}`, available: l.stock[s] ?? 0 })),
          ]),
        );
        const capacityUsed = Object.fromEntries(
          locations.map((l, i) => [
            `${l.locationId}|${plannedShipDate(l, AT)}`,
            { orders: c.used[i] ?? 0, units: 0 },
          ]),
        );
        const rs = ruleSet("r", {
          rank: 1,
          maxSplit: c.maxSplit,
          splitPositions: c.splitPositions,
          filters: { kinds: c.kinds, ...(c.maxDistanceKm ? { maxDistanceKm: c.maxDistanceKm } : {}) },
        });
        const o = order(c.lines.map((l) => ({ sku: `S${l.sku}`, quantity: l.quantity })));
        const doseInput = input({ order: o, locations, stock, capacityUsed, ruleSets: [rs] });
        const decision = routeWithRules(doseInput);
        expect(routeWithRules(doseInput)).toEqual(decision);

        const taken = new Map<string, number>();
        const used = new Set<string>();
        for (const d of decision.positions) {
          if (d.outcome !== "ASSIGNED") continue;
          const position = o.positions.find((p) => p.lineId === d.lineId)!;
          expect(d.allocations.reduce((s, a) => s + a.quantity, 0)).toBe(position.quantity);
          if (!c.splitPositions) expect(d.allocations).toHaveLength(1);
          for (const a of d.allocations) {
            const key = `${position.sku}@${a.locationId}`;
            taken.set(key, (taken.get(key) ?? 0) + a.quantity);
            used.add(a.locationId);
          }
        }
        for (const [key, n] of taken) {
          const [sku, locationId] = key.split("@");
          expect(n).toBeLessThanOrEqual(stock[sku!]!.find((l) => l.locationId === locationId)!.available);
        }
        expect(used.size).toBeLessThanOrEqual(c.maxSplit);
        for (const id of used) {
          const i = Number(id.slice(1));
          const l = locations[i]!;
          expect(l.enabled).toBe(true);
          expect(c.kinds).toContain(l.kind);
          if (l.capacity) expect(c.used[i]!).toBeLessThan(l.capacity.perDay);
          if (c.maxDistanceKm) {
            const filteredOut = decision.trace.ruleSets[0]!.filtered.flatMap((f) => f.locationIds);
            expect(filteredOut).not.toContain(id);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
