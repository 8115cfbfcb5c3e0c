// DOSE through the real HTTP API and workflow on the local runtime (DynamoDB Local): rule set versions
// (a published version cannot change), the cascade (rule set 1 does not match, rule set 2 cannot assign,
// rule set 3 wins) explained by GET /orders/{id}/routing, CHECK_ANNOUNCED completed by an operator and
// reaching SUBMITTED, NOT_ANNOUNCED cancelled automatically when the channel says so, and a cancelled task.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../local/runtime.ts";
import {
  count,
  createLocation,
  putChannel,
  repositories,
  stockAt,
  uid,
} from "../support/inventory-fixtures.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
});

afterAll(async () => {
  await runtime?.stop();
});

const put = (path: string, body: unknown) =>
  api.raw("PUT", path, JSON.stringify(body), { "content-type": "application/json" });

/** Creates and publishes a rule set scoped to one channel (other tests' orders never match it). */
async function publishRuleSet(channelId: string, ruleSetId: string, definition: Record<string, unknown>) {
  const { conditions, ...rest } = definition as { conditions?: unknown };
  const scope = { fact: "order.channel", op: "eq", value: channelId };
  const created = await api.post("/routing/rule-sets", {
    ruleSetId,
    name: ruleSetId,
    conditions: conditions ? { all: [scope, conditions] } : scope,
    ...rest,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await api.post(`/routing/rule-sets/${ruleSetId}/versions/1/publish`, {});
  expect(published.status, JSON.stringify(published.body)).toBe(200);
}

async function setUpChannel(inventory: Record<string, unknown> = {}) {
  const channelId = uid("dose");
  const [warehouse, store] = [uid("wh"), uid("store")];
  await createLocation(api, warehouse, { priority: 1, networks: [channelId] });
  await createLocation(api, store, { kind: "STORE", priority: 50, networks: [channelId] });
  await putChannel(runtime, {
    channelId,
    defaultLocationId: warehouse,
    inventory: {
      locationIds: [],
      networks: [channelId],
      whenOutOfStock: "NOT_ANNOUNCED",
      reservationHoldMinutes: 60,
      ...inventory,
    },
  });
  return { channelId, warehouse, store };
}

const orderFor = (channelId: string, positions: { sku: string; quantity: number }[]) =>
  uniqueOrder({ ...sampleBody(), channelId, positions: positions.map((p) => ({ ...p, unitPrice: 10 })) });

describe("rule set versions", () => {
  it("edits a draft, publishes it, refuses to change the published version, and adds a new draft", async () => {
    const ruleSetId = uid("rs");
    // Scoped to a channel without orders: a published rule set applies to every order it matches.
    const scope = { fact: "order.channel", op: "eq", value: "no-such-channel" };
    const created = await api.post("/routing/rule-sets", {
      ruleSetId,
      name: "Stores first",
      rank: 10,
      conditions: scope,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ruleSetId,
      version: 1,
      status: "DRAFT",
      definition: { maxSplit: 3 },
    });

    const edited = await put(`/routing/rule-sets/${ruleSetId}/versions/1`, {
      name: "Stores first",
      rank: 10,
      conditions: scope,
      filters: { kinds: ["STORE"] },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ definition: { filters: { kinds: ["STORE"] } } });

    const badCondition = await put(`/routing/rule-sets/${ruleSetId}/versions/1`, {
      name: "x",
      rank: 1,
      conditions: { all: [{ fact: "order.totalValue", op: "contains", value: "x" }] },
    });
    expect(badCondition.status).toBe(400);
    expect(badCondition.body).toMatchObject({ code: "VALIDATION_FAILED", field: "conditions.all.0.op" });

    expect((await api.post(`/routing/rule-sets/${ruleSetId}/versions/1/publish`, {})).status).toBe(200);
    const refused = await put(`/routing/rule-sets/${ruleSetId}/versions/1`, {
      name: "changed",
      rank: 1,
      conditions: scope,
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: "RULE_SET_VERSION_PUBLISHED", field: "version" });
    const stored = await api.get(`/routing/rule-sets/${ruleSetId}/versions/1`);
    expect(stored.body).toMatchObject({
      status: "PUBLISHED",
      definition: { name: "Stores first", rank: 10 },
    });

    const second = await api.post(`/routing/rule-sets/${ruleSetId}/versions`, {});
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({
      version: 2,
      status: "DRAFT",
      definition: { filters: { kinds: ["STORE"] } },
    });
    const view = await api.get(`/routing/rule-sets/${ruleSetId}`);
    expect(view.body).toMatchObject({
      latestVersion: 2,
      publishedVersion: 1,
      versions: [
        { version: 1, status: "PUBLISHED" },
        { version: 2, status: "DRAFT" },
      ],
    });
    expect((await api.get("/routing/rule-sets/no-such-set")).status).toBe(404);
  });
});

describe("routing an order", () => {
  it("cascades: rule set 1 does not match, rule set 2 cannot assign, rule set 3 routes; the trace says why", async () => {
    const { channelId, warehouse, store } = await setUpChannel();
    const sku = uid("SKU");
    await count(api, [{ sku, locationId: store, onHand: 5 }]);
    await publishRuleSet(channelId, `${channelId}-gold`, {
      rank: 1,
      conditions: { fact: "order.customerTier", op: "eq", value: "gold" },
    });
    await publishRuleSet(channelId, `${channelId}-wh`, { rank: 2, filters: { kinds: ["WAREHOUSE"] } });
    await publishRuleSet(channelId, `${channelId}-stores`, { rank: 3, filters: { kinds: ["STORE"] } });

    const res = await api.post("/orders", orderFor(channelId, [{ sku, quantity: 2 }]));
    const orderId = String(res.body.orderId);
    const order = await api.waitForStatus(orderId, "SUBMITTED");
    expect(order.positions).toMatchObject([
      { locationId: store, allocations: [{ locationId: store, quantity: 2 }], routedBy: { version: 1 } },
    ]);
    expect(order.routing).toMatchObject({ ruleSets: [{ ruleSetId: `${channelId}-stores`, version: 1 }] });
    expect(await stockAt(api, sku, store)).toMatchObject({ reserved: 2, available: 3 });

    const routing = await api.get(`/orders/${orderId}/routing`);
    expect(routing.status).toBe(200);
    const trace = routing.body.trace as {
      ruleSets: {
        ruleSetId: string;
        notMatched: { why: string }[];
        filtered: { filter: string; locationIds: string[] }[];
        winner?: { locations: string[] };
      }[];
    };
    const [gold, wh, stores] = ["gold", "wh", "stores"].map((name) =>
      trace.ruleSets.find((r) => r.ruleSetId === `${channelId}-${name}`),
    );
    expect(gold?.notMatched[0]?.why).toContain("order.customerTier");
    expect(wh?.filtered).toContainEqual({ filter: "KIND", locationIds: [store] });
    expect(stores?.winner?.locations).toEqual([store]);
    expect(warehouse).not.toBe(store);
  });

  it("CHECK_ANNOUNCED when no rule set can keep its promise; an operator's assignment reaches SUBMITTED", async () => {
    const { channelId, warehouse, store } = await setUpChannel();
    const sku = uid("SKU");
    await count(api, [
      { sku, locationId: warehouse, onHand: 1 },
      { sku, locationId: store, onHand: 4 },
    ]);
    // Delivery the day the order is placed: no location can promise that.
    await publishRuleSet(channelId, `${channelId}-same-day`, { rank: 1, deliveryPromise: { withinDays: 0 } });

    const res = await api.post("/orders", orderFor(channelId, [{ sku, quantity: 3 }]));
    const orderId = String(res.body.orderId);
    const order = await api.waitForStatus(orderId, "CHECK_ANNOUNCED");
    expect(order.positions).toMatchObject([{ status: "CHECK_ANNOUNCED" }]);

    const open = await api.get("/routing/tasks?status=OPEN&limit=100");
    expect((open.body.items as { taskId: string }[]).map((t) => t.taskId)).toContain(orderId);
    const task = await api.get(`/routing/tasks/${orderId}`);
    expect(task.body).toMatchObject({
      kind: "CHECK_ANNOUNCED",
      status: "OPEN",
      positions: [{ lineId: "1", quantity: 3, candidates: [warehouse, store].sort() }],
    });
    const routing = await api.get(`/orders/${orderId}/routing`);
    const traced = (routing.body.trace as { ruleSets: { ruleSetId: string; filtered: unknown[] }[] })
      .ruleSets;
    expect(traced.find((r) => r.ruleSetId === `${channelId}-same-day`)?.filtered).toContainEqual({
      filter: "PROMISE",
      locationIds: [warehouse, store].sort(),
    });

    const tooMuch = await api.post(`/routing/tasks/${orderId}/complete`, {
      assignments: [{ lineId: "1", allocations: [{ locationId: warehouse, quantity: 3 }] }],
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({
      code: "INSUFFICIENT_STOCK",
      field: "assignments.0.allocations.0.quantity",
    });
    const wrongSum = await api.post(`/routing/tasks/${orderId}/complete`, {
      assignments: [{ lineId: "1", allocations: [{ locationId: store, quantity: 2 }] }],
    });
    expect(wrongSum.status).toBe(422);
    expect(wrongSum.body).toMatchObject({ code: "ASSIGNMENT_REFUSED", field: "assignments.0.allocations" });
    expect(await stockAt(api, sku, warehouse)).toMatchObject({ reserved: 0 });

    const done = await api.post(`/routing/tasks/${orderId}/complete`, {
      assignments: [
        {
          lineId: "1",
          allocations: [
            { locationId: warehouse, quantity: 1 },
            { locationId: store, quantity: 2 },
          ],
        },
      ],
      note: "customer accepts a later delivery",
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ orderStatus: "ROUTED", task: { status: "COMPLETED" } });
    const submitted = await api.waitForStatus(orderId, "SUBMITTED");
    expect(submitted.routing).toMatchObject({ manual: true });
    expect(await stockAt(api, sku, warehouse)).toMatchObject({ reserved: 1, available: 0 });
    expect(await stockAt(api, sku, store)).toMatchObject({ reserved: 2, available: 2 });
    const again = await api.post(`/routing/tasks/${orderId}/cancel`, { reason: "too late" });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "ROUTING_TASK_CLOSED" });
  });

  it("NOT_ANNOUNCED with the channel's auto-cancel: CANCELLED, every reservation released", async () => {
    const { channelId, warehouse } = await setUpChannel({ cancelWhenNotAnnounced: true });
    const [inStock, missing] = [uid("SKU"), uid("SKU")];
    await count(api, [{ sku: inStock, locationId: warehouse, onHand: 5 }]);

    const res = await api.post(
      "/orders",
      orderFor(channelId, [
        { sku: inStock, quantity: 2 },
        { sku: missing, quantity: 1 },
      ]),
    );
    const orderId = String(res.body.orderId);
    const order = await api.waitForStatus(orderId, "CANCELLED");
    expect(order.cancellation).toMatchObject({ reason: expect.stringContaining(missing) });
    expect(await stockAt(api, inStock, warehouse)).toMatchObject({ reserved: 0, available: 5 });
    const events = await repositories(runtime).orders.listOrderEvents(orderId);
    expect(events.map((e) => e.type)).toEqual([
      "order.created",
      "order.validated",
      "order.not-announced",
      "order.cancelled",
    ]);
    expect((await api.get(`/routing/tasks/${orderId}`)).status).toBe(404);
  });

  it("NOT_ANNOUNCED without auto-cancel waits for an operator, who may cancel the order", async () => {
    const { channelId, warehouse } = await setUpChannel();
    const [inStock, missing] = [uid("SKU"), uid("SKU")];
    await count(api, [{ sku: inStock, locationId: warehouse, onHand: 5 }]);
    const res = await api.post(
      "/orders",
      orderFor(channelId, [
        { sku: inStock, quantity: 2 },
        { sku: missing, quantity: 1 },
      ]),
    );
    const orderId = String(res.body.orderId);
    await api.waitForStatus(orderId, "NOT_ANNOUNCED");
    expect(await stockAt(api, inStock, warehouse)).toMatchObject({ reserved: 2 });

    const cancelled = await api.post(`/routing/tasks/${orderId}/cancel`, { reason: "no stock expected" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ orderStatus: "CANCELLED", task: { status: "CANCELLED" } });
    expect(await stockAt(api, inStock, warehouse)).toMatchObject({ reserved: 0, available: 5 });
    expect((await api.get(`/orders/${orderId}`)).body).toMatchObject({ status: "CANCELLED" });
    const done = await api.get("/routing/tasks?status=CANCELLED&limit=100");
    expect((done.body.items as { taskId: string }[]).map((t) => t.taskId)).toContain(orderId);
  });
});
