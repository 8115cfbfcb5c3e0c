// The routing simulation's pure core (domain/routing/simulation.ts): the draft cascade built from the
// published one, before/after per order, the aggregates (outcomes, split rate, parcels, shipping cost,
// distance), the shared stock view (later orders see what earlier ones took, the orders' own
// reservations are back in the pool), and that it never changes its inputs.
import { describe, expect, it } from "vitest";
import { type Location, locationSchema } from "../../domain/inventory/location.ts";
import type { Channel } from "../../domain/order/channel.ts";
import type { Order } from "../../domain/order/order.ts";
import {
  type PublishedRuleSet,
  type RuleSetDefinitionInput,
  ruleSetDefinitionSchema,
} from "../../domain/routing/rule-set.ts";
import {
  draftCascade,
  type SimulationInput,
  simulateRouting,
  simulationRequestSchema,
} from "../../domain/routing/simulation.ts";
import { StockLedger } from "../../domain/routing/stock-ledger.ts";
import { sampleOrder } from "../support/order-fixtures.ts";

const AT = "2026-11-23T09:00:00.000Z"; // a Monday, 10:00 in Berlin
const COLOGNE = { lat: 50.94, lon: 6.96 };
const BONN = { lat: 50.73, lon: 7.1 }; // ~25 km from Cologne
const BERLIN = { lat: 52.52, lon: 13.4 }; // ~480 km

function loc(locationId: string, patch: Partial<Location> = {}): Location {
  return locationSchema.parse({
    locationId,
    name: locationId,
    kind: "WAREHOUSE",
    address: { postalCode: "10115", city: "Berlin", country: "DE" },
    coordinates: BERLIN,
    timeZone: "Europe/Berlin",
    networks: ["all"],
    shippingCost: { currency: "EUR", perParcel: 5, perUnit: 0, perKm: 0.01 },
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

function order(orderId: string, positions: { sku: string; quantity: number }[], total = 100): Order {
  const base = sampleOrder();
  return {
    ...base,
    orderId,
    placedAt: AT,
    total,
    status: "ROUTED",
    shippingAddress: { ...base.shippingAddress, coordinates: COLOGNE },
    positions: positions.map((p, i) => ({ lineId: String(i + 1), unitPrice: 10, status: "ASSIGNED", ...p })),
  };
}

function ruleSet(
  ruleSetId: string,
  def: Omit<RuleSetDefinitionInput, "name">,
  version = 1,
): PublishedRuleSet {
  return { ruleSetId, version, definition: ruleSetDefinitionSchema.parse({ name: ruleSetId, ...def }) };
}

// Berlin warehouse: priority 10 (preferred by the published rule set); Bonn store: near the customer.
const locations = [
  loc("wh", { priority: 10 }),
  loc("store", { kind: "STORE", priority: 90, coordinates: BONN }),
];
const byPriority = ruleSet("default", {
  rank: 1,
  criteria: { parcel: 10, distance: 0, shippingCost: 0, priority: 1 },
});
const byDistance = ruleSet(
  "default",
  { rank: 1, criteria: { parcel: 10, distance: 1, shippingCost: 0, priority: 0 } },
  2,
);

function input(patch: Partial<SimulationInput>): SimulationInput {
  return {
    orders: [order("o1", [{ sku: "A", quantity: 1 }])],
    channels: new Map([[channel.channelId, channel]]),
    locations,
    stock: {
      A: [
        { locationId: "wh", available: 10 },
        { locationId: "store", available: 10 },
      ],
    },
    ownReservations: [],
    capacityUsed: {},
    current: [byPriority],
    draft: [byDistance],
    now: AT,
    routeAt: "placed",
    stockView: "shared",
    includeUnchanged: false,
    ...patch,
  };
}

describe("draftCascade", () => {
  const a = ruleSet("a", { rank: 1 });
  const b = ruleSet("b", { rank: 2 });
  it("replaces, adds and removes rule sets of the published cascade", () => {
    const a2 = ruleSet("a", { rank: 5 }, 2);
    const c = ruleSet("c", { rank: 3 });
    expect(draftCascade([a, b], [a2, c, { ruleSetId: "b", remove: true }], false)).toEqual([a2, c]);
  });
  it("is only the listed rule sets when it replaces the cascade", () => {
    expect(draftCascade([a, b], [b], true)).toEqual([b]);
  });
});

describe("simulateRouting", () => {
  it("reports the orders a draft moves, with both sides' cost and distance", () => {
    const report = simulateRouting(input({}));
    expect(report.ordersSimulated).toBe(1);
    expect(report.ordersChanged).toBe(1);
    const [o1] = report.orders;
    expect(o1?.before.locations).toEqual(["wh"]);
    expect(o1?.after.locations).toEqual(["store"]);
    expect(o1?.after.positions[0]).toMatchObject({ outcome: "ASSIGNED", ruleSet: "default@2" });
    expect(report.before.meanDistanceKm).toBeGreaterThan(400);
    expect(report.after.meanDistanceKm).toBeLessThan(40);
    // perParcel 5 + 0.01 per km: ~9.8 from Berlin, ~5.3 from Bonn.
    expect(report.before.shippingCost).toBeCloseTo(5 + 0.01 * (o1?.before.meanDistanceKm ?? 0), 1);
    expect(report.delta.shippingCost).toBeLessThan(-4);
    expect(report.delta.meanDistanceKm).toBeLessThan(-400);
    expect(report.cascade).toEqual({
      before: [{ ruleSetId: "default", version: 1, rank: 1 }],
      after: [{ ruleSetId: "default", version: 2, rank: 1 }],
    });
  });

  it("leaves unchanged orders out of the list unless asked, but counts them", () => {
    const same = simulateRouting(input({ draft: [byPriority] }));
    expect(same.ordersChanged).toBe(0);
    expect(same.orders).toEqual([]);
    expect(same.after).toEqual(same.before);
    expect(simulateRouting(input({ draft: [byPriority], includeUnchanged: true })).orders).toHaveLength(1);
  });

  it("counts outcomes, splits and parcels on each side", () => {
    // Two SKUs at two different locations: two parcels under a max split of 2, CHECK_ANNOUNCED under 1.
    const stock = { A: [{ locationId: "wh", available: 5 }], B: [{ locationId: "store", available: 5 }] };
    const orders = [
      order("o1", [
        { sku: "A", quantity: 1 },
        { sku: "B", quantity: 1 },
      ]),
    ];
    const report = simulateRouting(
      input({
        orders,
        stock,
        current: [ruleSet("default", { rank: 1, maxSplit: 2 })],
        draft: [ruleSet("default", { rank: 1, maxSplit: 1 }, 2)],
      }),
    );
    expect(report.before).toMatchObject({ routed: 1, splitOrders: 1, splitRatePct: 100, parcels: 2 });
    expect(report.after.routed).toBe(0);
    // The rule set routes the order's positions together: no single parcel holds both, so both wait for
    // an operator (the stock exists).
    expect(report.after.checkAnnounced).toBe(1);
    expect(report.after.positions).toMatchObject({ assigned: 0, checkAnnounced: 2 });
    expect(report.delta).toMatchObject({ routed: -1, checkAnnounced: 1, splitOrders: -1, parcels: -2 });
  });

  it("shares the stock between orders in the order given; the orders' own reservations are back in the pool", () => {
    const orders = [order("o1", [{ sku: "A", quantity: 2 }]), order("o2", [{ sku: "A", quantity: 2 }])];
    const stock = { A: [{ locationId: "store", available: 1 }] };
    const own = [{ orderId: "o1", sku: "A", locationId: "store", quantity: 2 }];
    const report = simulateRouting(
      input({
        orders,
        stock,
        ownReservations: own,
        current: [byDistance],
        draft: [byDistance],
        includeUnchanged: true,
      }),
    );
    // 1 free + 2 of o1's own = 3: o1 gets 2, o2 finds 1 of 2 left (stock exists: CHECK_ANNOUNCED).
    expect(report.orders.map((o) => o.before.outcome)).toEqual(["ROUTED", "CHECK_ANNOUNCED"]);
    const independent = simulateRouting(
      input({
        orders,
        stock,
        ownReservations: own,
        current: [byDistance],
        draft: [byDistance],
        includeUnchanged: true,
        stockView: "independent",
      }),
    );
    // Each order alone: o1 sees its own 2 + 1, o2 only the 1 free unit.
    expect(independent.orders.map((o) => o.before.outcome)).toEqual(["ROUTED", "CHECK_ANNOUNCED"]);
    const bigger = { A: [{ locationId: "store", available: 2 }] };
    const shared = simulateRouting(
      input({ orders, stock: bigger, current: [byDistance], draft: [byDistance], includeUnchanged: true }),
    );
    // 2 units shared: o1 takes both, o2 finds none.
    expect(shared.orders.map((o) => o.before.outcome)).toEqual(["ROUTED", "NOT_ANNOUNCED"]);
    const alone = simulateRouting(
      input({
        orders,
        stock: bigger,
        current: [byDistance],
        draft: [byDistance],
        includeUnchanged: true,
        stockView: "independent",
      }),
    );
    expect(alone.orders.map((o) => o.before.outcome)).toEqual(["ROUTED", "ROUTED"]);
  });

  it("skips orders whose channel is gone, changes none of its inputs and is deterministic", () => {
    const stranger = { ...order("o9", [{ sku: "A", quantity: 1 }]), channelId: "gone" };
    const data = input({ orders: [order("o1", [{ sku: "A", quantity: 1 }]), stranger] });
    const frozen = structuredClone({ orders: data.orders, stock: data.stock, locations: data.locations });
    const first = simulateRouting(data);
    expect(first.skipped).toEqual([{ orderId: "o9", reason: "channel gone does not exist" }]);
    expect({ orders: data.orders, stock: data.stock, locations: data.locations }).toEqual(frozen);
    expect(simulateRouting(data)).toEqual(first);
  });
});

describe("StockLedger", () => {
  it("takes a decision's allocations and capacity, and clones independently", () => {
    const ledger = new StockLedger(
      { A: [{ locationId: "x", available: 3 }] },
      { "x|2026-11-23": { orders: 1, units: 1 } },
    );
    const copy = ledger.clone();
    ledger.take(
      {
        positions: [
          {
            lineId: "1",
            outcome: "ASSIGNED",
            ruleSetId: "r",
            version: 1,
            allocations: [
              { locationId: "x", quantity: 2, shipDate: "2026-11-23", deliveryDate: "2026-11-25" },
            ],
          },
        ],
        capacityUse: [{ locationId: "x", date: "2026-11-23", orders: 1, units: 2 }],
        ruleSets: [],
        trace: { at: AT, ruleSets: [], summary: [] },
      },
      () => "A",
    );
    expect(ledger.stockOf(["A"])).toEqual({ A: [{ locationId: "x", available: 1 }] });
    expect(ledger.capacityUsed()).toEqual({ "x|2026-11-23": { orders: 2, units: 3 } });
    expect(copy.available("A", "x")).toBe(3);
  });
});

describe("simulationRequestSchema", () => {
  it("needs a selection and caps it at 500 orders", () => {
    const draft = [{ ruleSetId: "default", version: 2 }];
    expect(simulationRequestSchema.safeParse({ draft, orders: {} }).success).toBe(false);
    expect(simulationRequestSchema.safeParse({ draft, orders: { channelId: "c", limit: 501 } }).success).toBe(
      false,
    );
    const ok = simulationRequestSchema.parse({ draft, orders: { channelId: "c" } });
    expect(ok).toMatchObject({ routeAt: "placed", stockView: "shared", orders: { limit: 100 } });
    expect(
      simulationRequestSchema.safeParse({
        draft: [draft[0], { ruleSetId: "default", remove: true }],
        orders: { status: "ROUTED" },
      }).success,
    ).toBe(false);
  });
});
