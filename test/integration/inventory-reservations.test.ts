// Reservations through the real HTTP API and workflow on the local runtime: 100 concurrent orders for 10
// units end with exactly 10 reserved and the other 90 handled by the channel's rule, available never
// below zero; a retried routing step never reserves twice; a NOT_ANNOUNCED order gives back what it held;
// release (cancellation, decline) and consumption (shipment) settle reservations once; a stuck order holds
// stock only for its channel's hold time, and a redrive takes it again (or fails if it is gone).
import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";
import { DeleteCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { DynamoDbReservationHolds } from "../../adapters/dynamodb/reservation-hold-repository.ts";
import { keys } from "../../adapters/dynamodb/table-design.ts";
import { createOrder, type Order } from "../../domain/order/order.ts";
import { orderInputSchema } from "../../domain/order/order-input.ts";
import type { Runtime } from "../../local/runtime.ts";
import {
  consumeOrderReservations,
  expireDueHolds,
  releaseOrderReservations,
  startMissingHolds,
} from "../../usecases/reservations.ts";
import { routeOrder } from "../../usecases/routing.ts";
import { systemClock } from "../../usecases/system-ports.ts";
import {
  count,
  createLocation,
  documentClient,
  putChannel,
  repositories,
  stockAt,
  stockOf,
  uid,
} from "../support/inventory-fixtures.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;
let inventory: InventoryRepository;

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
  inventory = repositories(runtime).inventory;
});

afterAll(async () => {
  await runtime?.stop();
});

const orderFor = (channelId: string, positions: { sku: string; quantity: number }[]) =>
  uniqueOrder({
    ...sampleBody(),
    channelId,
    positions: positions.map((p) => ({ ...p, unitPrice: 10 })),
  });

/** Polls every order until it leaves the automatic path; returns the final orders. */
async function settled(orderIds: string[], timeoutMs = 90_000): Promise<Record<string, unknown>[]> {
  const done = new Map<string, Record<string, unknown>>();
  const deadline = Date.now() + timeoutMs;
  while (done.size < orderIds.length && Date.now() < deadline) {
    for (const id of orderIds) {
      if (done.has(id)) continue;
      const order = (await api.get(`/orders/${id}`)).body;
      if (["SUBMITTED", "NOT_ANNOUNCED", "REJECTED", "EXCEPTION"].includes(String(order.status)))
        done.set(id, order);
    }
    if (done.size < orderIds.length) await new Promise((r) => setTimeout(r, 200));
  }
  expect(done.size, "orders still in flight").toBe(orderIds.length);
  return orderIds.map((id) => done.get(id) as Record<string, unknown>);
}

/** Samples a SKU's stored stock while `work` runs; returns the lowest available seen at any location. */
async function lowestAvailableDuring<T>(
  sku: string,
  work: Promise<T>,
): Promise<{ result: T; lowest: number }> {
  let running = true;
  let lowest = Number.POSITIVE_INFINITY;
  let samples = 0;
  const sampler = (async () => {
    while (running) {
      for (const l of (await stockOf(api, sku)).locations) lowest = Math.min(lowest, l.available);
      samples += 1;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const result = await work;
  running = false;
  await sampler;
  expect(samples).toBeGreaterThan(1);
  expect(Number.isFinite(lowest)).toBe(true);
  return { result, lowest };
}

async function submitConcurrently(bodies: Record<string, unknown>[]): Promise<string[]> {
  const answers = await Promise.all(bodies.map((body) => api.post("/orders", body)));
  for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(202);
  return answers.map((a) => String(a.body.orderId));
}

describe("the README sample order", () => {
  it("is reserved at the Berlin warehouse and reaches SUBMITTED", async () => {
    const before = await stockAt(api, "SKU-TSHIRT-M", "wh-berlin");
    const res = await api.post("/orders", uniqueOrder(sampleBody()));
    const order = await api.waitForStatus(String(res.body.orderId), "SUBMITTED");
    expect(
      (order.positions as { locationId: string; backordered?: boolean }[]).every(
        (p) => p.locationId === "wh-berlin" && !p.backordered,
      ),
    ).toBe(true);
    const after = await stockAt(api, "SKU-TSHIRT-M", "wh-berlin");
    expect(after?.reserved).toBe((before?.reserved ?? 0) + 2);
    expect(after?.available).toBe((before?.available ?? 0) - 2);
  });
});

describe("100 concurrent orders for 10 units", () => {
  it("NOT_ANNOUNCED channel, one hot location split over 4 shards: exactly 10 reserved, 90 not announced", async () => {
    const loc = uid("hot");
    const sku = uid("FLASH");
    const channelId = uid("flash");
    await createLocation(api, loc);
    await putChannel(runtime, {
      channelId,
      defaultLocationId: loc,
      inventory: {
        locationIds: [],
        networks: [],
        whenOutOfStock: "NOT_ANNOUNCED",
        reservationHoldMinutes: 60,
      },
    });
    await count(api, [{ sku, locationId: loc, onHand: 10, shards: 4 }]);
    expect((await stockAt(api, sku, loc))?.shards).toBe(4);

    const bodies = Array.from({ length: 100 }, () => orderFor(channelId, [{ sku, quantity: 1 }]));
    const { result: orders, lowest } = await lowestAvailableDuring(
      sku,
      submitConcurrently(bodies).then((ids) => settled(ids)),
    );

    const byStatus = (status: string) => orders.filter((o) => o.status === status);
    expect(byStatus("SUBMITTED")).toHaveLength(10);
    expect(byStatus("NOT_ANNOUNCED")).toHaveLength(90);
    for (const o of byStatus("NOT_ANNOUNCED")) {
      expect((o.positions as { status: string }[])[0]?.status).toBe("NOT_ANNOUNCED");
    }
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await stockAt(api, sku, loc)).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    // Exactly one active reservation per submitted order, none for the others.
    const held = await Promise.all(orders.map((o) => inventory.listReservations(String(o.orderId))));
    const active = held.flat().filter((r) => r.status === "ACTIVE");
    expect(active).toHaveLength(10);
    expect(new Set(active.map((r) => r.orderId))).toEqual(
      new Set(byStatus("SUBMITTED").map((o) => o.orderId)),
    );
  }, 120_000);

  it("BACKORDER channel with two locations: 10 reserved where the stock is, 90 backordered at the default", async () => {
    const [home, spare] = [uid("home"), uid("spare")];
    const sku = uid("FLASH");
    const channelId = uid("backorder");
    await createLocation(api, home, { priority: 10 });
    await createLocation(api, spare, { kind: "STORE", priority: 20 });
    await putChannel(runtime, {
      channelId,
      defaultLocationId: home,
      inventory: {
        locationIds: [spare],
        networks: [],
        whenOutOfStock: "BACKORDER",
        reservationHoldMinutes: 60,
      },
    });
    await count(api, [
      { sku, locationId: home, onHand: 6 },
      { sku, locationId: spare, onHand: 4 },
    ]);

    const bodies = Array.from({ length: 100 }, () => orderFor(channelId, [{ sku, quantity: 1 }]));
    const { result: orders, lowest } = await lowestAvailableDuring(
      sku,
      submitConcurrently(bodies).then((ids) => settled(ids)),
    );

    expect(orders.every((o) => o.status === "SUBMITTED")).toBe(true);
    const positions = orders.map((o) => (o.positions as { locationId: string; backordered?: boolean }[])[0]);
    expect(positions.filter((p) => !p?.backordered && p?.locationId === home)).toHaveLength(6);
    expect(positions.filter((p) => !p?.backordered && p?.locationId === spare)).toHaveLength(4);
    expect(positions.filter((p) => p?.backordered && p.locationId === home)).toHaveLength(90);
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await stockAt(api, sku, home)).toMatchObject({ reserved: 6, available: 0 });
    expect(await stockAt(api, sku, spare)).toMatchObject({ reserved: 4, available: 0 });
  }, 120_000);
});

describe("routing and reservations", () => {
  async function setUp(onHand: Record<string, number>, rule: "BACKORDER" | "NOT_ANNOUNCED" = "BACKORDER") {
    const loc = uid("wh");
    const channelId = uid("ch");
    await createLocation(api, loc);
    await putChannel(runtime, {
      channelId,
      defaultLocationId: loc,
      inventory: { locationIds: [], networks: [], whenOutOfStock: rule, reservationHoldMinutes: 60 },
    });
    await count(
      api,
      Object.entries(onHand).map(([sku, n]) => ({ sku, locationId: loc, onHand: n })),
    );
    const { orders } = repositories(runtime);
    const channel = await orders.getChannel(channelId);
    if (!channel) throw new Error("no channel");
    const order = (positions: { sku: string; quantity: number }[]): Order =>
      createOrder(
        orderInputSchema.parse(orderFor(channelId, positions)),
        channel,
        uid("order"),
        new Date().toISOString(),
      );
    return { loc, channel, order };
  }

  it("a retried routing step finds its reservations and never reserves twice", async () => {
    const sku = uid("SKU");
    const { loc, channel, order } = await setUp({ [sku]: 5 });
    const o = order([{ sku, quantity: 2 }]);
    const deps = { inventory, routing: repositories(runtime).routing, clock: systemClock };
    const first = await routeOrder(deps, o, channel);
    const again = await routeOrder(deps, o, channel);
    expect(again.commands).toEqual(first.commands);
    expect(first.commands).toMatchObject([
      { action: "route", assignments: [{ lineId: "1", allocations: [{ locationId: loc, quantity: 2 }] }] },
    ]);
    expect(await stockAt(api, sku, loc)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
  });

  it("a NOT_ANNOUNCED order keeps what its other positions hold while its routing task waits", async () => {
    const [inStock, missing] = [uid("SKU"), uid("SKU")];
    const { loc, channel } = await setUp({ [inStock]: 5, [missing]: 0 }, "NOT_ANNOUNCED");
    const res = await api.post(
      "/orders",
      orderFor(channel.channelId, [
        { sku: inStock, quantity: 2 },
        { sku: missing, quantity: 1 },
      ]),
    );
    const order = await api.waitForStatus(String(res.body.orderId), "NOT_ANNOUNCED");
    expect((order.positions as { status: string }[]).map((p) => p.status)).toEqual([
      "ASSIGNED",
      "NOT_ANNOUNCED",
    ]);
    expect(await stockAt(api, inStock, loc)).toMatchObject({ reserved: 2, available: 3 });
    const task = await api.get(`/routing/tasks/${String(res.body.orderId)}`);
    expect(task.body).toMatchObject({ kind: "NOT_ANNOUNCED", status: "OPEN", positions: [{ lineId: "2" }] });
    const events = await repositories(runtime).orders.listOrderEvents(String(res.body.orderId));
    expect(events.map((e) => e.type)).toEqual(["order.created", "order.validated", "order.not-announced"]);
  });

  it("releases on cancellation or decline and consumes on shipment, each once", async () => {
    const [a, b] = [uid("SKU"), uid("SKU")];
    const { loc, channel } = await setUp({ [a]: 10, [b]: 10 });
    const res = await api.post(
      "/orders",
      orderFor(channel.channelId, [
        { sku: a, quantity: 3 },
        { sku: b, quantity: 4 },
      ]),
    );
    const orderId = String(res.body.orderId);
    await api.waitForStatus(orderId, "SUBMITTED");
    const deps = { inventory, clock: systemClock };

    expect(await consumeOrderReservations(deps, orderId, ["1"])).toBe(1);
    expect(await consumeOrderReservations(deps, orderId, ["1"])).toBe(0);
    expect(await stockAt(api, a, loc)).toMatchObject({ onHand: 7, reserved: 0, available: 7 });

    expect(await releaseOrderReservations(deps, orderId, "CANCELLED")).toBe(1);
    expect(await releaseOrderReservations(deps, orderId, "DECLINED")).toBe(0);
    expect(await stockAt(api, b, loc)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    const reservations = await inventory.listReservations(orderId);
    expect(reservations.map((r) => [r.lineId, r.status, r.releaseReason])).toEqual([
      ["1", "CONSUMED", undefined],
      ["2", "RELEASED", "CANCELLED"],
    ]);
  });
});

describe("reservation hold of a stuck order", () => {
  /** The hold sweep as the schedule runs it, `minutes` from now. */
  const sweepIn = (minutes: number) => {
    const at = new Date(Date.now() + minutes * 60_000).toISOString();
    const holds = new DynamoDbReservationHolds(documentClient(runtime), runtime.tableName);
    return expireDueHolds({ repo: repositories(runtime).orders, inventory, holds, clock: { now: () => at } });
  };

  /** An order whose Submit fails for good: EXCEPTION, holding 2 of 3 units, its hold stored. */
  async function exceptionOrder() {
    const loc = uid("wh");
    const sku = uid("SKU");
    const channelId = uid("hold");
    await createLocation(api, loc);
    await putChannel(runtime, {
      channelId,
      defaultLocationId: loc,
      // An hour: the sweep below runs with a clock ahead, the runtime's own one-minute schedule finds
      // nothing due while the tests run.
      inventory: {
        locationIds: [],
        networks: [],
        whenOutOfStock: "NOT_ANNOUNCED",
        reservationHoldMinutes: 60,
      },
    });
    await count(api, [{ sku, locationId: loc, onHand: 3 }]);
    runtime.functions.injectFault("submit-order", {
      times: Number.POSITIVE_INFINITY,
      errorType: "WarehouseDown",
      message: "warehouse API refused",
    });
    const res = await api.post("/orders", orderFor(channelId, [{ sku, quantity: 2 }]));
    const orderId = String(res.body.orderId);
    await api.waitForStatus(orderId, "EXCEPTION");
    runtime.functions.clearFaults();
    // The failure step stores the hold just after the status: wait for the item.
    const exceptionAt = (await repositories(runtime).orders.getOrder(orderId))?.exception?.at ?? "";
    const holdKey = keys.reservationHold(orderId, exceptionAt);
    const db = documentClient(runtime);
    const deadline = Date.now() + 10_000;
    while (
      Date.now() < deadline &&
      !(await db.send(new GetCommand({ TableName: runtime.tableName, Key: holdKey }))).Item
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return { loc, sku, orderId, exceptionAt, holdKey };
  }

  async function stuckOrder() {
    const { loc, sku, orderId } = await exceptionOrder();
    // Within the hold time the stock stays reserved.
    expect((await sweepIn(30)).failed).toBe(0);
    expect(await stockAt(api, sku, loc)).toMatchObject({ reserved: 2, available: 1 });
    // The hold ends: the reservation goes back (released as EXPIRED).
    const swept = await sweepIn(61);
    expect(swept.failed).toBe(0);
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    await eventuallyStock(sku, loc, (s) => s?.reserved === 0);
    expect(await stockAt(api, sku, loc)).toMatchObject({ reserved: 0, available: 3 });
    const [held] = await inventory.listReservations(orderId);
    expect(held).toMatchObject({ status: "RELEASED", releaseReason: "EXPIRED" });
    return { loc, sku, orderId };
  }

  /** The stock read model follows the table stream: poll it until `done`. */
  async function eventuallyStock(
    sku: string,
    loc: string,
    done: (s: Awaited<ReturnType<typeof stockAt>>) => boolean,
  ): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !done(await stockAt(api, sku, loc))) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("stores the missing hold of an order stuck before the switch (holds:backfill), once", async () => {
    const { loc, sku, holdKey } = await exceptionOrder();
    // As if it got stuck while the reservation-hold state machine still kept its hold: no item.
    await documentClient(runtime).send(
      new DeleteCommand({
        TableName: runtime.tableName,
        Key: holdKey,
        ConditionExpression: "attribute_exists(pk)",
      }),
    );
    expect((await sweepIn(61)).failed).toBe(0);
    expect(await stockAt(api, sku, loc)).toMatchObject({ reserved: 2, available: 1 });

    const backfill = () =>
      startMissingHolds({
        repo: repositories(runtime).orders,
        inventory,
        holds: new DynamoDbReservationHolds(documentClient(runtime), runtime.tableName),
      });
    expect((await backfill()).holding).toBeGreaterThanOrEqual(1);
    expect((await sweepIn(61)).expired).toBeGreaterThanOrEqual(1);
    await eventuallyStock(sku, loc, (s) => s?.reserved === 0);
    expect(await stockAt(api, sku, loc)).toMatchObject({ reserved: 0, available: 3 });
    // Again: the order holds nothing now and its hold has ended, so nothing is stored or swept.
    await backfill();
    expect(await sweepIn(61)).toEqual({ expired: 0, released: 0, failed: 0 });
  }, 60_000);

  it("ends a hold once: a repeated start of the same episode and a repeated sweep change nothing", async () => {
    const { loc, sku, orderId } = await stuckOrder();
    const order = await repositories(runtime).orders.getOrder(orderId);
    const exceptionAt = order?.exception?.at ?? "";
    const holds = new DynamoDbReservationHolds(documentClient(runtime), runtime.tableName);
    await holds.startHold(orderId, exceptionAt, 3600);
    expect(await sweepIn(61)).toEqual({ expired: 0, released: 0, failed: 0 });
    // The reservation was not taken again meanwhile, so nothing else changed either.
    expect(await stockAt(api, sku, loc)).toMatchObject({ reserved: 0, available: 3 });
  }, 60_000);

  it("releases the reservations after the channel's hold time; a retry takes them again and submits", async () => {
    const { loc, sku, orderId } = await stuckOrder();
    expect((await api.post(`/orders/${orderId}/retry`, {})).status).toBe(202);
    await api.waitForStatus(orderId, "SUBMITTED");
    expect(await stockAt(api, sku, loc)).toMatchObject({ reserved: 2, available: 1 });
    const [held] = await inventory.listReservations(orderId);
    expect(held?.status).toBe("ACTIVE");
  }, 60_000);

  it("a retry after the stock went elsewhere fails with RESERVATION_LOST instead of submitting unheld units", async () => {
    const { loc, sku, orderId } = await stuckOrder();
    await api.post("/stock-updates", {
      updateId: uid("sold"),
      type: "DELTA",
      lines: [{ sku, locationId: loc, change: -2, reason: "SALE" }],
    });
    const retry = await api.post(`/orders/${orderId}/retry`, {});
    expect(retry.status).toBe(202);
    // The retry fails at Submit: the order stays in EXCEPTION, now with the new cause.
    const deadline = Date.now() + 20_000;
    let exception = (await api.get(`/orders/${orderId}`)).body.exception as Record<string, unknown>;
    while (Date.now() < deadline && exception.executionArn !== retry.body.executionArn) {
      await new Promise((r) => setTimeout(r, 100));
      exception = (await api.get(`/orders/${orderId}`)).body.exception as Record<string, unknown>;
    }
    expect(exception).toMatchObject({ previousStatus: "ROUTED", error: "ValidationError" });
    expect(String(exception.cause)).toContain("no longer available");
    expect((await api.get(`/orders/${orderId}`)).body.status).toBe("EXCEPTION");
    expect(await stockAt(api, sku, loc)).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
  }, 60_000);
});
