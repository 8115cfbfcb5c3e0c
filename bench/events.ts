// npm run bench:events — merchant event delivery on the local runtime: 10 webhook subscribers on loopback
// (BENCH_SUBSCRIBERS), each subscribed through the API to every order event of the demo merchant, while
// BENCH_CLIENTS clients submit orders for BENCH_SECONDS through the real path (capture, workflow, outbox
// relay, EventBridge rules, SQS delivery queue, delivery function, signed POST). Measures signed events
// delivered per second (acknowledged deliveries / time from the first order to the last receipt) and the
// latency from state change (the event's occurredAt) to webhook receipt, in two phases: a paced one
// (BENCH_PACED_ORDERS_PER_SECOND for BENCH_PACED_SECONDS: latency when the path is not saturated) and a
// flood (BENCH_CLIENTS clients as fast as they can for BENCH_SECONDS: throughput, and latency under that
// load, which is mostly queueing). Prints a table and a final JSON line.
import "../local/polyfills.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { queues } from "../app/app-declaration.ts";
import { type Runtime, startRuntime } from "../local/runtime.ts";
import { sampleBody } from "../test/support/order-fixtures.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../test/support/webhook-subscriber.ts";
import { envNumber, percentile } from "./bench-support.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";

const SUBSCRIBERS = envNumber("BENCH_SUBSCRIBERS", 10);
const CLIENTS = envNumber("BENCH_CLIENTS", 8);
const SECONDS = envNumber("BENCH_SECONDS", 20);
const WARMUP_SECONDS = envNumber("BENCH_WARMUP_SECONDS", 6);
const PACED_RATE = envNumber("BENCH_PACED_ORDERS_PER_SECOND", 2);
const PACED_SECONDS = envNumber("BENCH_PACED_SECONDS", 10);
const MERCHANT = "demo-merchant";

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "oms-bench-events-"));
  const runtime = await startRuntime({
    dataDir,
    httpPort: 0,
    awsPort: 0,
    seedDemo: true,
    simulateLocations: false,
    quiet: true,
  });
  const receivers: WebhookReceiver[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const receiver = await startWebhookReceiver();
    const res = await fetch(`${runtime.httpUrl}/merchants/${MERCHANT}/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        description: `bench subscriber ${i}`,
        eventPattern: { source: ["oms.orders"] },
        target: { type: "WEBHOOK", url: receiver.url },
      }),
    });
    const body = (await res.json()) as { secret: string };
    if (res.status !== 201) throw new Error(`subscribe answered ${res.status}: ${JSON.stringify(body)}`);
    receiver.setSecret(body.secret);
    receivers.push(receiver);
  }

  // Enough stock that every order takes the reservation path.
  await post(runtime, "/stock-updates", {
    updateId: "bench-events-stock",
    type: "SNAPSHOT",
    asOf: new Date().toISOString(),
    lines: ["SKU-TSHIRT-M", "SKU-MUG"].map((sku) => ({ sku, locationId: "wh-berlin", onHand: 1_000_000 })),
  });

  const base = sampleBody();
  let seq = 0;
  const placeOrders = async (seconds: number): Promise<number> => {
    const until = Date.now() + seconds * 1000;
    let orders = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < until) {
          seq += 1;
          await post(runtime, "/orders", { ...base, channelOrderRef: `EVBENCH-${seq}-${Date.now()}` });
          orders += 1;
        }
      }),
    );
    return orders;
  };

  process.stderr.write(`warming up for ${WARMUP_SECONDS} s...\n`);
  await placeOrders(WARMUP_SECONDS);
  await drained(runtime, receivers);

  process.stderr.write(`paced: ${PACED_RATE} orders/s for ${PACED_SECONDS} s...\n`);
  const pacedSkip = receivers.map((r) => r.requests.length);
  for (let i = 0; i < PACED_RATE * PACED_SECONDS; i++) {
    const tick = Date.now();
    seq += 1;
    await post(runtime, "/orders", { ...base, channelOrderRef: `EVBENCH-P-${seq}-${Date.now()}` });
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 / PACED_RATE - (Date.now() - tick))));
  }
  await drained(runtime, receivers);
  const paced = receivers
    .flatMap((r, i) => r.requests.slice(pacedSkip[i]))
    .filter((r) => r.status === 200)
    .map((r) => r.receivedAt - Date.parse(r.event.occurredAt));
  const skip = receivers.map((r) => r.requests.length);

  process.stderr.write(
    `measuring: ${CLIENTS} order clients for ${SECONDS} s, ${SUBSCRIBERS} subscribers...\n`,
  );
  const started = Date.now();
  const orders = await placeOrders(SECONDS);
  const ordersDoneAt = Date.now();
  await drained(runtime, receivers);

  const requests = receivers.flatMap((r, i) => r.requests.slice(skip[i]));
  const acknowledged = requests.filter((r) => r.status === 200);
  const unique = new Set(acknowledged.map((r) => `${r.headers["oms-subscription-id"]}/${r.event.eventId}`));
  const lastReceipt = Math.max(...acknowledged.map((r) => r.receivedAt));
  const latencies = acknowledged.map((r) => r.receivedAt - Date.parse(r.event.occurredAt));
  const eventsPublished = new Set(acknowledged.map((r) => r.event.eventId)).size;
  const perSubscriber = receivers.map(
    (r, i) => new Set(r.requests.slice(skip[i]).map((q) => q.event.eventId)).size,
  );

  const result = {
    benchmark: "events",
    subscribers: SUBSCRIBERS,
    orderClients: CLIENTS,
    seconds: SECONDS,
    orders,
    eventsPublished,
    eventsDelivered: unique.size,
    expectedDeliveries: eventsPublished * SUBSCRIBERS,
    duplicates: acknowledged.length - unique.size,
    invalidSignatures: requests.filter((r) => !r.signatureValid).length,
    eventsPerSecond: Number((unique.size / ((lastReceipt - started) / 1000)).toFixed(1)),
    drainSeconds: Number(((lastReceipt - ordersDoneAt) / 1000).toFixed(1)),
    pacedOrdersPerSecond: PACED_RATE,
    pacedDeliveries: paced.length,
    latencyP50Ms: Math.round(percentile(paced, 50)),
    latencyP99Ms: Math.round(percentile(paced, 99)),
    floodLatencyP50Ms: Math.round(percentile(latencies, 50)),
    floodLatencyP99Ms: Math.round(percentile(latencies, 99)),
    loadAverage1m: Number(loadavg()[0]?.toFixed(1)),
  };
  console.log("\nmetric                      value");
  for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(28)}${value}`);
  console.log(`events per subscriber       ${JSON.stringify(perSubscriber)}`);
  console.log(JSON.stringify(result));

  for (const receiver of receivers) await receiver.close();
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

async function post(runtime: Runtime, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${runtime.httpUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Waits until the outbox, EventBridge and the delivery queue are empty and no receipt arrived for 500 ms. */
async function drained(runtime: Runtime, receivers: WebhookReceiver[]): Promise<void> {
  const total = () => receivers.reduce((sum, r) => sum + r.requests.length, 0);
  for (;;) {
    await runtime.relay.whenCaughtUp();
    await runtime.eventBridge.whenIdle();
    const counts = runtime.sqs.counts(queues["webhook-deliveries"].name);
    const before = total();
    await new Promise((r) => setTimeout(r, 500));
    if (counts.visible + counts.inFlight + counts.delayed === 0 && total() === before) return;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
