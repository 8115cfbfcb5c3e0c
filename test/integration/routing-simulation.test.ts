// POST /routing/simulations on the local runtime (DynamoDB Local, the real route step): orders routed by
// a published rule set that prefers a far warehouse (priority) are simulated with a draft that prefers
// the store near the customer (distance). The report moves every order to the store, with less distance
// and shipping cost; and the table is byte-for-byte the same before and after (no reservation, order,
// stock, capacity or trace item written). Bad requests are 4xx with the field.
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../local/runtime.ts";
import {
  count,
  createLocation,
  documentClient,
  putChannel,
  stockOf,
  uid,
} from "../support/inventory-fixtures.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;

const COLOGNE = { lat: 50.94, lon: 6.96 };
const network = uid("simnet");
const warehouse = uid("sim-wh");
const store = uid("sim-store");
const channelId = uid("sim-web");
const sku = uid("SKU-SIM").toUpperCase();
const ruleSetId = uid("sim-rules");
const orderIds: string[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
  const shippingCost = { currency: "EUR", perParcel: 4, perUnit: 0, perKm: 0.01 };
  await createLocation(api, warehouse, {
    coordinates: { lat: 52.52, lon: 13.4 }, // Berlin, ~480 km from the customer
    networks: [network],
    priority: 1,
    shippingCost,
  });
  await createLocation(api, store, {
    kind: "STORE",
    address: { postalCode: "53111", city: "Bonn", country: "DE" },
    coordinates: { lat: 50.73, lon: 7.1 }, // ~25 km
    networks: [network],
    priority: 90,
    shippingCost,
  });
  await putChannel(runtime, {
    channelId,
    defaultLocationId: warehouse,
    inventory: {
      locationIds: [],
      networks: [network],
      whenOutOfStock: "NOT_ANNOUNCED",
      reservationHoldMinutes: 60,
    },
  });
  await count(api, [
    { sku, locationId: warehouse, onHand: 20 },
    { sku, locationId: store, onHand: 20 },
  ]);

  // Published: priority decides (the warehouse). Draft version 2: distance decides (the store).
  const onlyThisChannel = { fact: "order.channel", op: "eq", value: channelId };
  const created = await api.post("/routing/rule-sets", {
    ruleSetId,
    name: "By priority",
    rank: 10,
    conditions: onlyThisChannel,
    criteria: { parcel: 10, distance: 0, shippingCost: 0, priority: 1 },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await api.post(`/routing/rule-sets/${ruleSetId}/versions/1/publish`, {});
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  const draft = await api.post(`/routing/rule-sets/${ruleSetId}/versions`, {
    name: "By distance",
    rank: 10,
    conditions: onlyThisChannel,
    criteria: { parcel: 10, distance: 1, shippingCost: 0, priority: 0 },
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  expect(draft.body).toMatchObject({ version: 2, status: "DRAFT" });

  for (let i = 0; i < 3; i++) {
    const base = sampleBody() as { shippingAddress: Record<string, unknown> };
    const res = await api.post(
      "/orders",
      uniqueOrder({
        ...base,
        channelId,
        shippingAddress: { ...base.shippingAddress, coordinates: COLOGNE },
        positions: [{ sku, quantity: 2, unitPrice: 10 }],
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    orderIds.push(String(res.body.orderId));
  }
  for (const id of orderIds) {
    const order = await api.waitForStatus(id, "SUBMITTED", 30_000);
    const [position] = order.positions as { locationId?: string }[];
    expect(position?.locationId).toBe(warehouse);
  }
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

/** Every item of the table, sorted by key, as JSON. */
async function tableSnapshot(): Promise<string[]> {
  const db = documentClient(runtime);
  const items: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: runtime.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) items.push(JSON.stringify(item, Object.keys(item).sort()));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.sort();
}

/**
 * Waits until background work (outbox relay, the availability projection fed by the stock stream) has
 * stopped changing the table: the same snapshot for 2 s in a row.
 */
async function quietSnapshot(): Promise<string[]> {
  let previous = JSON.stringify(await tableSnapshot());
  let stableSince = Date.now();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const next = JSON.stringify(await tableSnapshot());
    if (next !== previous) {
      previous = next;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 2_000) {
      return JSON.parse(next) as string[];
    }
  }
  throw new Error("the table kept changing");
}

describe("POST /routing/simulations", () => {
  it("reports that the draft moves the orders to the store, and changes nothing stored", async () => {
    const before = await quietSnapshot();
    const stockBefore = await stockOf(api, sku);

    const res = await api.post("/routing/simulations", {
      draft: [{ ruleSetId, version: 2 }],
      orders: { channelId },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const report = res.body as {
      ordersSimulated: number;
      ordersChanged: number;
      cascade: { before: unknown[]; after: unknown[] };
      before: {
        routed: number;
        meanDistanceKm: number;
        shippingCost: number;
        byRuleSet: Record<string, number>;
      };
      after: {
        routed: number;
        meanDistanceKm: number;
        shippingCost: number;
        byRuleSet: Record<string, number>;
      };
      delta: Record<string, number>;
      orders: { orderId: string; before: { locations: string[] }; after: { locations: string[] } }[];
    };
    expect(report.ordersSimulated).toBe(3);
    expect(report.ordersChanged).toBe(3);
    expect(report.cascade.before).toContainEqual({ ruleSetId, version: 1, rank: 10 });
    expect(report.cascade.after).toContainEqual({ ruleSetId, version: 2, rank: 10 });
    expect(report.orders.map((o) => o.orderId).sort()).toEqual([...orderIds].sort());
    for (const o of report.orders) {
      expect(o.before.locations).toEqual([warehouse]);
      expect(o.after.locations).toEqual([store]);
    }
    expect(report.before).toMatchObject({ routed: 3, byRuleSet: { [`${ruleSetId}@1`]: 3 } });
    expect(report.after).toMatchObject({ routed: 3, byRuleSet: { [`${ruleSetId}@2`]: 3 } });
    expect(report.before.meanDistanceKm).toBeGreaterThan(400);
    expect(report.after.meanDistanceKm).toBeLessThan(40);
    expect(report.delta.shippingCost).toBeLessThan(0);

    // Nothing stored changed: every item of the table is the same, and so is the stock.
    expect(await tableSnapshot()).toEqual(before);
    expect(await stockOf(api, sku)).toEqual(stockBefore);
  });

  it("previews an unsaved definition and a removal; the published cascade is the same on both sides", async () => {
    const unsaved = await api.post("/routing/simulations", {
      draft: [
        {
          ruleSetId,
          definition: {
            name: "Stores only",
            rank: 10,
            conditions: { fact: "order.channel", op: "eq", value: channelId },
            filters: { kinds: ["STORE"] },
          },
        },
      ],
      orders: { orderIds, limit: 3 },
      includeUnchanged: true,
    });
    expect(unsaved.status, JSON.stringify(unsaved.body)).toBe(200);
    expect(unsaved.body).toMatchObject({ ordersSimulated: 3, ordersChanged: 3 });
    expect((unsaved.body.after as { byRuleSet: Record<string, number> }).byRuleSet).toEqual({
      [`${ruleSetId}@0`]: 3,
    });

    // Without the rule set, the rest of the cascade (the demo's rule sets match another channel) and then
    // the built-in default route the orders.
    const removed = await api.post("/routing/simulations", {
      draft: [{ ruleSetId, remove: true }],
      orders: { channelId, status: "SUBMITTED", limit: 2 },
    });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body.ordersSimulated).toBe(2);
    const cascade = removed.body.cascade as {
      before: { ruleSetId: string }[];
      after: { ruleSetId: string }[];
    };
    expect(cascade.before.map((r) => r.ruleSetId)).toContain(ruleSetId);
    expect(cascade.after.map((r) => r.ruleSetId)).not.toContain(ruleSetId);
    expect(cascade.after).toHaveLength(cascade.before.length - 1);
  });

  it("refuses a missing draft version (404 at the field) and a request without a selection (400)", async () => {
    const missing = await api.post("/routing/simulations", {
      draft: [{ ruleSetId, version: 99 }],
      orders: { channelId },
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: "RULE_SET_VERSION_NOT_FOUND", field: "draft.0.version" });

    const noSelection = await api.post("/routing/simulations", {
      draft: [{ ruleSetId, version: 2 }],
      orders: {},
    });
    expect(noSelection.status).toBe(400);
    expect(JSON.stringify(noSelection.body)).toContain("select orders by orderIds, channelId or status");

    const tooMany = await api.post("/routing/simulations", {
      draft: [{ ruleSetId, version: 2 }],
      orders: { channelId, limit: 501 },
    });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain("orders.limit");
  });
});
