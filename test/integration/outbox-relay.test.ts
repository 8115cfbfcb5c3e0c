// The outbox survives a crash between write and publish: events written while the relay is down are
// published after the restart, and events published before it are not published again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../local/runtime.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";
import { subscribeWebhook, type WebhookSubscription } from "../support/webhook-subscriber.ts";

const dataDir = mkdtempSync(join(tmpdir(), "oms-outbox-"));
const received: { orderId: string; eventId: string }[] = [];
let webhook: WebhookSubscription | undefined;
let second: Runtime | undefined;

afterAll(async () => {
  await second?.stop();
  await webhook?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function eventsOf(orderId: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && received.filter((r) => r.orderId === orderId).length < count) {
    await new Promise((r) => setTimeout(r, 25));
  }
  return received.filter((r) => r.orderId === orderId).map((r) => r.eventId);
}

describe("outbox relay across a crash", () => {
  it("publishes what was written while it was down, once, and nothing twice", async () => {
    const first = await startTestRuntime({ dataDir });
    webhook = await subscribeWebhook({
      awsEndpoint: first.awsEndpoint,
      name: "all-order-events",
      pattern: { source: ["oms.orders"] },
      onEvent: (event) => received.push({ orderId: event.detail.orderId, eventId: event.detail.eventId }),
    });
    const api = httpClient(first.httpUrl);

    const before = String((await api.post("/orders", uniqueOrder(sampleBody()))).body.orderId);
    // created, validated, routed, response, submission-requested, submitted
    expect(await eventsOf(before, 6)).toHaveLength(6);

    await first.relay.stop(); // the relay "crashes": order events are written but not published
    const during = String((await api.post("/orders", uniqueOrder(sampleBody()))).body.orderId);
    await api.waitForStatus(during, "SUBMITTED");
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((r) => r.orderId === during)).toHaveLength(0);
    await first.stop();

    second = await startTestRuntime({
      dataDir,
      tableName: first.tableName,
      httpPort: Number(new URL(first.httpUrl).port),
      awsPort: Number(new URL(first.awsEndpoint).port),
    });
    const published = await eventsOf(during, 6);
    expect(new Set(published).size).toBe(6);
    await second.relay.whenCaughtUp();
    await second.eventBridge.whenIdle();
    expect(received.filter((r) => r.orderId === during)).toHaveLength(6);
    expect(received.filter((r) => r.orderId === before)).toHaveLength(6);
  });
});
