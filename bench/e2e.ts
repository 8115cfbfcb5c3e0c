// npm run bench:e2e — orders per second from capture to SUBMITTED on the local runtime, with 16
// concurrent clients for 30 s (BENCH_CLIENTS, BENCH_SECONDS override), and per order: DynamoDB reads and
// writes (metered at the AWS edge), state transitions, Lambda invocations and events published. Each
// client submits an order and waits for its order.submitted event (delivered by an EventBridge rule to
// a loopback webhook), so no polling adds reads. Prints a table and a final JSON line.
import "../local/polyfills.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { functions, stateMachines } from "../app/app-declaration.ts";
import { startRuntime } from "../local/runtime.ts";
import { sampleBody } from "../test/support/order-fixtures.ts";
import { subscribeWebhook } from "../test/support/webhook-subscriber.ts";
import { envNumber, percentile } from "./bench-support.ts";
import { costPerMillionOrders, expressBilledSeconds, writeUnits } from "./cost-model.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";

const CLIENTS = envNumber("BENCH_CLIENTS", 16);
const SECONDS = envNumber("BENCH_SECONDS", 30);
const WARMUP_SECONDS = envNumber("BENCH_WARMUP_SECONDS", 8);

const READ_OPS = new Set(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"]);
const meter = {
  reads: 0,
  writes: 0,
  transactions: 0,
  writeUnits: 0,
  readUnits: 0,
  putEventsEntries: 0,
  streamCalls: 0,
};
let metering = false;

/** Bytes of a DynamoDB JSON item, near enough to DynamoDB's own sizing (names + values). */
const itemBytes = (item: unknown): number => Buffer.byteLength(JSON.stringify(item ?? {}));

function observe(target: string, body: string): void {
  if (!metering) return;
  const [prefix, op = ""] = target.split(".");
  if (prefix === "DynamoDB_20120810") {
    if (READ_OPS.has(op)) {
      meter.reads += 1;
      // One strongly consistent unit per call (items here are under 4 KB; a query may read a few).
      if (op === "BatchGetItem") {
        const request = JSON.parse(body) as { RequestItems: Record<string, { Keys: unknown[] }> };
        meter.readUnits += Object.values(request.RequestItems).reduce((a, r) => a + r.Keys.length, 0);
      } else meter.readUnits += op === "TransactGetItems" ? 2 : 1;
    } else if (op === "TransactWriteItems") {
      meter.transactions += 1;
      const items = (JSON.parse(body) as { TransactItems: Record<string, { Item?: unknown }>[] })
        .TransactItems;
      meter.writes += items.length;
      for (const entry of items) {
        const write = Object.values(entry)[0];
        meter.writeUnits += writeUnits(write?.Item ? itemBytes(write.Item) : 1, true);
      }
    } else if (op === "PutItem" || op === "UpdateItem" || op === "DeleteItem") {
      meter.writes += 1;
      const request = JSON.parse(body) as { Item?: unknown };
      meter.writeUnits += writeUnits(request.Item ? itemBytes(request.Item) : 1, false);
    }
  } else if (prefix === "DynamoDBStreams_20120810") {
    meter.streamCalls += 1;
  } else if (target === "AWSEvents.PutEvents") {
    const entries = (JSON.parse(body) as { Entries: { Source?: string }[] }).Entries;
    meter.putEventsEntries += entries.filter((e) => e.Source === "oms.orders").length;
  }
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "oms-bench-"));
  const runtime = await startRuntime({
    dataDir,
    httpPort: 0,
    awsPort: 0,
    seedDemo: true,
    quiet: true,
    observer: observe,
  });
  const aws = {
    endpoint: runtime.awsEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  };

  // order.submitted events come back to this webhook through a rule on the order bus.
  const waiting = new Map<string, () => void>();
  const early = new Set<string>();
  const webhook = await subscribeWebhook({
    awsEndpoint: runtime.awsEndpoint,
    name: "bench-submitted",
    pattern: { "detail-type": ["order.submitted.v1"] },
    onEvent: (event) => {
      const wake = waiting.get(event.detail.orderId);
      if (wake) wake();
      else early.add(event.detail.orderId);
    },
  });

  // Enough stock that every measured order is reserved (the demo's own stock would run out and the
  // rest would be backordered, a cheaper path than the one to measure).
  const stock = await fetch(`${runtime.httpUrl}/stock-updates`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      updateId: "bench-stock",
      type: "SNAPSHOT",
      asOf: new Date().toISOString(),
      lines: ["SKU-TSHIRT-M", "SKU-MUG"].map((sku) => ({ sku, locationId: "wh-berlin", onHand: 1_000_000 })),
    }),
  });
  if (stock.status >= 300) throw new Error(`stock update answered ${stock.status}: ${await stock.text()}`);

  const base = sampleBody();
  let seq = 0;
  const submitted = (orderId: string) =>
    new Promise<void>((resolve) => {
      if (early.delete(orderId)) resolve();
      else
        waiting.set(orderId, () => {
          waiting.delete(orderId);
          resolve();
        });
    });

  async function client(until: number, latencies: number[], orderIds: string[]): Promise<void> {
    while (Date.now() < until) {
      const started = performance.now();
      const res = await fetch(`${runtime.httpUrl}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": `bench-${++seq}` },
        body: JSON.stringify({ ...base, channelOrderRef: `BENCH-${seq}-${Date.now()}` }),
      });
      const body = (await res.json()) as { orderId: string };
      if (res.status !== 202) throw new Error(`capture answered ${res.status}: ${JSON.stringify(body)}`);
      await submitted(body.orderId);
      latencies.push(performance.now() - started);
      orderIds.push(body.orderId);
    }
  }

  const run = async (seconds: number) => {
    const latencies: number[] = [];
    const orderIds: string[] = [];
    const until = Date.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, () => client(until, latencies, orderIds)));
    return { latencies, orderIds, elapsedMs: performance.now() - started };
  };

  process.stderr.write(`warming up for ${WARMUP_SECONDS} s (JVM, module caches)...\n`);
  await run(WARMUP_SECONDS);
  await runtime.relay.whenCaughtUp();
  await runtime.eventBridge.whenIdle();

  const invocationsBefore = { ...runtime.functions.stats.invocations };
  const durationBefore = { ...runtime.functions.stats.durationMs };
  const measuredFrom = new Date();
  metering = true;
  process.stderr.write(`measuring: ${CLIENTS} clients for ${SECONDS} s...\n`);
  const { latencies, orderIds, elapsedMs } = await run(SECONDS);
  await runtime.relay.whenCaughtUp();
  await runtime.eventBridge.whenIdle();
  metering = false;

  const orders = orderIds.length;
  const invocations: Record<string, number> = {};
  for (const [name, count] of Object.entries(runtime.functions.stats.invocations)) {
    invocations[name] = count - (invocationsBefore[name] ?? 0);
  }
  const totalInvocations = Object.values(invocations).reduce((a, b) => a + b, 0);
  const backordered = await countBackordered(runtime.httpUrl, orderIds.slice(0, 20));
  const taskInvocations = ["validate-order", "route-order", "submit-order"].reduce(
    (a, n) => a + (invocations[n] ?? 0),
    0,
  );

  // Lambda GB-seconds: measured durations (they include waiting for DynamoDB Local, slower than
  // DynamoDB, so this over-states AWS) times each function's configured memory.
  let lambdaGbSeconds = 0;
  for (const [name, ms] of Object.entries(runtime.functions.stats.durationMs)) {
    const memoryMb = functions[name as keyof typeof functions]?.memoryMb ?? 128;
    lambdaGbSeconds += ((ms - (durationBefore[name] ?? 0)) / 1000) * (memoryMb / 1024);
  }

  // Executions started in the measured window, per state machine: Express ones are billed per start and
  // duration, Standard ones per transition (every state entered, retries included, from the history).
  const sfn = new SFNClient(aws);
  let expressExecutions = 0;
  let expressSeconds = 0;
  let standardTransitions = 0;
  let transitions = 0;
  let sampled = 0;
  for (const [id, machine] of Object.entries(stateMachines)) {
    const stateMachineArn = runtime.stateMachineArn(id as keyof typeof stateMachines);
    const executions: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }),
      );
      executions.push(...(page.executions ?? []).filter((e) => (e.startDate ?? 0) >= measuredFrom));
      nextToken = page.nextToken;
    } while (nextToken);
    for (const [i, execution] of executions.entries()) {
      const durationMs =
        (execution.stopDate ?? new Date()).getTime() - (execution.startDate ?? new Date()).getTime();
      if (machine.type === "EXPRESS") {
        expressExecutions += 1;
        expressSeconds += expressBilledSeconds(durationMs);
      }
      if (i >= 50 && machine.type === "EXPRESS") continue; // a sample is enough for the transition count
      const history = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }),
      );
      const entered = (history.events ?? []).filter((e) => e.type?.endsWith("StateEntered")).length;
      if (machine.type === "STANDARD") standardTransitions += entered;
      else {
        transitions += entered;
        sampled += 1;
      }
    }
  }
  const cost = costPerMillionOrders({
    standardTransitions: standardTransitions / orders,
    expressExecutions: expressExecutions / orders,
    expressBilledSeconds: expressSeconds / orders,
    lambdaInvocations: totalInvocations / orders,
    lambdaGbSeconds: lambdaGbSeconds / orders,
    apiRequests: 1,
    dynamoWriteUnits: meter.writeUnits / orders,
    dynamoReadUnits: meter.readUnits / orders,
    events: meter.putEventsEntries / orders,
  });

  const sorted = [...latencies].sort((a, b) => a - b);
  const result = {
    benchmark: "e2e",
    clients: CLIENTS,
    seconds: SECONDS,
    orders,
    ordersPerSecond: Number((orders / (elapsedMs / 1000)).toFixed(1)),
    latencyP50Ms: Math.round(percentile(sorted, 50)),
    latencyP99Ms: Math.round(percentile(sorted, 99)),
    ddbReadsPerOrder: Number((meter.reads / orders).toFixed(2)),
    ddbWritesPerOrder: Number((meter.writes / orders).toFixed(2)),
    ddbTransactionsPerOrder: Number((meter.transactions / orders).toFixed(2)),
    transitionsPerOrder: Number(
      (transitions / Math.max(sampled, 1) + standardTransitions / orders).toFixed(2),
    ),
    expressExecutionsPerOrder: Number((expressExecutions / orders).toFixed(2)),
    standardTransitionsPerOrder: Number((standardTransitions / orders).toFixed(2)),
    invocationsPerOrder: Number((totalInvocations / orders).toFixed(2)),
    taskInvocationsPerOrder: Number((taskInvocations / orders).toFixed(2)),
    eventsPerOrder: Number((meter.putEventsEntries / orders).toFixed(2)),
    streamReadsPerOrder: Number((meter.streamCalls / orders).toFixed(2)),
    ddbWriteUnitsPerOrder: Number((meter.writeUnits / orders).toFixed(2)),
    ddbReadUnitsPerOrder: Number((meter.readUnits / orders).toFixed(2)),
    lambdaGbSecondsPerOrder: Number((lambdaGbSeconds / orders).toFixed(4)),
    backorderedInSample: backordered,
    usdPerMillionOrders: cost.usdPerMillionOrders,
    usdPerMillionOrdersAllIn: cost.usdPerMillionOrdersAllIn,
  };
  console.log("\nmetric                      value");
  for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(28)}${value}`);
  console.log(`invocations by function     ${JSON.stringify(invocations)}`);
  console.log(
    "\ncost item                                per order   unit price USD   USD per million orders",
  );
  for (const l of cost.lines) {
    console.log(
      `${(l.item + (l.allInOnly ? " (all-in)" : "")).padEnd(41)}${String(l.perOrder).padEnd(12)}${l.unitPriceUsd.toExponential(4).padEnd(17)}${l.usdPerMillionOrders}`,
    );
  }
  console.log(JSON.stringify(result));

  await webhook.close();
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/** How many of these orders have a backordered position (0 means the reservation path was measured). */
async function countBackordered(httpUrl: string, orderIds: string[]): Promise<number> {
  let count = 0;
  for (const orderId of orderIds) {
    const order = (await (await fetch(`${httpUrl}/orders/${orderId}`)).json()) as {
      positions: { backordered?: boolean }[];
    };
    if (order.positions.some((p) => p.backordered)) count += 1;
  }
  return count;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
