// Random interleavings of counts, movements, reservations, releases and shipments against DynamoDB Local
// (fewer runs than the model's property in test/unit/inventory-stock.test.ts):
//  - one after another, the stored items equal the model exactly (the repository writes what the
//    planners say, and refuses what the model refuses);
//  - all at once, the totals still reconcile: every shard keeps available = onHand - reserved - safety,
//    reserved equals the active reservations, on hand equals the movements minus the shipments, and
//    nothing is ever reserved beyond what is available.
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { createTableInput } from "../../adapters/dynamodb/table-definition.ts";
import type { Reservation } from "../../domain/inventory/reservation.ts";
import {
  applyConsume,
  applyPlan,
  applyRelease,
  applyReservation,
  planDelta,
  planReservation,
  planSnapshot,
  type StockPosition,
} from "../../domain/inventory/stock.ts";
import { OmsError } from "../../domain/shared/errors.ts";
import { applyStockUpdate } from "../../usecases/stock-updates.ts";
import { systemClock } from "../../usecases/system-ports.ts";
import { uid } from "../support/inventory-fixtures.ts";

const LOCATION = "prop-wh";
const T0 = Date.parse("2026-11-23T10:00:00.000Z");
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

let inventory: InventoryRepository;
const deps = () => ({ inventory, clock: systemClock });

beforeAll(async () => {
  const client = new DynamoDBClient({
    endpoint: inject("dynamodbEndpoint"),
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const tableName = uid("oms-prop");
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  inventory = new InventoryRepository(
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
  );
  const now = systemClock.now();
  await inventory.createLocation({
    locationId: LOCATION,
    name: "Property warehouse",
    kind: "WAREHOUSE",
    address: { postalCode: "10115", city: "Berlin", country: "DE" },
    fulfillmentKinds: ["SHIP"],
    cutOffTime: "16:00",
    timeZone: "UTC",
    workingDays: [1, 2, 3, 4, 5],
    holidays: [],
    enabled: true,
    downtimes: [],
    networks: [],
    priority: 100,
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
});

type Op =
  | { kind: "count"; onHand: number; minute: number; shards: number; safety: number }
  | { kind: "move"; change: number }
  | { kind: "reserve"; key: number; quantity: number; start: number }
  | { kind: "release"; key: number }
  | { kind: "consume"; key: number };

const ops = (withCounts: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    ...(withCounts
      ? [
          fc.record({
            kind: fc.constant("count" as const),
            onHand: fc.nat(20),
            minute: fc.integer({ min: 1, max: 30 }),
            shards: fc.integer({ min: 1, max: 3 }),
            safety: fc.nat(2),
          }),
        ]
      : []),
    fc.record({
      kind: fc.constant("move" as const),
      change: fc.integer({ min: -4, max: 6 }).filter((n) => n !== 0),
    }),
    fc.record({
      kind: fc.constant("reserve" as const),
      key: fc.nat(5),
      quantity: fc.integer({ min: 1, max: 4 }),
      start: fc.nat(2),
    }),
    fc.record({ kind: fc.constant("release" as const), key: fc.nat(5) }),
    fc.record({ kind: fc.constant("consume" as const), key: fc.nat(5) }),
  );

async function read(sku: string): Promise<StockPosition | undefined> {
  return (await inventory.queryPositions(sku, true)).find((p) => p.locationId === LOCATION);
}

async function stockUpdate(body: Record<string, unknown>): Promise<"applied" | "ignored" | "refused"> {
  try {
    const result = await applyStockUpdate(deps(), { updateId: uid("p"), ...body });
    return result.applied === 1 ? "applied" : "ignored";
  } catch (error) {
    if (error instanceof OmsError && error.code === "ON_HAND_BELOW_ZERO") return "refused";
    throw error;
  }
}

function reservation(run: string, key: number, quantity: number, parts: Reservation["parts"]): Reservation {
  const now = systemClock.now();
  return {
    orderId: `${run}-o${key}`,
    lineId: "1",
    sku: run,
    locationId: LOCATION,
    quantity,
    parts,
    status: "ACTIVE",
    createdAt: now,
    updatedAt: now,
  };
}

describe("inventory on DynamoDB Local (property)", () => {
  it("applied one after another, stores exactly what the model computes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ops(true), { minLength: 1, maxLength: 14 }), async (sequence) => {
        const sku = uid("PSEQ");
        let model: StockPosition | undefined;
        const held = new Map<number, { parts: Reservation["parts"]; status: string }>();
        for (const op of sequence) {
          if (op.kind === "count") {
            const shards = Math.max(op.shards, model?.shards.length ?? 1);
            const line = { sku, locationId: LOCATION, onHand: op.onHand, shards, safetyStock: op.safety };
            const expected = planSnapshot(model, { ...line, asOf: at(op.minute) });
            const outcome = await stockUpdate({ type: "SNAPSHOT", asOf: at(op.minute), lines: [line] });
            expect(outcome).toBe(expected.kind === "plan" ? "applied" : "ignored");
            if (expected.kind === "plan") model = applyPlan(model, expected.plan);
          } else if (op.kind === "move") {
            const line = { sku, locationId: LOCATION, change: op.change, reason: "CORRECTION" };
            const expected = planDelta(model, line);
            const outcome = await stockUpdate({ type: "DELTA", lines: [line] });
            expect(outcome).toBe(expected.kind === "plan" ? "applied" : expected.kind);
            if (expected.kind === "plan") model = applyPlan(model, expected.plan);
          } else if (op.kind === "reserve") {
            const previous = held.get(op.key);
            if (!model || (previous && previous.status !== "RELEASED")) continue;
            const parts = planReservation(model, op.quantity, op.start);
            if (!parts) continue;
            const outcome = await inventory.reserve(reservation(sku, op.key, op.quantity, parts));
            expect(outcome.outcome).toBe("reserved");
            model = applyReservation(model, parts);
            held.set(op.key, { parts, status: "ACTIVE" });
          } else {
            const stored = await inventory.getReservation(`${sku}-o${op.key}`, "1", LOCATION);
            const r = held.get(op.key);
            const done = stored
              ? op.kind === "release"
                ? await inventory.release(stored, "CANCELLED", systemClock.now())
                : await inventory.consume(stored, systemClock.now())
              : false;
            expect(done).toBe(r?.status === "ACTIVE");
            if (!model || !r || r.status !== "ACTIVE") continue;
            model = op.kind === "release" ? applyRelease(model, r.parts) : applyConsume(model, r.parts);
            r.status = op.kind === "release" ? "RELEASED" : "CONSUMED";
          }
        }
        const stored = await read(sku);
        if (!model) {
          expect(stored).toBeUndefined();
          return;
        }
        expect(stored?.shards).toEqual(model.shards);
        expect(stored?.snapshotAt).toEqual(model.snapshotAt);
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it("applied all at once, the totals reconcile and nothing is reserved beyond what is available", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.oneof(
          fc.array(ops(false), { minLength: 1, maxLength: 24 }),
          // Only reservations, releases and shipments: races on the same shards, no stock update between.
          fc.array(
            ops(false).filter((op) => op.kind !== "move"),
            { minLength: 4, maxLength: 24 },
          ),
        ),
        fc.boolean(),
        async (initial, shards, concurrent, withCount) => {
          const sku = uid("PCON");
          await stockUpdate({
            type: "SNAPSHOT",
            asOf: at(0),
            lines: [{ sku, locationId: LOCATION, onHand: initial, shards }],
          });
          let moved = 0;
          let received = initial;
          let granted = 0;
          let counted = false;
          const work = concurrent.map(async (op) => {
            if (op.kind === "move") {
              const outcome = await stockUpdate({
                type: "DELTA",
                lines: [{ sku, locationId: LOCATION, change: op.change, reason: "CORRECTION" }],
              });
              if (outcome === "applied") {
                moved += op.change;
                if (op.change > 0) received += op.change;
              }
            } else if (op.kind === "reserve") {
              // As routing does it: read, plan, reserve; re-plan when a concurrent reservation won a shard.
              for (let attempt = 0; attempt < 8; attempt++) {
                const position = await read(sku);
                const parts = position && planReservation(position, op.quantity, op.start);
                if (!parts) return;
                const outcome = await inventory.reserve(reservation(sku, op.key, op.quantity, parts));
                if (outcome.outcome === "reserved") granted += op.quantity;
                if (outcome.outcome !== "insufficient") return;
              }
            } else if (op.kind !== "count") {
              const stored = await inventory.getReservation(`${sku}-o${op.key}`, "1", LOCATION);
              if (!stored) return;
              if (op.kind === "release") {
                if (await inventory.release(stored, "CANCELLED", systemClock.now()))
                  granted -= stored.quantity;
              } else await inventory.consume(stored, systemClock.now());
            }
          });
          if (withCount) {
            work.push(
              stockUpdate({
                type: "SNAPSHOT",
                asOf: at(5),
                lines: [{ sku, locationId: LOCATION, onHand: initial }],
              }).then((outcome) => {
                counted = outcome === "applied";
              }),
            );
          }
          await Promise.all(work);

          const position = await read(sku);
          if (!position) throw new Error("position vanished");
          const reservations = (
            await Promise.all(
              [0, 1, 2, 3, 4, 5].map((k) => inventory.getReservation(`${sku}-o${k}`, "1", LOCATION)),
            )
          ).filter((r): r is Reservation => r !== undefined);
          for (const s of position.shards) {
            expect(s.available).toBe(s.onHand - s.reserved - s.safetyStock);
            const active = reservations
              .filter((r) => r.status === "ACTIVE")
              .flatMap((r) => r.parts)
              .filter((p) => p.shard === s.shard)
              .reduce((n, p) => n + p.quantity, 0);
            expect(s.reserved).toBe(active);
          }
          const onHand = position.shards.reduce((n, s) => n + s.onHand, 0);
          const shipped = reservations
            .filter((r) => r.status === "CONSUMED")
            .reduce((n, r) => n + r.quantity, 0);
          if (!counted) {
            expect(onHand).toBe(initial + moved - shipped);
            // Never oversold: what is held or shipped never exceeds what ever came in.
            expect(granted).toBeLessThanOrEqual(received);
          }
          // Reservations only ever take what a shard has; only a stock update taking reserved units away (a
          // correction or a count below what is held) can leave a shard short.
          if (!withCount && concurrent.every((op) => op.kind !== "move" || op.change > 0)) {
            for (const s of position.shards) expect(s.available).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 20 },
    );
  }, 180_000);
});
