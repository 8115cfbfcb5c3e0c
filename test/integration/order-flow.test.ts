import { readdirSync } from "node:fs";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plannedShippingDate } from "../../domain/fulfillment/planned-shipping-date.ts";
import { locationCreateSchema } from "../../domain/inventory/location.ts";
import type { Runtime } from "../../local/runtime.ts";
import { DEMO_LOCATIONS } from "../../local/seed/demo-seed.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";
import {
  type DeliveredEvent,
  subscribeWebhook,
  type WebhookSubscription,
} from "../support/webhook-subscriber.ts";

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;
let sfn: SFNClient;
let ddb: DynamoDBClient;
const received: DeliveredEvent[] = [];
let webhook: WebhookSubscription | undefined;

const aws = (endpoint: string) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
});

/** Items in the table once earlier tests' workflows and relays have settled. */
async function countItems(): Promise<number> {
  await runtime.stepFunctions.whenIdle();
  const res = await ddb.send(new ScanCommand({ TableName: runtime.tableName, Select: "COUNT" }));
  return res.Count ?? 0;
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
  sfn = new SFNClient(aws(runtime.awsEndpoint));
  ddb = new DynamoDBClient(aws(runtime.awsEndpoint));
  // A merchant's webhook on loopback, subscribed to every order event through an EventBridge rule.
  webhook = await subscribeWebhook({
    awsEndpoint: runtime.awsEndpoint,
    name: "test-all-order-events",
    pattern: { source: ["oms.orders"] },
    onEvent: (event) => received.push(event),
  });
});

afterAll(async () => {
  await runtime?.stop();
  await webhook?.close();
});

describe("capture -> SUBMITTED", () => {
  it("accepts the sample order with 202 and moves it to SUBMITTED with a timestamped timeline", async () => {
    const res = await api.post("/orders", uniqueOrder(sampleBody()), { "idempotency-key": "flow-1" });
    expect(res.status).toBe(202);
    const orderId = String(res.body.orderId);
    expect(orderId).toMatch(/^[0-9A-Z]{26}$/);
    expect(res.headers.get("location")).toBe(`/orders/${orderId}`);

    const order = await api.waitForStatus(orderId, "SUBMITTED");
    const timeline = order.timeline as { status: string; at: string }[];
    expect(timeline.map((t) => t.status)).toEqual(["INITIAL", "VALIDATED", "ROUTED", "ROUTED", "SUBMITTED"]);
    expect((order.timeline as { action: string }[]).map((t) => t.action)).toEqual([
      "capture",
      "validate",
      "route",
      "respond",
      "submit",
    ]);
    for (const entry of timeline) expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
    expect((order.positions as { locationId: string }[]).every((p) => p.locationId === "wh-berlin")).toBe(
      true,
    );

    // The order names the (Express) execution that last moved it; locally its history is kept too.
    expect(String(order.executionArn)).toContain(":express:oms-home-delivery:");
    // The last step returns just after its write: the execution ends a moment after the order is SUBMITTED.
    const describe = () =>
      sfn.send(new DescribeExecutionCommand({ executionArn: String(order.executionArn) }));
    let execution = await describe();
    for (let i = 0; i < 40 && execution.status === "RUNNING"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      execution = await describe();
    }
    expect(execution.status).toBe("SUCCEEDED");

    // Every status change reaches a subscribed merchant exactly once, in sequence order recoverable.
    const deadline = Date.now() + 10_000;
    const mine = () => received.filter((e) => e.detail.orderId === orderId);
    while (mine().length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(
      mine()
        .map((e) => e["detail-type"])
        .sort(),
    ).toEqual(
      [
        "order.created.v1",
        "order.routed.v1",
        "order.response.v1",
        "order.submission-requested.v1",
        "order.submitted.v1",
        "order.validated.v1",
      ].sort(),
    );
    expect(new Set(mine().map((e) => e.detail.eventId)).size).toBe(6);
    expect(
      mine()
        .map((e) => e.detail.sequence)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5, 6]);

    // The same events, in sequence, from the order repository: what a merchant replays from.
    const history = await api.get(`/orders/${orderId}/events`);
    expect(history.status).toBe(200);
    const items = history.body.items as { eventId: string; sequence: number; type: string }[];
    expect(items.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(items.map((e) => e.type)).toEqual([
      "order.created",
      "order.validated",
      "order.routed",
      "order.response",
      "order.submission-requested",
      "order.submitted",
    ]);
    expect(new Set(items.map((e) => e.eventId))).toEqual(new Set(mine().map((e) => e.detail.eventId)));
    expect((await api.get("/orders/01HZZZZZZZZZZZZZZZZZZZZZZZ/events")).status).toBe(404);
  });

  it("sends the temporary order response after routing and serves it at /orders/{orderId}/response", async () => {
    const res = await api.post("/orders", uniqueOrder(sampleBody()));
    const orderId = String(res.body.orderId);
    const order = await api.waitForStatus(orderId, "SUBMITTED");
    const routedAt = (order.timeline as { action: string; at: string }[]).find(
      (t) => t.action === "route",
    )?.at;
    const berlin = locationCreateSchema.parse(DEMO_LOCATIONS.find((l) => l.locationId === "wh-berlin"));
    // The demo warehouse ships before 17:00 Berlin time on weekdays: the date depends on when this runs.
    const shipDate = plannedShippingDate({ location: berlin, assignedAt: String(routedAt) });
    const response = await api.get(`/orders/${orderId}/response`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      orderId,
      status: "SUBMITTED",
      channelOrderRef: (order as { channelOrderRef: string }).channelOrderRef,
      currency: "EUR",
      assignedAt: routedAt,
      lines: [
        {
          lineId: "1",
          sku: "SKU-TSHIRT-M",
          quantity: 2,
          salesPrice: 19.9,
          availability: "IN_STOCK",
          plannedShippingDate: shipDate,
          allocations: [
            {
              locationId: "wh-berlin",
              quantity: 2,
              availability: "IN_STOCK",
              plannedShippingDate: shipDate,
              purchasePrice: 6.4,
            },
          ],
        },
        {
          lineId: "2",
          sku: "SKU-MUG",
          quantity: 1,
          salesPrice: 9.5,
          availability: "IN_STOCK",
          plannedShippingDate: shipDate,
          allocations: [
            {
              locationId: "wh-berlin",
              quantity: 1,
              availability: "IN_STOCK",
              plannedShippingDate: shipDate,
              purchasePrice: 3.1,
            },
          ],
        },
      ],
    });
    // The channel receives the same content as order.response.v1.
    const deadline = Date.now() + 10_000;
    const sent = () =>
      received.find((e) => e.detail.orderId === orderId && e["detail-type"] === "order.response.v1");
    while (!sent() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const { orderId: _id, status: _status, ...content } = response.body;
    expect((sent()?.detail as { data?: unknown } | undefined)?.data).toMatchObject({
      ...content,
      status: "ROUTED",
      previousStatus: "ROUTED",
    });

    const unknown = await api.get("/orders/01HZZZZZZZZZZZZZZZZZZZZZZZ/response");
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("ORDER_NOT_FOUND");
    expect((await api.get("/orders/not-an-id/response")).status).toBe(400);
  });

  it("lists orders by channel and status with paging", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api.post("/orders", uniqueOrder(sampleBody()));
      ids.push(String(res.body.orderId));
    }
    for (const id of ids) await api.waitForStatus(id, "SUBMITTED");
    const first = await api.get("/orders?channel=web-de&status=SUBMITTED&limit=2");
    expect(first.status).toBe(200);
    expect((first.body.items as unknown[]).length).toBeGreaterThan(0);
    expect(first.body.nextCursor).toBeTypeOf("string");
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await api.get(`/orders?status=SUBMITTED&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      for (const item of page.body.items as { orderId: string; status: string }[]) {
        expect(item.status).toBe("SUBMITTED");
        seen.add(item.orderId);
      }
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    for (const id of ids) expect(seen.has(id)).toBe(true);
    expect((await api.get("/orders")).status).toBe(400);
    expect((await api.get("/orders?status=SUBMITTED&cursor=garbage")).body.code).toBe("INVALID_CURSOR");
  });
});

describe("event catalogue", () => {
  it("serves every event type and version with its JSON Schema, as published in docs/events", async () => {
    const res = await api.get("/events/catalogue");
    expect(res.status).toBe(200);
    const items = res.body.items as { detailType: string; source: string }[];
    const files = readdirSync("docs/events").map((f) => f.replace(/\.json$/, ""));
    expect(items.map((i) => i.detailType).sort()).toEqual(files.sort());
    expect(items.find((i) => i.detailType === "order.submitted.v1")?.source).toBe("oms.orders");
  });
});

describe("idempotency", () => {
  it("answers a repeated request with the same order and stores no second one", async () => {
    const body = uniqueOrder(sampleBody());
    const first = await api.post("/orders", body, { "idempotency-key": "idem-1" });
    const before = await countItems();
    const again = await api.post("/orders", body, { "idempotency-key": "idem-1" });
    expect(again.status).toBe(202);
    expect(again.body.orderId).toBe(first.body.orderId);
    expect(again.body.replayed).toBe(true);
    // Key order in the JSON does not make it another request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await api.post("/orders", reordered, { "idempotency-key": "idem-1" })).body.orderId).toBe(
      first.body.orderId,
    );
    expect(await countItems()).toBeLessThanOrEqual(before + 3); // only the order's own new events, no new order
    const list = await api.get(`/orders?channel=web-de&limit=100`);
    const sameRef = (list.body.items as { channelOrderRef: string }[]).filter(
      (o) => o.channelOrderRef === body.channelOrderRef,
    );
    expect(sameRef).toHaveLength(1);
  });

  it("refuses the same key with another body (409) and a known channel order number under a new key (409)", async () => {
    const body = uniqueOrder(sampleBody());
    const first = await api.post("/orders", body, { "idempotency-key": "idem-2" });
    const reuse = await api.post("/orders", { ...body, currency: "USD" }, { "idempotency-key": "idem-2" });
    expect(reuse.status).toBe(409);
    expect(reuse.body).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", field: "header.Idempotency-Key" });
    const duplicate = await api.post("/orders", body, { "idempotency-key": "idem-3" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ code: "DUPLICATE_CHANNEL_ORDER_REF", field: "channelOrderRef" });
    expect((duplicate.body.details as { orderId: string }).orderId).toBe(first.body.orderId);
  });
});

describe("bad input gets a specific 4xx and stores nothing", () => {
  const cases: [
    string,
    () => Promise<{ status: number; body: Record<string, unknown> }>,
    number,
    string,
    string?,
  ][] = [
    ["malformed JSON", () => api.post("/orders", '{"channelId": "web-de",'), 400, "MALFORMED_JSON"],
    [
      "missing fields",
      () => api.post("/orders", { channelId: "web-de" }),
      400,
      "VALIDATION_FAILED",
      "channelOrderRef",
    ],
    [
      "zero quantity",
      () => {
        const body = uniqueOrder(sampleBody()) as { positions: { quantity: number }[] };
        body.positions[0]!.quantity = 0;
        return api.post("/orders", body);
      },
      400,
      "VALIDATION_FAILED",
      "positions.0.quantity",
    ],
    [
      "negative quantity",
      () => {
        const body = uniqueOrder(sampleBody()) as { positions: { quantity: number }[] };
        body.positions[1]!.quantity = -2;
        return api.post("/orders", body);
      },
      400,
      "VALIDATION_FAILED",
      "positions.1.quantity",
    ],
    [
      "unknown channel",
      () => api.post("/orders", { ...uniqueOrder(sampleBody()), channelId: "nope" }),
      404,
      "CHANNEL_NOT_FOUND",
      "channelId",
    ],
    [
      "a 1 MB body",
      () => api.post("/orders", { ...sampleBody(), padding: "x".repeat(1024 * 1024) }),
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    [
      "a non-JSON content type",
      () => api.raw("POST", "/orders", JSON.stringify(sampleBody()), { "content-type": "text/plain" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "a bad Idempotency-Key",
      () => api.post("/orders", uniqueOrder(sampleBody()), { "idempotency-key": "bad key" }),
      400,
      "INVALID_IDEMPOTENCY_KEY",
    ],
  ];
  it.each(cases)("%s", async (_name, send, status, code, field) => {
    const before = await countItems();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    if (field) expect(res.body.field).toBe(field);
    expect(res.body).not.toHaveProperty("stack");
    expect(await countItems()).toBe(before);
  });

  it("answers unknown orders and bad ids with 404 and 400", async () => {
    expect((await api.get("/orders/01HZZZZZZZZZZZZZZZZZZZZZZZ")).body.code).toBe("ORDER_NOT_FOUND");
    expect((await api.get("/orders/not-an-id")).status).toBe(400);
    expect((await api.get("/nowhere")).status).toBe(404);
  });
});

describe("failures", () => {
  it("retries a task that fails once and still ends in SUBMITTED", async () => {
    runtime.functions.injectFault("route-order", { times: 1, errorType: "Lambda.ServiceException" });
    const res = await api.post("/orders", uniqueOrder(sampleBody()));
    const orderId = String(res.body.orderId);
    const order = await api.waitForStatus(orderId, "SUBMITTED");
    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: String(order.executionArn), maxResults: 1000 }),
    );
    expect(history.events?.some((e) => e.type === "TaskFailed" || e.type === "LambdaFunctionFailed")).toBe(
      true,
    );
  });

  it("leaves an order whose task always fails in EXCEPTION with the cause; a retry after the fix completes it", async () => {
    runtime.functions.injectFault("submit-order", {
      times: Number.POSITIVE_INFINITY,
      errorType: "WarehouseDown",
      message: "warehouse API refused",
    });
    const res = await api.post("/orders", uniqueOrder(sampleBody()));
    const orderId = String(res.body.orderId);
    const failed = await api.waitForStatus(orderId, "EXCEPTION");
    expect(failed.exception).toMatchObject({ previousStatus: "ROUTED", error: "WarehouseDown" });
    // The readable message, not the Lambda error's JSON envelope.
    expect((failed.exception as { cause: string }).cause).toBe("warehouse API refused");
    const failedArn = String((failed.exception as { executionArn: string }).executionArn);
    // RecordFailure ran; the execution ends right after it.
    let failedRun = await sfn.send(new DescribeExecutionCommand({ executionArn: failedArn }));
    for (let i = 0; i < 100 && failedRun.status === "RUNNING"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      failedRun = await sfn.send(new DescribeExecutionCommand({ executionArn: failedArn }));
    }
    expect(failedRun).toMatchObject({ status: "FAILED", error: "OrderStepFailed" });

    // A retry while the cause persists fails again and keeps the order where it stood.
    const again = await api.post(`/orders/${orderId}/retry`, {});
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ orderId, resumeAt: "AfterRouting" });
    const deadline = Date.now() + 10_000;
    let current = failed;
    while (Date.now() < deadline) {
      current = (await api.get(`/orders/${orderId}`)).body;
      const exception = current.exception as { executionArn: string } | undefined;
      if (exception && exception.executionArn !== failedArn) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(current.exception).toMatchObject({
      previousStatus: "ROUTED",
      executionArn: again.body.executionArn,
    });

    runtime.functions.clearFaults();
    const retried = await api.post(`/orders/${orderId}/retry`, {});
    expect(retried.status).toBe(202);
    const done = await api.waitForStatus(orderId, "SUBMITTED");
    expect((done.timeline as { status: string }[]).map((t) => t.status)).toEqual([
      "INITIAL",
      "VALIDATED",
      "ROUTED",
      "ROUTED",
      "EXCEPTION",
      "EXCEPTION",
      "ROUTED",
      "SUBMITTED",
    ]);
    expect(done.exception).toBeUndefined();
    expect(done.executionArn).toBe(retried.body.executionArn);
    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: String(retried.body.executionArn), maxResults: 1000 }),
    );
    // The retry started after routing: Validate and Route did not run again; the approval check found
    // nothing to approve, Respond and Documents found their effects recorded (no second order.response,
    // no document made twice) and Submit lifted the exception.
    const entered = (history.events ?? []).flatMap((e) => e.stateEnteredEventDetails?.name ?? []);
    expect(entered).toEqual(["Resume?", "Approve?", "Awaiting?", "Respond", "Documents", "Submit"]);
    const events = (await api.get(`/orders/${orderId}/events`)).body.items as { type: string }[];
    expect(events.filter((e) => e.type === "order.response")).toHaveLength(1);
  });

  it("refuses to retry an order that is not in EXCEPTION, and an unknown order", async () => {
    const orderId = String((await api.post("/orders", uniqueOrder(sampleBody()))).body.orderId);
    await api.waitForStatus(orderId, "SUBMITTED");
    const res = await api.post(`/orders/${orderId}/retry`, {});
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "ORDER_NOT_IN_EXCEPTION", field: "orderId" });
    expect((await api.post("/orders/01HZZZZZZZZZZZZZZZZZZZZZZZ/retry", {})).status).toBe(404);
    expect((await api.post("/orders/nope/retry", {})).status).toBe(400);
  });
});

describe("event delivery failures", () => {
  it("dead-letters an event its merchant endpoint keeps refusing, lists it, and redelivers it after the fix", async () => {
    const got: string[] = [];
    const flaky = await subscribeWebhook({
      awsEndpoint: runtime.awsEndpoint,
      name: "flaky-created",
      pattern: { "detail-type": ["order.created.v1"] },
      onEvent: (event) => got.push(event.detail.orderId),
      retryPolicy: { MaximumRetryAttempts: 1 },
    });
    flaky.setHealthy(false);
    const orderId = String((await api.post("/orders", uniqueOrder(sampleBody()))).body.orderId);
    const admin = `${runtime.awsEndpoint}/_local/eventbridge/dead-letters`;
    let letters: { event: { detail: { orderId: string } } }[] = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      letters = (
        (await (await fetch(`${admin}?ruleName=flaky-created`)).json()) as { deadLetters: typeof letters }
      ).deadLetters;
      if (letters.some((l) => l.event.detail.orderId === orderId)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(letters.map((l) => l.event.detail.orderId)).toContain(orderId);
    flaky.setHealthy(true);
    const redrive = (await (
      await fetch(`${admin}/redrive?ruleName=flaky-created`, { method: "POST" })
    ).json()) as { redriven: number };
    expect(redrive.redriven).toBeGreaterThanOrEqual(1);
    await runtime.eventBridge.whenIdle();
    expect(got).toContain(orderId);
    await flaky.close();
  });
});
