// Wave (batch) routing on the local runtime: orders of a channel in wave mode wait in AWAITING_WAVE with
// nothing reserved; POST /routing/waves sources them together. With one unit for two orders, the more
// valuable order gets it even though it came second, is reserved and continues to SUBMITTED; the other
// is NOT_ANNOUNCED with a manual routing task. A second wave finds nothing waiting. The scheduled
// function does the same.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../local/runtime.ts";
import { count, createLocation, putChannel, stockAt, uid } from "../support/inventory-fixtures.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;

const network = uid("wavenet");
const warehouse = uid("wave-wh");
const channelId = uid("wave-web");
const sku = uid("SKU-WAVE").toUpperCase();

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
  await createLocation(api, warehouse, { networks: [network] });
  await putChannel(runtime, {
    channelId,
    defaultLocationId: warehouse,
    inventory: {
      locationIds: [],
      networks: [network],
      whenOutOfStock: "NOT_ANNOUNCED",
      reservationHoldMinutes: 60,
    },
    routing: { mode: "WAVE", wavePriority: 0 },
  });
  await count(api, [{ sku, locationId: warehouse, onHand: 1 }]);
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
});

async function place(unitPrice: number): Promise<string> {
  const res = await api.post(
    "/orders",
    uniqueOrder({ ...sampleBody(), channelId, positions: [{ sku, quantity: 1, unitPrice }] }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return String(res.body.orderId);
}

describe("routing waves", () => {
  it("gives scarce stock to the more valuable order; it continues to the next step", async () => {
    const cheap = await place(10);
    const valuable = await place(500);
    for (const id of [cheap, valuable]) await api.waitForStatus(id, "AWAITING_WAVE");
    // Waiting holds nothing.
    expect((await stockAt(api, sku, warehouse))?.reserved).toBe(0);

    const wave = await api.post("/routing/waves", {});
    expect(wave.status, JSON.stringify(wave.body)).toBe(200);
    expect(wave.body).toMatchObject({ waiting: 2, routed: 1, notAnnounced: 1, failed: 0 });
    const orders = wave.body.orders as {
      orderId: string;
      status: string;
      locations: string[];
      asPlanned: boolean;
    }[];
    expect(orders.map((o) => o.orderId)).toEqual([valuable, cheap]);
    expect(orders[0]).toMatchObject({ status: "ROUTED", locations: [warehouse], asPlanned: true });
    expect(orders[1]).toMatchObject({ status: "NOT_ANNOUNCED", locations: [] });

    const submitted = await api.waitForStatus(valuable, "SUBMITTED", 30_000);
    expect((submitted.positions as { locationId?: string }[])[0]?.locationId).toBe(warehouse);
    expect((submitted.timeline as { action: string }[]).map((t) => t.action)).toEqual([
      "capture",
      "validate",
      "await-wave",
      "route",
      "respond",
      "submit",
    ]);
    expect((await stockAt(api, sku, warehouse))?.reserved).toBe(1);
    const left = await api.get(`/orders/${cheap}`);
    expect(left.body.status).toBe("NOT_ANNOUNCED");
    const task = await api.get(`/routing/tasks/${cheap}`);
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({ kind: "NOT_ANNOUNCED", status: "OPEN" });
    const routing = await api.get(`/orders/${valuable}/routing`);
    expect(routing.status).toBe(200);
    expect(routing.body.trace).toBeDefined();

    const again = await api.post("/routing/waves", {});
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ waiting: 0, orders: [] });
  }, 90_000);

  it("runs on its schedule: the scheduled function routes what waits", async () => {
    await count(api, [{ sku, locationId: warehouse, onHand: 2 }]);
    const id = await place(20);
    await api.waitForStatus(id, "AWAITING_WAVE");
    // What the schedule (the EventBridge rule on AWS, the runtime's timer locally) delivers.
    const summary = await runtime.functions.invoke("scheduled-routing-wave", {
      version: "0",
      id: "e1",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: new Date().toISOString(),
      region: "us-east-1",
      resources: [],
      detail: {},
    });
    expect(summary).toMatchObject({ waiting: 1, routed: 1, failed: 0 });
    await api.waitForStatus(id, "SUBMITTED", 30_000);
  }, 60_000);

  it("refuses a bad limit with the field", async () => {
    const res = await api.post("/routing/waves", { limit: 0 });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain("limit");
  });
});
