// The DOSE optimiser's promises: never more than a location holds, never more locations than the max
// split, never a filtered-out location, the same route for the same input; the known optimum on small
// hand-made orders and on random small ones (checked by enumerating every set of locations); and every
// order the Magento-style greedy can route is routed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { greedyPlan, greedyRoute } from "../../domain/routing/greedy.ts";
import { optimizeRoute } from "../../domain/routing/optimizer.ts";
import {
  parcelCost,
  type RoutingLocation,
  type RoutingProblem,
  routeCost,
  routeViolation,
  type StockBySku,
  stockAt,
  unitCost,
} from "../../domain/routing/routing-problem.ts";

const BERLIN = { lat: 52.52, lon: 13.4 };
const MUNICH = { lat: 48.14, lon: 11.58 };
const POTSDAM = { lat: 52.39, lon: 13.06 };

function loc(locationId: string, patch: Partial<RoutingLocation> = {}): RoutingLocation {
  return {
    locationId,
    coordinates: BERLIN,
    priority: 100,
    shippingCost: { perParcel: 5, perUnit: 0, perKm: 0.01 },
    ...patch,
  };
}

function problem(patch: Partial<RoutingProblem>): RoutingProblem {
  return {
    lines: [],
    destination: BERLIN,
    locations: [],
    stock: {},
    weights: { parcel: 10, cost: 1, priority: 0 },
    maxSplit: 3,
    splitLines: true,
    ...patch,
  };
}

// ---- random small problems
const SKU_POOL = ["A", "B", "C", "D"];

const problemArbitrary: fc.Arbitrary<RoutingProblem> = fc
  .record({
    locations: fc.array(
      fc.record({
        lat: fc.double({ min: 47, max: 55, noNaN: true }),
        lon: fc.double({ min: 6, max: 15, noNaN: true }),
        priority: fc.nat(100),
        perParcel: fc.nat(8),
        perUnit: fc.nat(3),
        perKm: fc.constantFrom(0, 0.005, 0.01),
        capacity: fc.oneof(
          fc.constant({}),
          fc.record({ remainingOrders: fc.nat(2) }),
          fc.record({ remainingUnits: fc.nat(8) }),
        ),
        stock: fc.array(fc.nat(6), { minLength: SKU_POOL.length, maxLength: SKU_POOL.length }),
        excluded: fc.boolean(),
      }),
      { minLength: 1, maxLength: 7 },
    ),
    lines: fc.array(
      fc.record({ sku: fc.constantFrom(...SKU_POOL), quantity: fc.integer({ min: 1, max: 6 }) }),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    maxSplit: fc.integer({ min: 1, max: 4 }),
    splitLines: fc.boolean(),
    weights: fc.record({
      parcel: fc.nat(20),
      cost: fc.constantFrom(0, 0.5, 1),
      priority: fc.constantFrom(0, 0.05),
    }),
  })
  .map(({ locations, lines, maxSplit, splitLines, weights }) => {
    const stock: Record<string, { locationId: string; available: number }[]> = {};
    const routingLocations = locations.map((l, k) => {
      const locationId = `L${k}`;
      l.stock.forEach((available, j) => {
        const sku = SKU_POOL[j] as string;
        if (available > 0) stock[sku] = [...(stock[sku] ?? []), { locationId, available }];
      });
      return {
        locationId,
        coordinates: { lat: l.lat, lon: l.lon },
        priority: l.priority,
        shippingCost: { perParcel: l.perParcel, perUnit: l.perUnit, perKm: l.perKm },
        ...l.capacity,
      };
    });
    return {
      lines: lines.map((line, i) => ({ lineId: `line-${i}`, ...line })),
      destination: BERLIN,
      locations: routingLocations,
      stock,
      weights,
      maxSplit,
      splitLines,
      excluded: routingLocations.filter((_, k) => locations[k]?.excluded).map((l) => l.locationId),
    };
  });

/** Units of each SKU routed from each location. */
function taken(lines: { sku: string; allocations: { locationId: string; quantity: number }[] }[]) {
  const out = new Map<string, number>();
  for (const line of lines) {
    for (const a of line.allocations) {
      const key = `${a.locationId}/${line.sku}`;
      out.set(key, (out.get(key) ?? 0) + a.quantity);
    }
  }
  return out;
}

const RUNS = { numRuns: 400 };

describe("optimizeRoute properties (fast-check)", () => {
  it("never assigns more than a location has, and routes every unit of every line", () => {
    fc.assert(
      fc.property(problemArbitrary, (p) => {
        const result = optimizeRoute(p);
        if (!result.routable) return;
        for (const [key, units] of taken(result.lines)) {
          const [locationId, sku] = key.split("/") as [string, string];
          expect(units).toBeLessThanOrEqual(stockAt(p.stock, sku, locationId));
        }
        for (const [i, line] of result.lines.entries()) {
          expect(line.allocations.reduce((s, a) => s + a.quantity, 0)).toBe(p.lines[i]?.quantity);
          if (!p.splitLines) expect(line.allocations).toHaveLength(1);
        }
        for (const l of p.locations) {
          const units = result.lines
            .flatMap((line) => line.allocations)
            .filter((a) => a.locationId === l.locationId)
            .reduce((s, a) => s + a.quantity, 0);
          if (l.remainingUnits !== undefined) expect(units).toBeLessThanOrEqual(l.remainingUnits);
        }
        expect(routeViolation(p, result.lines)).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("never uses more locations than the max split", () => {
    fc.assert(
      fc.property(problemArbitrary, (p) => {
        const result = optimizeRoute(p);
        if (!result.routable) return;
        const used = new Set(result.lines.flatMap((line) => line.allocations.map((a) => a.locationId)));
        expect(used.size).toBe(result.parcels);
        expect(result.parcels).toBeLessThanOrEqual(p.maxSplit);
        expect(result.locations).toEqual([...used].sort());
      }),
      RUNS,
    );
  });

  it("never picks a filtered-out location (excluded, or without order or unit capacity)", () => {
    fc.assert(
      fc.property(problemArbitrary, (p) => {
        const result = optimizeRoute(p);
        const filtered = new Set(
          p.locations
            .filter(
              (l) =>
                p.excluded?.includes(l.locationId) ||
                (l.remainingOrders ?? 1) < 1 ||
                (l.remainingUnits ?? 1) < 1,
            )
            .map((l) => l.locationId),
        );
        for (const { locationId, reason } of result.trace.pruned) {
          if (reason === "EXCLUDED") expect(p.excluded).toContain(locationId);
        }
        if (!result.routable) return;
        for (const line of result.lines) {
          for (const a of line.allocations) expect(filtered.has(a.locationId)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("is deterministic: the same input, in any location order, gives the same route", () => {
    fc.assert(
      fc.property(problemArbitrary, fc.integer(), (p, seed) => {
        const first = optimizeRoute(p);
        expect(optimizeRoute(structuredClone(p))).toEqual(first);
        const shuffled = [...p.locations].sort(
          (a, b) =>
            ((Number(a.locationId.slice(1)) * seed) % 7) - ((Number(b.locationId.slice(1)) * seed) % 7),
        );
        const again = optimizeRoute({ ...p, locations: shuffled });
        expect(again.routable).toBe(first.routable);
        if (again.routable && first.routable) {
          expect(again.lines).toEqual(first.lines);
          expect(again.cost).toBeCloseTo(first.cost, 9);
        }
      }),
      RUNS,
    );
  });

  it("routes every order the greedy can route within the max split", () => {
    fc.assert(
      fc.property(problemArbitrary, (p) => {
        for (const by of ["PRIORITY", "DISTANCE"] as const) {
          if (greedyRoute(p, by).routable) expect(optimizeRoute(p).routable).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("finds the optimum of small orders with one line per SKU and no unit capacity (checked by enumeration)", () => {
    fc.assert(
      fc.property(problemArbitrary, (raw) => {
        const seen = new Set<string>();
        const p: RoutingProblem = {
          ...raw,
          lines: raw.lines.filter((l) => {
            if (seen.has(l.sku)) return false;
            seen.add(l.sku);
            return true;
          }),
          locations: raw.locations.map(({ remainingUnits: _u, ...l }) => l),
        };
        const exact = enumerate(p);
        const result = optimizeRoute(p);
        expect(result.routable).toBe(exact !== undefined);
        if (result.routable && exact !== undefined) expect(result.cost).toBeCloseTo(exact, 6);
      }),
      RUNS,
    );
  });
});

/**
 * The optimum by brute force, for problems without unit capacity and one line per SKU: every set of usable
 * locations up to the max split, each line from the set's cheapest per-unit holders (exact when capacity
 * does not bind: lines are then independent).
 */
function enumerate(p: RoutingProblem): number | undefined {
  const usable = p.locations.filter(
    (l) => !p.excluded?.includes(l.locationId) && (l.remainingOrders ?? 1) >= 1,
  );
  let best: number | undefined;
  for (let mask = 1; mask < 1 << usable.length; mask++) {
    const set = usable.filter((_, k) => mask & (1 << k));
    if (set.length > p.maxSplit) continue;
    const byUnit = [...set].sort((a, b) => unitCost(a, p.weights) - unitCost(b, p.weights));
    const units = new Map<string, number>();
    let feasible = true;
    for (const line of p.lines) {
      let missing = line.quantity;
      for (const l of byUnit) {
        const s = stockAt(p.stock, line.sku, l.locationId);
        const t = p.splitLines ? Math.min(s, missing) : s >= missing ? missing : 0;
        if (t > 0) units.set(l.locationId, (units.get(l.locationId) ?? 0) + t);
        missing -= t;
        if (missing === 0) break;
      }
      if (missing > 0) feasible = false;
    }
    if (!feasible) continue;
    let cost = 0;
    for (const l of set) {
      const u = units.get(l.locationId);
      if (u !== undefined) cost += parcelCost(l, p.destination, p.weights) + unitCost(l, p.weights) * u;
    }
    if (best === undefined || cost < best) best = cost;
  }
  return best;
}

describe("optimizeRoute on hand-made orders", () => {
  const stock: StockBySku = {
    A: [
      { locationId: "near-a", available: 5 },
      { locationId: "far-all", available: 5 },
    ],
    B: [
      { locationId: "near-b", available: 5 },
      { locationId: "far-all", available: 5 },
    ],
  };
  const locations = [
    loc("near-a", { coordinates: POTSDAM }),
    loc("near-b", { coordinates: POTSDAM }),
    loc("far-all", { coordinates: MUNICH }),
  ];
  const lines = [
    { lineId: "1", sku: "A", quantity: 2 },
    { lineId: "2", sku: "B", quantity: 1 },
  ];

  it("ships from the one location holding everything, though farther, when parcels dominate the cost", () => {
    const p = problem({ lines, locations, stock, weights: { parcel: 20, cost: 1, priority: 0 } });
    const result = optimizeRoute(p);
    expect(result.routable && result.locations).toEqual(["far-all"]);
    expect(result.routable && result.parcels).toBe(1);
    // The greedy by distance fills each SKU from its nearest holder: two parcels.
    expect(greedyPlan(p, "DISTANCE").parcels).toBe(2);
  });

  it("splits into two near parcels when distance costs more than a parcel", () => {
    // No fixed price per parcel: Potsdam-Berlin twice (2 x 25 km) beats Munich-Berlin once (505 km).
    const p = problem({
      lines,
      locations: locations.map((l) => ({ ...l, shippingCost: { perParcel: 0, perUnit: 0, perKm: 0.01 } })),
      stock,
      weights: { parcel: 1, cost: 1, priority: 0 },
    });
    const result = optimizeRoute(p);
    expect(result.routable && result.locations).toEqual(["near-a", "near-b"]);
    expect(result.routable && result.cost).toBeCloseTo(routeCost(p, result.routable ? result.lines : []), 9);
  });

  it("is unroutable when the order needs more locations than the max split", () => {
    const p = problem({
      lines,
      locations: locations.filter((l) => l.locationId !== "far-all"),
      stock,
      maxSplit: 1,
    });
    const result = optimizeRoute(p);
    expect(result.routable).toBe(false);
    expect(!result.routable && result.reason).toMatch(/max split of 1/);
    expect(optimizeRoute({ ...p, maxSplit: 2 }).routable).toBe(true);
  });

  it("splits a line across locations only when allowed", () => {
    const p = problem({
      lines: [{ lineId: "1", sku: "A", quantity: 8 }],
      locations,
      stock,
    });
    const split = optimizeRoute(p);
    expect(split.routable && split.lines[0]?.allocations.map((a) => a.quantity).sort()).toEqual([3, 5]);
    expect(optimizeRoute({ ...p, splitLines: false }).routable).toBe(false);
  });

  it("respects unit capacity and skips locations out of order capacity, saying why in the trace", () => {
    const p = problem({
      lines,
      locations: [
        loc("near-a", { coordinates: POTSDAM }),
        loc("near-b", { coordinates: POTSDAM }),
        loc("far-all", { coordinates: MUNICH, remainingUnits: 2 }),
      ],
      stock,
      weights: { parcel: 20, cost: 1, priority: 0 },
    });
    const result = optimizeRoute(p);
    // far-all could ship everything but only 2 of the 3 units: one more parcel is needed.
    expect(result.routable && result.parcels).toBe(2);
    const closed = optimizeRoute({
      ...p,
      locations: p.locations.map((l) => (l.locationId === "far-all" ? { ...l, remainingOrders: 0 } : l)),
    });
    expect(closed.routable && closed.locations).toEqual(["near-a", "near-b"]);
    expect(closed.trace.pruned).toContainEqual({ locationId: "far-all", reason: "NO_CAPACITY" });
  });

  it("never uses an excluded location, even the only one with stock", () => {
    const p = problem({ lines, locations, stock, excluded: ["far-all", "near-b"] });
    const result = optimizeRoute(p);
    expect(result.routable).toBe(false);
    expect(result.trace.pruned.filter((x) => x.reason === "EXCLUDED").map((x) => x.locationId)).toEqual([
      "near-b",
      "far-all",
    ]);
  });

  it("prefers the better priority between otherwise equal locations, and ties go to the smaller id", () => {
    const twins = [
      loc("b-store", { priority: 10 }),
      loc("a-store", { priority: 20 }),
      loc("c-store", { priority: 10 }),
    ];
    const twinStock: StockBySku = {
      A: twins.map((l) => ({ locationId: l.locationId, available: 3 })),
    };
    const p = problem({
      lines: [{ lineId: "1", sku: "A", quantity: 1 }],
      locations: twins,
      stock: twinStock,
      weights: { parcel: 1, cost: 1, priority: 0.1 },
    });
    const result = optimizeRoute(p);
    expect(result.routable && result.locations).toEqual(["b-store"]);
    expect(result.trace.pruned).toContainEqual({ locationId: "c-store", reason: "DOMINATED" });
    expect(result.trace.chosen).toEqual(["b-store"]);
  });

  it("routes an empty order to no location at no cost", () => {
    const result = optimizeRoute(problem({ locations, stock }));
    expect(result).toMatchObject({ routable: true, parcels: 0, cost: 0, lines: [] });
  });
});
