// Merchant event subscriptions end to end on the local runtime: subscriptions made through the API become
// EventBridge rules on the order bus, whose events reach a real HTTP receiver on loopback through the
// SQS delivery queue and the delivery function. Signatures verify; retries end with one acknowledgement
// per event; a merchant never receives another merchant's events; pause/resume with backlog; dead
// letters; time-range redelivery.
import {
  CreateEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventBuses } from "../../app/app-declaration.ts";
import type { Runtime } from "../../local/runtime.ts";
import { OTHER_DEMO_CHANNEL } from "../../local/seed/demo-seed.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";
import {
  type DeliveredEvent,
  startWebhookReceiver,
  subscribeWebhook,
  type WebhookReceiver,
} from "../support/webhook-subscriber.ts";

// Short retries: 1 s between attempts, dead-lettered after 6 s (set before the handlers load).
process.env.WEBHOOK_RETRY_BASE_SECONDS = "1";
process.env.WEBHOOK_RETRY_MAX_SECONDS = "1";
process.env.WEBHOOK_MAX_AGE_SECONDS = "6";

const DEMO = "demo-merchant";
const OTHER = OTHER_DEMO_CHANNEL.merchantId;
const FLOW = [
  "order.created",
  "order.validated",
  "order.routed",
  "order.response",
  "order.submission-requested",
  "order.submitted",
];

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;
const receivers: WebhookReceiver[] = [];
const created: { merchantId: string; subscriptionId: string }[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
});

afterEach(async () => {
  // Each test's subscriptions go, so the next test's orders reach only its own receivers.
  for (const { merchantId, subscriptionId } of created.splice(0)) {
    await api.raw("DELETE", `/merchants/${merchantId}/subscriptions/${subscriptionId}`);
  }
});

afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
  await runtime?.stop();
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function subscribe(
  merchantId: string,
  target: WebhookReceiver,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await api.post(`/merchants/${merchantId}/subscriptions`, {
    eventPattern: { source: ["oms.orders"] },
    target: { type: "WEBHOOK", url: target.url },
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const subscriptionId = String(res.body.subscriptionId);
  created.push({ merchantId, subscriptionId });
  target.setSecret(String(res.body.secret));
  return subscriptionId;
}

async function placeOrder(channelId = "web-de"): Promise<string> {
  const res = await api.post("/orders", uniqueOrder({ ...sampleBody(), channelId }));
  expect(res.status).toBe(202);
  const orderId = String(res.body.orderId);
  await api.waitForStatus(orderId, "SUBMITTED");
  return orderId;
}

/** Every event written so far is published and EventBridge has handed it on. */
async function settled(): Promise<void> {
  await runtime.relay.whenCaughtUp();
  await runtime.eventBridge.whenIdle();
  await new Promise((r) => setTimeout(r, 300));
}

const typesOf = (r: WebhookReceiver, orderId: string) =>
  r
    .acknowledged()
    .filter((q) => q.event.orderId === orderId)
    .sort((a, b) => a.event.sequence - b.event.sequence)
    .map((q) => q.event.type);

describe("merchant subscriptions", () => {
  it("delivers every event of an order, signed, with the documented headers", async () => {
    const hook = await receiver();
    const subscriptionId = await subscribe(DEMO, hook);
    const orderId = await placeOrder();
    await hook.waitFor(() => typesOf(hook, orderId).length === FLOW.length);
    expect(typesOf(hook, orderId)).toEqual(FLOW);
    for (const request of hook.requests) {
      expect(request.signatureValid).toBe(true);
      expect(request.headers["oms-event-id"]).toBe(request.event.eventId);
      expect(request.headers["oms-event-type"]).toBe(`${request.event.type}.v1`);
      expect(request.headers["oms-subscription-id"]).toBe(subscriptionId);
      expect(request.headers["oms-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(request.event.merchantId).toBe(DEMO);
    }
    // The rule on the order bus carries the merchant scope, and its target is the delivery queue.
    const events = new EventBridgeClient({ endpoint: runtime.awsEndpoint, region: "us-east-1" });
    const rule = await events.send(
      new DescribeRuleCommand({ Name: `oms-sub-${subscriptionId}`, EventBusName: eventBuses.orders.name }),
    );
    expect(JSON.parse(String(rule.EventPattern))).toEqual({
      source: ["oms.orders"],
      detail: { merchantId: [DEMO] },
    });
    const targets = await events.send(
      new ListTargetsByRuleCommand({
        Rule: `oms-sub-${subscriptionId}`,
        EventBusName: eventBuses.orders.name,
      }),
    );
    expect(targets.Targets?.[0]?.Arn).toMatch(/:sqs:.*:oms-webhook-deliveries$/);
    // The secret is never shown again.
    const listed = await api.get(`/merchants/${DEMO}/subscriptions/${subscriptionId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.secret).toBeUndefined();
    expect(JSON.stringify((await api.get(`/merchants/${DEMO}/subscriptions`)).body)).not.toContain("whsec_");
  });

  it("a receiver failing three times then succeeding ends with each event acknowledged once", async () => {
    const hook = await receiver();
    hook.answerWith((_request, attempts) => (attempts <= 3 ? 503 : 200));
    await subscribe(DEMO, hook);
    const orderId = await placeOrder();
    await hook.waitFor(() => typesOf(hook, orderId).length === FLOW.length, 30_000);
    const mine = hook.requests.filter((r) => r.event.orderId === orderId);
    const acked = mine.filter((r) => r.status === 200);
    expect(acked.map((r) => r.event.eventId).sort()).toEqual(
      [...new Set(acked.map((r) => r.event.eventId))].sort(),
    );
    expect(acked).toHaveLength(FLOW.length);
    for (const request of acked) expect(request.headers["oms-delivery-attempt"]).toBe("4");
    expect(mine).toHaveLength(FLOW.length * 4);
    // Backoff: the attempts of one event are spread over time, not fired back to back.
    const first = mine.filter((r) => r.event.eventId === acked[0]?.event.eventId).map((r) => r.receivedAt);
    expect((first.at(-1) ?? 0) - (first[0] ?? 0)).toBeGreaterThanOrEqual(1500);
  }, 60_000);

  it("a merchant never receives another merchant's events, whatever its pattern tries", async () => {
    for (const [eventPattern, field] of [
      [{ detail: { merchantId: [{ "anything-but": "me" }] } }, "eventPattern.detail.merchantId"],
      [
        { $or: [{ source: ["oms.orders"] }, { detail: { merchantId: [{ exists: true }] } }] },
        "eventPattern.$or.1.detail.merchantId",
      ],
      [
        { detail: { $or: [{ orderId: [{ prefix: "" }] }, { merchantId: [OTHER] }] } },
        "eventPattern.detail.$or.1.merchantId",
      ],
    ] as const) {
      const res = await api.post(`/merchants/${DEMO}/subscriptions`, {
        eventPattern,
        target: { type: "WEBHOOK", url: "http://127.0.0.1:9/x" },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: "MERCHANT_SCOPE_FIXED", field });
    }
    // Not even through a pattern that names every merchant some other way.
    const demoHook = await receiver();
    const otherHook = await receiver();
    await subscribe(DEMO, demoHook, {
      eventPattern: { $or: [{ source: ["oms.orders"] }, { account: [{ exists: true }] }] },
    });
    await subscribe(OTHER, otherHook);
    const demoOrder = await placeOrder("web-de");
    const otherOrder = await placeOrder(OTHER_DEMO_CHANNEL.channelId);
    await demoHook.waitFor(() => typesOf(demoHook, demoOrder).length === FLOW.length);
    await otherHook.waitFor(() => typesOf(otherHook, otherOrder).length === FLOW.length);
    await settled();
    expect(demoHook.requests.every((r) => r.event.merchantId === DEMO)).toBe(true);
    expect(otherHook.requests.every((r) => r.event.merchantId === OTHER)).toBe(true);
    expect(demoHook.requests.some((r) => r.event.orderId === otherOrder)).toBe(false);
    expect(otherHook.requests.some((r) => r.event.orderId === demoOrder)).toBe(false);
    // And another merchant's subscription is not found under this merchant.
    const { subscriptionId } = created[1] as { subscriptionId: string };
    expect((await api.get(`/merchants/${DEMO}/subscriptions/${subscriptionId}`)).status).toBe(404);
  });

  it("a paused subscription receives nothing, and gets the backlog on resume when configured", async () => {
    const hook = await receiver();
    const subscriptionId = await subscribe(DEMO, hook, { deliverBacklogOnResume: true });
    const paused = await api.post(`/merchants/${DEMO}/subscriptions/${subscriptionId}/pause`, {});
    expect(paused.body.status).toBe("PAUSED");
    const orderId = await placeOrder();
    await settled();
    expect(hook.requests.filter((r) => r.event.orderId === orderId)).toHaveLength(0);

    const resumed = await api.post(`/merchants/${DEMO}/subscriptions/${subscriptionId}/resume`, {});
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe("ACTIVE");
    expect((resumed.body.backlog as { queued: number }).queued).toBeGreaterThanOrEqual(FLOW.length);
    await hook.waitFor(() => typesOf(hook, orderId).length === FLOW.length);
    expect(typesOf(hook, orderId)).toEqual(FLOW);

    // Without the backlog: what happened while paused is not delivered.
    await api.post(`/merchants/${DEMO}/subscriptions/${subscriptionId}/pause`, {});
    const missed = await placeOrder();
    await settled(); // its events are published (and matched nothing) before the resume
    await api.post(`/merchants/${DEMO}/subscriptions/${subscriptionId}/resume`, { deliverBacklog: false });
    const after = await placeOrder();
    await hook.waitFor(() => typesOf(hook, after).length === FLOW.length);
    expect(hook.requests.filter((r) => r.event.orderId === missed)).toHaveLength(0);
  });

  it("dead-letters what keeps failing past the retry age; lists and redelivers it", async () => {
    const hook = await receiver();
    hook.answerWith(() => 500);
    const subscriptionId = await subscribe(DEMO, hook, {
      eventPattern: { "detail-type": ["order.submitted.v1"] },
    });
    const base = `/merchants/${DEMO}/subscriptions/${subscriptionId}`;
    const orderId = await placeOrder();
    let letters: { deadLetterId: string; eventId: string; attempts: number; lastError: string }[] = [];
    const deadline = Date.now() + 30_000;
    while (letters.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      letters = (await api.get(`${base}/dead-letters`)).body.items as typeof letters;
    }
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ lastError: "HTTP 500" });
    expect(letters[0]?.attempts).toBeGreaterThanOrEqual(3);
    const attemptsBefore = hook.requests.length;

    hook.answerWith(() => 200);
    const redrive = await api.post(`${base}/dead-letters/redeliver`, {});
    expect(redrive.status).toBe(202);
    expect(redrive.body.redelivered).toBe(1);
    await hook.waitFor(() => hook.acknowledged().some((r) => r.event.orderId === orderId));
    expect(hook.acknowledged().map((r) => r.event.eventId)).toEqual([letters[0]?.eventId]);
    expect(hook.requests.length).toBe(attemptsBefore + 1);
    expect((await api.get(`${base}/dead-letters`)).body.items).toEqual([]);
  }, 60_000);

  it("redelivers the merchant's matching events of a time range, with the same event ids", async () => {
    const hook = await receiver();
    const subscriptionId = await subscribe(DEMO, hook, {
      eventPattern: { "detail-type": ["order.created.v1", "order.submitted.v1"] },
    });
    const from = new Date(Date.now() - 1000).toISOString();
    const orderId = await placeOrder();
    await placeOrder(OTHER_DEMO_CHANNEL.channelId); // another merchant's events in the same window
    await hook.waitFor(() => typesOf(hook, orderId).length === 2);
    const firstIds = hook.acknowledged().map((r) => r.event.eventId);
    const to = new Date(Date.now() + 1000).toISOString();

    const res = await api.post(`/merchants/${DEMO}/subscriptions/${subscriptionId}/redeliveries`, {
      from,
      to,
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ queued: 2, truncated: false });
    await hook.waitFor(() => hook.acknowledged().length === 4);
    const ids = hook.acknowledged().map((r) => r.event.eventId);
    expect(ids.slice(2).sort()).toEqual([...firstIds].sort());
    expect(hook.requests.every((r) => r.signatureValid && r.event.merchantId === DEMO)).toBe(true);

    const bad = await api.post(`/merchants/${DEMO}/subscriptions/${subscriptionId}/redeliveries`, {
      from: to,
      to: from,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("to");
  });

  it("rotates the secret: the new one verifies, the old one too during the grace period", async () => {
    const hook = await receiver();
    const subscriptionId = await subscribe(DEMO, hook, {
      eventPattern: { "detail-type": ["order.created.v1"] },
    });
    const rotated = await api.post(`/merchants/${DEMO}/subscriptions/${subscriptionId}/rotate-secret`, {
      graceSeconds: 3600,
    });
    expect(rotated.status).toBe(200);
    expect(String(rotated.body.secret)).toMatch(/^whsec_/);
    // The receiver still holds the old secret: the second v1= entry verifies.
    const orderId = await placeOrder();
    await hook.waitFor(() => hook.requests.some((r) => r.event.orderId === orderId));
    const request = hook.requests.find((r) => r.event.orderId === orderId);
    expect(request?.signatureValid).toBe(true);
    expect(request?.headers["oms-signature"]?.split(",")).toHaveLength(2);
    hook.setSecret(String(rotated.body.secret));
    const next = await placeOrder();
    await hook.waitFor(() => hook.requests.some((r) => r.event.orderId === next));
    expect(hook.requests.find((r) => r.event.orderId === next)?.signatureValid).toBe(true);
  });

  it("delivers to the merchant's own event bus (cross-account on AWS), scoped the same way", async () => {
    const events = new EventBridgeClient({ endpoint: runtime.awsEndpoint, region: "us-east-1" });
    await events.send(new CreateEventBusCommand({ Name: "acme-orders" }));
    const arrived: DeliveredEvent[] = [];
    const theirs = await subscribeWebhook({
      awsEndpoint: runtime.awsEndpoint,
      name: "acme-own-rule",
      busName: "acme-orders",
      pattern: { source: ["oms.orders"] },
      onEvent: (event) => arrived.push(event),
    });
    try {
      const res = await api.post(`/merchants/${DEMO}/subscriptions`, {
        eventPattern: { "detail-type": ["order.submitted.v1"] },
        target: {
          type: "EVENT_BUS",
          eventBusArn: "arn:aws:events:us-east-1:111122223333:event-bus/acme-orders",
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.secret).toBeUndefined(); // EventBridge delivers it; nothing for the OMS to sign
      const subscriptionId = String(res.body.subscriptionId);
      created.push({ merchantId: DEMO, subscriptionId });
      const orderId = await placeOrder();
      await placeOrder(OTHER_DEMO_CHANNEL.channelId);
      await settled();
      const deadline = Date.now() + 10_000;
      while (!arrived.some((e) => e.detail.orderId === orderId) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(arrived.map((e) => [e["detail-type"], e.detail.orderId])).toEqual([
        ["order.submitted.v1", orderId],
      ]);
      const redelivery = await api.post(`/merchants/${DEMO}/subscriptions/${subscriptionId}/redeliveries`, {
        from: new Date(Date.now() - 60_000).toISOString(),
        to: new Date().toISOString(),
      });
      expect(redelivery.status).toBe(422);
      expect(redelivery.body.code).toBe("REDELIVERY_NOT_SUPPORTED");
    } finally {
      await theirs.close();
    }
  });

  it("refuses bad input with a 4xx naming the field, and leaves nothing behind", async () => {
    const cases: [unknown, number, string][] = [
      [
        { eventPattern: { source: "oms.orders" }, target: { type: "WEBHOOK", url: "http://127.0.0.1:9/" } },
        400,
        "eventPattern",
      ],
      [{ eventPattern: {}, target: { type: "WEBHOOK", url: "not a url" } }, 400, "target.url"],
      [{ eventPattern: {}, target: { type: "QUEUE", url: "x" } }, 400, "target.type"],
      [
        { eventPattern: { detail: ["x"] }, target: { type: "WEBHOOK", url: "http://127.0.0.1:9/" } },
        400,
        "eventPattern.detail",
      ],
    ];
    for (const [body, status, field] of cases) {
      const res = await api.post(`/merchants/${DEMO}/subscriptions`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.field).toBe(field);
    }
    expect((await api.get(`/merchants/bad%20id/subscriptions`)).status).toBe(400);
    expect((await api.get(`/merchants/${DEMO}/subscriptions/01HZZZZZZZZZZZZZZZZZZZZZZZ`)).status).toBe(404);
    expect((await api.get(`/merchants/${DEMO}/subscriptions`)).body.items).toEqual([]);
  });
});
