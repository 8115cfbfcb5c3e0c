// npm run bench:e2e — orders per second from capture to SUBMITTED on the local runtime, and per order:
// DynamoDB reads and writes (metered at the AWS edge), state transitions, Lambda invocations, events
// published and what they cost per million orders on AWS (bench/cost-model.ts). Two phases in one run,
// so their figures compare:
// 1. the automatic path: 16 concurrent clients for 30 s (BENCH_CLIENTS, BENCH_SECONDS); each submits an
//    order and waits for its order.submitted event (an EventBridge rule delivers it to a loopback
//    webhook), so no polling adds reads;
// 2. with approval: 4 clients for 15 s (BENCH_APPROVAL_CLIENTS, BENCH_APPROVAL_SECONDS) submit orders
//    that one approval reason of the demo channel catches (tag `bench-approval`); each waits for
//    order.approval-requested, approves it through the HTTP API as an operator would and waits for
//    order.submitted. The phase ends when every Standard execution it started (order-approval) has
//    finished, so all of its transitions count, and when the reservation holds it stored (shortened to
//    BENCH_HOLD_SECONDS) were ended by one run of the hold sweep (scheduled-hold-expiry), so the sweep's
//    work per order counts too. The runtime's schedule timers are off: the bench runs the sweep itself.
// Prints a table per phase and a final JSON line (the automatic path's fields, plus `approval`).
import "../local/polyfills.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { OrderRepository } from "../adapters/dynamodb/order-repository.ts";
import { functions, type StateMachineId, stateMachines } from "../app/app-declaration.ts";
import { channelInventory } from "../domain/order/channel.ts";
import { type Runtime, startRuntime } from "../local/runtime.ts";
import { DEMO_CHANNEL } from "../local/seed/demo-seed.ts";
import { sampleBody } from "../test/support/order-fixtures.ts";
import { type DeliveredEvent, subscribeWebhook } from "../test/support/webhook-subscriber.ts";
import { envNumber, percentile } from "./bench-support.ts";
import { costPerMillionOrders, expressBilledSeconds, type OrderCost, writeUnits } from "./cost-model.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";

const CLIENTS = envNumber("BENCH_CLIENTS", 16);
const SECONDS = envNumber("BENCH_SECONDS", 30);
const WARMUP_SECONDS = envNumber("BENCH_WARMUP_SECONDS", 8);
const APPROVAL_CLIENTS = envNumber("BENCH_APPROVAL_CLIENTS", 4);
const APPROVAL_SECONDS = envNumber("BENCH_APPROVAL_SECONDS", 15);
/**
 * The demo channel holds an approval's stock for 60 minutes; the bench shortens the hold so that the
 * holds the phase stored are due inside the run, and ends them with one run of the hold sweep (which
 * finds each order submitted and takes its hold off the due list). On AWS the same reads and writes
 * happen, only later, in the once-a-minute runs.
 */
const HOLD_SECONDS = envNumber("BENCH_HOLD_SECONDS", 20);
/** The approval reason the bench adds to the demo channel: it catches only the approval phase's orders. */
const APPROVAL_TAG = "bench-approval";
const BENCH_REASON = {
  reasonId: "bench-approval",
  description: "e2e benchmark: one operator approval",
  rank: 1,
  condition: { fact: "order.tags", op: "contains", value: APPROVAL_TAG },
  timeoutSeconds: 3600,
  onTimeout: "ESCALATE",
};

/** The workflow's task functions (the automatic path's five, as before, and approval's own). */
const AUTOMATIC_TASKS = [
  "validate-order",
  "route-order",
  "respond-order",
  "create-documents",
  "submit-order",
];
const APPROVAL_TASKS = [...AUTOMATIC_TASKS, "plan-approval", "approval-step"];
/** The schedule target that ends due reservation holds (one run per minute on AWS, whatever the volume). */
const HOLD_SWEEP = "scheduled-hold-expiry";

const READ_OPS = new Set(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"]);
const freshMeter = () => ({
  reads: 0,
  writes: 0,
  transactions: 0,
  writeUnits: 0,
  readUnits: 0,
  putEventsEntries: 0,
  streamCalls: 0,
});
let meter = freshMeter();
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

/** Waits for one event type of one order; an event that came before the wait is kept for it. */
class EventWaiter {
  private readonly waiting = new Map<string, (event: DeliveredEvent) => void>();
  private readonly early = new Map<string, DeliveredEvent>();

  deliver(event: DeliveredEvent): void {
    const key = `${event["detail-type"]}|${event.detail.orderId}`;
    const wake = this.waiting.get(key);
    if (wake) {
      this.waiting.delete(key);
      wake(event);
    } else this.early.set(key, event);
  }

  next(detailType: string, orderId: string): Promise<DeliveredEvent> {
    const key = `${detailType}|${orderId}`;
    const early = this.early.get(key);
    if (early) {
      this.early.delete(key);
      return Promise.resolve(early);
    }
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }
}

/** What one measured phase counted, in total (divided per order by `summarise`). */
interface PhaseCounts {
  orders: number;
  elapsedMs: number;
  latencies: number[];
  invocations: Record<string, number>;
  lambdaGbSeconds: number;
  gbSecondsByFunction: Record<string, number>;
  meter: ReturnType<typeof freshMeter>;
  expressExecutions: number;
  expressSeconds: number;
  /** States entered by the sampled Express executions, and how many were sampled. */
  expressStates: number;
  expressSampled: number;
  standardTransitions: number;
  standardTransitionsByMachine: Record<string, number>;
  /** What the phase's hold sweep run did (approval phase only). */
  holdSweep?: { expired: number; released: number; failed: number } | undefined;
  orderIds: string[];
}

const per = (n: number, orders: number, digits = 2) => Number((n / Math.max(orders, 1)).toFixed(digits));

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "oms-bench-"));
  const runtime = await startRuntime({
    dataDir,
    httpPort: 0,
    awsPort: 0,
    seedDemo: true,
    // The demo's simulated store and drop-shipper poll the API all the time; no bench order goes there,
    // and their polls would be metered as if orders caused them.
    simulateLocations: false,
    // The schedules' timers would run their sweeps at random moments of a phase; the approval phase runs
    // the hold sweep itself, once, when its holds are due (no bench order waits for the others' sweeps).
    runSchedules: false,
    quiet: true,
    observer: observe,
  });
  const aws = {
    endpoint: runtime.awsEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  };
  const api = (path: string, method = "GET", body?: unknown) =>
    fetch(`${runtime.httpUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  // The events clients wait for come back to this webhook through a rule on the order bus.
  const events = new EventWaiter();
  const webhook = await subscribeWebhook({
    awsEndpoint: runtime.awsEndpoint,
    name: "bench-submitted",
    pattern: { "detail-type": ["order.submitted.v1", "order.approval-requested.v1"] },
    onEvent: (event) => events.deliver(event),
  });

  // Enough stock that every measured order is reserved (the demo's own stock would run out and the
  // rest would be backordered, a cheaper path than the one to measure).
  const stock = await api("/stock-updates", "POST", {
    updateId: "bench-stock",
    type: "SNAPSHOT",
    asOf: new Date().toISOString(),
    lines: ["SKU-TSHIRT-M", "SKU-MUG"].map((sku) => ({ sku, locationId: "wh-berlin", onHand: 1_000_000 })),
  });
  if (stock.status >= 300) throw new Error(`stock update answered ${stock.status}: ${await stock.text()}`);

  // The approval phase's reason, beside the demo's own (which the automatic path's orders pass through
  // unmatched), and the shortened hold, written before any function caches the channel.
  const current = (await (await api("/channels/web-de/approval-reasons")).json()) as { reasons: unknown[] };
  const reasons = await api("/channels/web-de/approval-reasons", "PUT", {
    reasons: [...current.reasons, BENCH_REASON],
  });
  if (reasons.status !== 200) throw new Error(`approval reasons answered ${reasons.status}`);
  const db = DynamoDBDocumentClient.from(new DynamoDBClient(aws), {
    marshallOptions: { removeUndefinedValues: true },
  });
  await new OrderRepository(db, runtime.tableName).putChannel({
    ...DEMO_CHANNEL,
    inventory: { ...channelInventory(DEMO_CHANNEL), reservationHoldMinutes: HOLD_SECONDS / 60 },
  });

  const base = sampleBody();
  let seq = 0;
  const capture = async (tags: string[]): Promise<string> => {
    const res = await fetch(`${runtime.httpUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": `bench-${++seq}` },
      body: JSON.stringify({ ...base, tags, channelOrderRef: `BENCH-${seq}-${Date.now()}` }),
    });
    const body = (await res.json()) as { orderId: string };
    if (res.status !== 202) throw new Error(`capture answered ${res.status}: ${JSON.stringify(body)}`);
    return body.orderId;
  };

  /** The automatic path: capture, then order.submitted. */
  const automaticOrder = async (): Promise<string> => {
    const orderId = await capture([]);
    await events.next("order.submitted.v1", orderId);
    return orderId;
  };

  /** With approval: capture, order.approval-requested, the operator's decision, order.submitted. */
  const decisionToSubmitted: number[] = [];
  const approvedOrder = async (): Promise<string> => {
    const orderId = await capture([APPROVAL_TAG]);
    // The request event, not order.awaiting-approval: the reason can be decided only once its request is
    // recorded (with the task token), and this event is what tells an operator (or a third party) so.
    const requested = await events.next("order.approval-requested.v1", orderId);
    const reasonId = (requested.detail as { data?: { reasonId?: string } }).data?.reasonId;
    const decided = performance.now();
    const res = await api(`/orders/${orderId}/approvals/${reasonId}/decision`, "POST", {
      decision: "APPROVE",
      actor: "bench@example.com",
    });
    if (res.status !== 200) throw new Error(`decision answered ${res.status}: ${await res.text()}`);
    await events.next("order.submitted.v1", orderId);
    decisionToSubmitted.push(performance.now() - decided);
    return orderId;
  };

  const run = async (clients: number, seconds: number, order: () => Promise<string>) => {
    const latencies: number[] = [];
    const orderIds: string[] = [];
    const until = Date.now() + seconds * 1000;
    const started = performance.now();
    const client = async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        orderIds.push(await order());
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: clients }, client));
    return { latencies, orderIds, elapsedMs: performance.now() - started };
  };

  const settle = async () => {
    await runtime.relay.whenCaughtUp();
    await runtime.eventBridge.whenIdle();
  };

  /** One run of the hold sweep, as the schedule invokes it, once every hold stored before `until` is due. */
  const sweepHolds = async (until: Date) => {
    const due = until.getTime() + HOLD_SECONDS * 1000 + 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    const event = {
      version: "0",
      id: `bench-${Date.now()}`,
      "detail-type": "Scheduled Event",
      source: "aws.events",
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      detail: {},
    };
    return (await runtime.functions.invoke(HOLD_SWEEP, event)) as PhaseCounts["holdSweep"];
  };

  const sfn = new SFNClient(aws);
  process.stderr.write(`warming up for ${WARMUP_SECONDS} s (JVM, module caches)...\n`);
  const warmupFrom = new Date();
  await run(1, 1, approvedOrder);
  const warmupApprovalsUntil = new Date();
  await run(CLIENTS, WARMUP_SECONDS, automaticOrder);
  // The warm-up approvals' Standard executions and holds end before measuring: nobody's cost.
  await standardFinished(sfn, runtime, warmupFrom, 60_000);
  await sweepHolds(warmupApprovalsUntil);
  await settle();
  const measure = async (
    label: string,
    clients: number,
    seconds: number,
    order: () => Promise<string>,
    approvals: boolean,
  ): Promise<PhaseCounts> => {
    const invocationsBefore = { ...runtime.functions.stats.invocations };
    const durationBefore = { ...runtime.functions.stats.durationMs };
    const from = new Date();
    meter = freshMeter();
    metering = true;
    process.stderr.write(`measuring ${label}: ${clients} clients for ${seconds} s...\n`);
    const { latencies, orderIds, elapsedMs } = await run(clients, seconds, order);
    const until = new Date();
    await settle();
    let holdSweep: PhaseCounts["holdSweep"];
    if (approvals) {
      await standardFinished(sfn, runtime, from, 60_000);
      process.stderr.write(`ending the phase's reservation holds (${HOLD_SECONDS} s) with one sweep...\n`);
      holdSweep = await sweepHolds(until);
    }
    await settle();
    metering = false;

    const orders = orderIds.length;
    const invocations: Record<string, number> = {};
    for (const [name, count] of Object.entries(runtime.functions.stats.invocations)) {
      const delta = count - (invocationsBefore[name] ?? 0);
      if (delta > 0) invocations[name] = delta;
    }
    // Lambda GB-seconds: measured durations (they include waiting for DynamoDB Local, slower than
    // DynamoDB, so this over-states AWS) times each function's configured memory.
    let lambdaGbSeconds = 0;
    const gbSecondsByFunction: Record<string, number> = {};
    for (const [name, ms] of Object.entries(runtime.functions.stats.durationMs)) {
      const memoryMb = functions[name as keyof typeof functions]?.memoryMb ?? 128;
      const gbSeconds = ((ms - (durationBefore[name] ?? 0)) / 1000) * (memoryMb / 1024);
      lambdaGbSeconds += gbSeconds;
      if (gbSeconds > 0) gbSecondsByFunction[name] = per(gbSeconds, orders, 4);
    }
    const executions = await countExecutions(sfn, runtime, from, until);
    return {
      orders,
      elapsedMs,
      latencies,
      invocations,
      lambdaGbSeconds,
      gbSecondsByFunction,
      meter,
      ...executions,
      holdSweep,
      orderIds,
    };
  };

  const automatic = await measure("the automatic path", CLIENTS, SECONDS, automaticOrder, false);
  const approval = await measure("with approval", APPROVAL_CLIENTS, APPROVAL_SECONDS, approvedOrder, true);

  const automaticCost = costOf(automatic, 1);
  // Two HTTP API requests per approved order: the capture and the operator's decision.
  const approvalCost = costOf(approval, 2);
  const orders = automatic.orders;
  const sorted = [...automatic.latencies].sort((a, b) => a - b);
  const result = {
    benchmark: "e2e",
    clients: CLIENTS,
    seconds: SECONDS,
    orders,
    ordersPerSecond: Number((orders / (automatic.elapsedMs / 1000)).toFixed(1)),
    latencyP50Ms: Math.round(percentile(sorted, 50)),
    latencyP99Ms: Math.round(percentile(sorted, 99)),
    ddbReadsPerOrder: per(automatic.meter.reads, orders),
    ddbWritesPerOrder: per(automatic.meter.writes, orders),
    ddbTransactionsPerOrder: per(automatic.meter.transactions, orders),
    transitionsPerOrder: transitionsPerOrder(automatic),
    expressExecutionsPerOrder: per(automatic.expressExecutions, orders),
    standardTransitionsPerOrder: per(automatic.standardTransitions, orders),
    invocationsPerOrder: per(sumOf(automatic.invocations), orders),
    taskInvocationsPerOrder: per(sumOf(automatic.invocations, AUTOMATIC_TASKS), orders),
    eventsPerOrder: per(automatic.meter.putEventsEntries, orders),
    streamReadsPerOrder: per(automatic.meter.streamCalls, orders),
    ddbWriteUnitsPerOrder: per(automatic.meter.writeUnits, orders),
    ddbReadUnitsPerOrder: per(automatic.meter.readUnits, orders),
    lambdaGbSecondsPerOrder: per(automatic.lambdaGbSeconds, orders, 4),
    backorderedInSample: await countBackordered(runtime.httpUrl, automatic.orderIds.slice(0, 20)),
    usdPerMillionOrders: automaticCost.usdPerMillionOrders,
    usdPerMillionOrdersAllIn: automaticCost.usdPerMillionOrdersAllIn,
    approval: approvalSummary(approval, approvalCost, decisionToSubmitted),
  };

  const { approval: approvalResult, ...automaticResult } = result;
  console.log("\nthe automatic path           value");
  for (const [key, value] of Object.entries(automaticResult)) console.log(`${key.padEnd(29)}${value}`);
  console.log(`invocations by function      ${JSON.stringify(automatic.invocations)}`);
  console.log(`GB-seconds per order by fn   ${JSON.stringify(automatic.gbSecondsByFunction)}`);
  printCost("the automatic path", automaticCost);
  console.log("\nwith approval (one reason)   value");
  for (const [key, value] of Object.entries(approvalResult)) {
    console.log(`${key.padEnd(29)}${typeof value === "object" ? JSON.stringify(value) : value}`);
  }
  console.log(`GB-seconds per order by fn   ${JSON.stringify(approval.gbSecondsByFunction)}`);
  printCost("with approval (one reason)", approvalCost);
  console.log(JSON.stringify(result));

  await webhook.close();
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const sumOf = (counts: Record<string, number>, names?: string[]): number =>
  Object.entries(counts).reduce((a, [name, n]) => a + (!names || names.includes(name) ? n : 0), 0);

/** Express states entered per order (sampled executions x executions per order) + Standard transitions. */
function transitionsPerOrder(p: PhaseCounts): number {
  const expressPerExecution = p.expressStates / Math.max(p.expressSampled, 1);
  return per(expressPerExecution * p.expressExecutions + p.standardTransitions, p.orders);
}

function costOf(p: PhaseCounts, apiRequests: number): OrderCost {
  const orders = Math.max(p.orders, 1);
  return costPerMillionOrders({
    standardTransitions: p.standardTransitions / orders,
    expressExecutions: p.expressExecutions / orders,
    expressBilledSeconds: p.expressSeconds / orders,
    lambdaInvocations: sumOf(p.invocations) / orders,
    lambdaGbSeconds: p.lambdaGbSeconds / orders,
    apiRequests,
    dynamoWriteUnits: p.meter.writeUnits / orders,
    dynamoReadUnits: p.meter.readUnits / orders,
    events: p.meter.putEventsEntries / orders,
  });
}

function approvalSummary(p: PhaseCounts, cost: OrderCost, decisionToSubmitted: number[]) {
  const orders = p.orders;
  const sorted = [...p.latencies].sort((a, b) => a - b);
  const afterDecision = [...decisionToSubmitted].sort((a, b) => a - b);
  const expressPerExecution = p.expressStates / Math.max(p.expressSampled, 1);
  return {
    clients: APPROVAL_CLIENTS,
    seconds: APPROVAL_SECONDS,
    orders,
    ordersPerSecond: Number((orders / (p.elapsedMs / 1000)).toFixed(1)),
    latencyP50Ms: Math.round(percentile(sorted, 50)),
    latencyP99Ms: Math.round(percentile(sorted, 99)),
    decisionToSubmittedP50Ms: Math.round(percentile(afterDecision, 50)),
    ddbReadsPerOrder: per(p.meter.reads, orders),
    ddbWritesPerOrder: per(p.meter.writes, orders),
    ddbTransactionsPerOrder: per(p.meter.transactions, orders),
    transitionsPerOrder: transitionsPerOrder(p),
    expressExecutionsPerOrder: per(p.expressExecutions, orders),
    expressStatesPerOrder: per(expressPerExecution * p.expressExecutions, orders),
    standardTransitionsPerOrder: per(p.standardTransitions, orders),
    standardTransitionsByMachine: Object.fromEntries(
      Object.entries(p.standardTransitionsByMachine).map(([id, n]) => [id, per(n, orders)]),
    ),
    invocationsPerOrder: per(sumOf(p.invocations), orders),
    taskInvocationsPerOrder: per(sumOf(p.invocations, APPROVAL_TASKS), orders),
    invocationsByFunction: Object.fromEntries(
      Object.entries(p.invocations).map(([name, n]) => [name, per(n, orders)]),
    ),
    apiRequestsPerOrder: 2,
    eventsPerOrder: per(p.meter.putEventsEntries, orders),
    ddbWriteUnitsPerOrder: per(p.meter.writeUnits, orders),
    ddbReadUnitsPerOrder: per(p.meter.readUnits, orders),
    lambdaGbSecondsPerOrder: per(p.lambdaGbSeconds, orders, 4),
    holdSeconds: HOLD_SECONDS,
    /** Holds the phase's sweep ended per order (1: each approval stored one hold and it ended once). */
    holdsEndedPerOrder: per(p.holdSweep?.expired ?? 0, orders),
    holdSweepFailed: p.holdSweep?.failed ?? 0,
    usdPerMillionOrders: cost.usdPerMillionOrders,
    usdPerMillionOrdersAllIn: cost.usdPerMillionOrdersAllIn,
  };
}

function printCost(label: string, cost: OrderCost): void {
  console.log(`\n${label}: cost item`.padEnd(42), "per order   unit price USD   USD per million orders");
  for (const l of cost.lines) {
    console.log(
      `${(l.item + (l.allInOnly ? " (all-in)" : "")).padEnd(41)}${String(l.perOrder).padEnd(12)}${l.unitPriceUsd.toExponential(4).padEnd(17)}${l.usdPerMillionOrders}`,
    );
  }
  console.log(`${"usdPerMillionOrders".padEnd(70)}${cost.usdPerMillionOrders}`);
  console.log(`${"usdPerMillionOrdersAllIn".padEnd(70)}${cost.usdPerMillionOrdersAllIn}`);
}

async function listExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  from: Date,
  until: Date,
): Promise<ExecutionListItem[]> {
  const executions: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
    executions.push(
      ...(page.executions ?? []).filter((e) => (e.startDate ?? 0) >= from && (e.startDate ?? 0) < until),
    );
    nextToken = page.nextToken;
  } while (nextToken);
  return executions;
}

/**
 * Executions started in the phase, per state machine: Express ones are billed per start and duration,
 * Standard ones per transition (every state entered, retries included, from the history).
 */
async function countExecutions(sfn: SFNClient, runtime: Runtime, from: Date, until: Date) {
  let expressExecutions = 0;
  let expressSeconds = 0;
  let expressStates = 0;
  let expressSampled = 0;
  let standardTransitions = 0;
  const standardTransitionsByMachine: Record<string, number> = {};
  for (const [id, machine] of Object.entries(stateMachines)) {
    const arn = runtime.stateMachineArn(id as StateMachineId);
    const executions = await listExecutions(sfn, arn, from, until);
    for (const [i, execution] of executions.entries()) {
      const durationMs =
        (execution.stopDate ?? new Date()).getTime() - (execution.startDate ?? new Date()).getTime();
      if (machine.type === "EXPRESS") {
        expressExecutions += 1;
        expressSeconds += expressBilledSeconds(durationMs);
      }
      if (i >= 100 && machine.type === "EXPRESS") continue; // a sample is enough for the state count
      const history = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }),
      );
      const entered = (history.events ?? []).filter((e) => e.type?.endsWith("StateEntered")).length;
      if (machine.type === "STANDARD") {
        standardTransitions += entered;
        standardTransitionsByMachine[id] = (standardTransitionsByMachine[id] ?? 0) + entered;
      } else {
        expressStates += entered;
        expressSampled += 1;
      }
    }
  }
  return {
    expressExecutions,
    expressSeconds,
    expressStates,
    expressSampled,
    standardTransitions,
    standardTransitionsByMachine,
  };
}

/** Waits until no Standard execution started since `from` is still running (or throws after timeoutMs). */
async function standardFinished(sfn: SFNClient, runtime: Runtime, from: Date, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  process.stderr.write("waiting for the phase's Standard executions (order-approval)...\n");
  for (;;) {
    let running = 0;
    for (const [id, machine] of Object.entries(stateMachines)) {
      if (machine.type !== "STANDARD") continue;
      const arn = runtime.stateMachineArn(id as StateMachineId);
      const executions = await listExecutions(sfn, arn, from, new Date(Date.now() + 1));
      running += executions.filter((e) => e.status === "RUNNING").length;
    }
    if (running === 0) return;
    if (Date.now() > deadline) throw new Error(`${running} Standard executions still running`);
    await new Promise((r) => setTimeout(r, 500));
  }
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
