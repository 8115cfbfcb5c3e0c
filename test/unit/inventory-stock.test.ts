// The stock arithmetic and its planners: counts, movements, shards, reservations, and a property over
// random interleavings of reservations, releases, shipments, movements and counts: the totals always
// reconcile and nothing is ever reserved beyond what is available.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyConsume,
  applyPlan,
  applyRelease,
  applyReservation,
  canReserve,
  drain,
  fillUp,
  type PlanOutcome,
  planDelta,
  planReservation,
  planSnapshot,
  type ReservationPart,
  type StockPlan,
  type StockPosition,
  totalsOf,
  visibleAvailable,
} from "../../domain/inventory/stock.ts";

const T0 = "2026-11-23T10:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function planOf(outcome: PlanOutcome): StockPlan {
  if (outcome.kind !== "plan") throw new Error(`expected a plan, got ${JSON.stringify(outcome)}`);
  return outcome.plan;
}

const count = (current: StockPosition | undefined, onHand: number, extra: object = {}, asOf = at(0)) =>
  applyPlan(current, planOf(planSnapshot(current, { sku: "A", locationId: "L", onHand, asOf, ...extra })));

/** available = onHand - reserved - safetyStock on every shard; safety stock only on the head. */
function expectConsistent(position: StockPosition): void {
  for (const s of position.shards) {
    expect(s.available).toBe(s.onHand - s.reserved - s.safetyStock);
    if (s.shard > 0) expect(s.safetyStock).toBe(0);
  }
}

describe("counts (snapshots)", () => {
  it("creates a position from its first count, with safety stock and threshold", () => {
    const p = count(undefined, 10, { safetyStock: 2, lowStockThreshold: 3 });
    expect(totalsOf(p)).toEqual({ onHand: 10, reserved: 0, safetyStock: 2, available: 8 });
    expect(p.lowStockThreshold).toBe(3);
    expect(p.snapshotAt).toBe(at(0));
    expectConsistent(p);
  });

  it("ignores a count older than (or as old as) the last applied one", () => {
    const p = count(undefined, 10, {}, at(5));
    expect(planSnapshot(p, { sku: "A", locationId: "L", onHand: 3, asOf: at(4) })).toEqual({
      kind: "ignored",
      reason: "STALE_SNAPSHOT",
    });
    expect(planSnapshot(p, { sku: "A", locationId: "L", onHand: 3, asOf: at(5) }).kind).toBe("ignored");
    expect(totalsOf(count(p, 3, {}, at(6))).onHand).toBe(3);
  });

  it("keeps reserved units when recounting: available is what the count leaves", () => {
    let p = count(undefined, 10);
    p = applyReservation(p, [{ shard: 0, quantity: 4 }]);
    p = count(p, 7, {}, at(1));
    expect(totalsOf(p)).toEqual({ onHand: 7, reserved: 4, safetyStock: 0, available: 3 });
  });

  it("splits a hot SKU over shards, spreading available evenly; shards only grow", () => {
    const p = count(undefined, 10, { shards: 4 });
    expect(p.shards.map((s) => s.available)).toEqual([3, 3, 2, 2]);
    expectConsistent(p);
    const shrink = planSnapshot(p, { sku: "A", locationId: "L", onHand: 10, asOf: at(1), shards: 2 });
    expect(shrink).toMatchObject({ kind: "refused", code: "SHARDS_CANNOT_SHRINK", field: "shards" });
    // Growing creates the new shard items and rebalances.
    const plan = planOf(planSnapshot(p, { sku: "A", locationId: "L", onHand: 12, asOf: at(1), shards: 6 }));
    expect(plan.changes.filter((c) => c.create).map((c) => c.shard)).toEqual([4, 5]);
    expect(applyPlan(p, plan).shards.map((s) => s.available)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it("records a shortage (a count below reserved + safety) without any shard going below 0 on hand", () => {
    let p = count(undefined, 12, { shards: 3, safetyStock: 0 });
    p = applyReservation(p, [
      { shard: 0, quantity: 4 },
      { shard: 1, quantity: 4 },
      { shard: 2, quantity: 3 },
    ]);
    p = count(p, 5, { safetyStock: 1 }, at(1));
    expectConsistent(p);
    expect(totalsOf(p)).toEqual({ onHand: 5, reserved: 11, safetyStock: 1, available: -7 });
    expect(visibleAvailable(p)).toBe(0);
    for (const s of p.shards) {
      expect(s.onHand).toBeGreaterThanOrEqual(0);
      expect(s.available).toBeLessThanOrEqual(0);
    }
  });
});

describe("movements (deltas)", () => {
  it("adds a receipt to the emptiest shards and takes a sale from the fullest", () => {
    let p = count(undefined, 10, { shards: 2 });
    p = applyReservation(p, [{ shard: 0, quantity: 5 }]);
    expect(p.shards.map((s) => s.available)).toEqual([0, 5]);
    p = applyPlan(p, planOf(planDelta(p, { sku: "A", locationId: "L", change: 6 })));
    expect(p.shards.map((s) => s.available)).toEqual([6, 5]);
    p = applyPlan(p, planOf(planDelta(p, { sku: "A", locationId: "L", change: -3 })));
    expect(p.shards.map((s) => s.available)).toEqual([4, 4]);
    expect(totalsOf(p)).toMatchObject({ onHand: 13, reserved: 5, available: 8 });
    expectConsistent(p);
  });

  it("refuses a movement that takes on hand below zero, and ignores one the last count includes", () => {
    const p = count(undefined, 2, {}, at(10));
    expect(planDelta(p, { sku: "A", locationId: "L", change: -3 }, "lines.4.")).toMatchObject({
      kind: "refused",
      code: "ON_HAND_BELOW_ZERO",
      field: "lines.4.change",
    });
    expect(planDelta(p, { sku: "A", locationId: "L", change: -1, occurredAt: at(9) })).toEqual({
      kind: "ignored",
      reason: "INCLUDED_IN_SNAPSHOT",
    });
    expect(planDelta(p, { sku: "A", locationId: "L", change: -1, occurredAt: at(11) }).kind).toBe("plan");
    expect(planDelta(undefined, { sku: "A", locationId: "L", change: -1 }).kind).toBe("refused");
  });

  it("conditions every write on the on-hand it was planned from", () => {
    const p = count(undefined, 10, { shards: 2 });
    const plan = planOf(planDelta(p, { sku: "A", locationId: "L", change: 4 }));
    expect(plan.changes.map((c) => c.expectOnHand)).toEqual([5, 5]);
    expect(plan.changes[0]?.shard).toBe(0);
  });
});

describe("drain and fillUp", () => {
  it("level the values and respect the caps", () => {
    expect(drain([5, 1, 3], [10, 10, 10], 4)).toEqual([3, 0, 1]);
    expect(drain([5, 1, 3], [1, 10, 10], 4)).toEqual([1, 1, 2]);
    expect(fillUp([0, 4, 1], 4)).toEqual([3, 0, 1]);
    expect(() => drain([1], [1], 2)).toThrow(RangeError);
  });

  it("move exactly the amount (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 8 }),
        fc.nat(60),
        (values, amount) => {
          const up = fillUp(values, amount);
          expect(up.reduce((a, b) => a + b, 0)).toBe(amount);
          expect(up.every((d) => d >= 0)).toBe(true);
        },
      ),
    );
  });
});

describe("reservations", () => {
  it("take one shard with enough, starting where told, else split largest first, else nothing", () => {
    const p = count(undefined, 10, { shards: 4 }); // 3, 3, 2, 2
    expect(planReservation(p, 2, 2)).toEqual([{ shard: 2, quantity: 2 }]);
    expect(planReservation(p, 3, 2)).toEqual([{ shard: 0, quantity: 3 }]);
    expect(planReservation(p, 7)).toEqual([
      { shard: 0, quantity: 3 },
      { shard: 1, quantity: 3 },
      { shard: 2, quantity: 1 },
    ]);
    expect(planReservation(p, 11)).toBeUndefined();
  });

  it("consume takes the units from on hand and reserved; release gives them back to available", () => {
    const p = count(undefined, 10);
    const held = applyReservation(p, [{ shard: 0, quantity: 4 }]);
    expect(totalsOf(applyConsume(held, [{ shard: 0, quantity: 4 }]))).toMatchObject({
      onHand: 6,
      reserved: 0,
      available: 6,
    });
    expect(totalsOf(applyRelease(held, [{ shard: 0, quantity: 4 }]))).toEqual(totalsOf(p));
  });
});

// ---------------------------------------------------------------------------------------------------
// Random interleavings on the model (the DynamoDB Local counterpart is test/integration/
// inventory-property.test.ts).

type Op =
  | { kind: "count"; onHand: number; minute: number; shards: number; safety: number }
  | { kind: "move"; change: number; minute: number | null }
  | { kind: "reserve"; key: number; quantity: number; start: number }
  | { kind: "release"; key: number }
  | { kind: "consume"; key: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("count" as const),
    onHand: fc.nat(40),
    minute: fc.nat(30),
    shards: fc.integer({ min: 1, max: 4 }),
    safety: fc.nat(3),
  }),
  fc.record({
    kind: fc.constant("move" as const),
    change: fc.integer({ min: -8, max: 8 }).filter((n) => n !== 0),
    minute: fc.option(fc.nat(30)),
  }),
  fc.record({
    kind: fc.constant("reserve" as const),
    key: fc.nat(7),
    quantity: fc.integer({ min: 1, max: 6 }),
    start: fc.nat(3),
  }),
  fc.record({ kind: fc.constant("release" as const), key: fc.nat(7) }),
  fc.record({ kind: fc.constant("consume" as const), key: fc.nat(7) }),
);

describe("random interleavings (property)", () => {
  it("reconcile: per shard available = onHand - reserved - safety, reserved = active reservations, on hand = counts + movements - shipments, never oversold", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 40 }), (ops) => {
        let position: StockPosition | undefined;
        const reservations = new Map<number, { parts: ReservationPart[]; status: string }>();
        let expectedOnHand = 0;
        let wasShort = false;
        for (const op of ops) {
          if (op.kind === "count") {
            const shards = Math.max(op.shards, position?.shards.length ?? 1);
            const line = {
              sku: "A",
              locationId: "L",
              onHand: op.onHand,
              asOf: at(op.minute),
              shards,
              safetyStock: op.safety,
            };
            const outcome = planSnapshot(position, line);
            if (outcome.kind === "plan") {
              position = applyPlan(position, outcome.plan);
              expectedOnHand = op.onHand;
            }
          } else if (op.kind === "move") {
            const line = {
              sku: "A",
              locationId: "L",
              change: op.change,
              ...(op.minute === null ? {} : { occurredAt: at(op.minute) }),
            };
            const outcome = planDelta(position, line);
            if (outcome.kind === "plan") {
              position = applyPlan(position, outcome.plan);
              expectedOnHand += op.change;
            } else if (outcome.kind === "refused") {
              expect(expectedOnHand + op.change).toBeLessThan(0);
            }
          } else if (op.kind === "reserve") {
            if (!position || reservations.get(op.key)?.status === "ACTIVE") continue;
            const parts = planReservation(position, op.quantity, op.start);
            const before = Math.max(0, ...position.shards.map((s) => s.available));
            if (!parts) {
              // Refused only when the position cannot cover it.
              expect(position.shards.reduce((n, s) => n + Math.max(0, s.available), 0)).toBeLessThan(
                op.quantity,
              );
              continue;
            }
            expect(canReserve(position, parts)).toBe(true);
            expect(before).toBeGreaterThan(0);
            position = applyReservation(position, parts);
            reservations.set(op.key, { parts, status: "ACTIVE" });
          } else {
            const r = reservations.get(op.key);
            if (!position || r?.status !== "ACTIVE") continue;
            if (op.kind === "release") position = applyRelease(position, r.parts);
            else {
              position = applyConsume(position, r.parts);
              expectedOnHand -= r.parts.reduce((n, p) => n + p.quantity, 0);
            }
            r.status = op.kind === "release" ? "RELEASED" : "CONSUMED";
          }
          if (!position) continue;
          // Reconcile.
          expectConsistent(position);
          const t = totalsOf(position);
          expect(t.onHand).toBe(expectedOnHand);
          for (const s of position.shards) {
            const held = [...reservations.values()]
              .filter((r) => r.status === "ACTIVE")
              .flatMap((r) => r.parts)
              .filter((p) => p.shard === s.shard)
              .reduce((n, p) => n + p.quantity, 0);
            expect(s.reserved).toBe(held);
          }
          expect(visibleAvailable(position)).toBeGreaterThanOrEqual(0);
          const short = position.shards.some((s) => s.available < 0);
          if (op.kind === "count" || op.kind === "move") {
            // A count or movement leaves a shard short only when the whole position is short: the
            // rebalancing never hides a shortage in one shard while another still has units.
            if (t.available >= 0) expect(short).toBe(false);
          } else if (!wasShort) {
            // Reservations, releases and shipments never oversell: reserved + safety stay within on hand.
            expect(short).toBe(false);
            for (const s of position.shards) expect(s.reserved + s.safetyStock).toBeLessThanOrEqual(s.onHand);
          }
          wasShort = short;
        }
      }),
      { numRuns: 500 },
    );
  });
});
