// npm run bench:inventory — inventory capacity on Amazon DynamoDB Local (started here, in memory):
//  1. availability look-ups per second: 10 SKUs for a channel that sees 500 locations, nearest first
//     (the use case the GET /availability handler runs, on the availability read model), with
//     BENCH_LOOKUP_CLIENTS concurrent callers; and, for comparison, the same from the stock positions;
//  2. plain single-item conditional writes per second (UpdateItem `available >= q` on one item),
//     BENCH_CLIENTS concurrent writers: the baseline;
//  3. reservations per second on ONE hot SKU at one location, BENCH_CLIENTS concurrent clients, with the
//     position split over BENCH_SHARDS shards and unsplit (1 shard): each reservation is the
//     repository's transaction (reservation item + conditional shard update), re-planned after a lost race;
//  4. the same hot SKU through the whole routing path of one order (routeOrder: reads, DOSE, reservation).
// The JVM is warmed up first (BENCH_WARMUP_SECONDS). Prints a table and a final JSON line.
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { InventoryRepository } from "../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../adapters/dynamodb/order-repository.ts";
import { RoutingRepository } from "../adapters/dynamodb/routing-repository.ts";
import { createTableInput } from "../adapters/dynamodb/table-definition.ts";
import { channelLocations, levelsOf, skuAvailability } from "../domain/inventory/availability.ts";
import type { Location } from "../domain/inventory/location.ts";
import type { Reservation } from "../domain/inventory/reservation.ts";
import { planReservation, positionKey, type StockPosition, totalsOf } from "../domain/inventory/stock.ts";
import type { Channel } from "../domain/order/channel.ts";
import { createOrder } from "../domain/order/order.ts";
import { orderInputSchema } from "../domain/order/order-input.ts";
import { startDynamoDbLocal } from "../local/dynamodb/dynamodb-local.ts";
import { sampleBody } from "../test/support/order-fixtures.ts";
import { checkAvailability } from "../usecases/availability.ts";
import { routeOrder } from "../usecases/routing.ts";
import { applyStockUpdate } from "../usecases/stock-updates.ts";
import { systemClock } from "../usecases/system-ports.ts";
import { envNumber, percentile, prng } from "./bench-support.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const num = envNumber;
const LOCATIONS = num("BENCH_LOCATIONS", 500);
const SKUS = num("BENCH_SKUS", 10);
const CLIENTS = num("BENCH_CLIENTS", 32);
const LOOKUP_CLIENTS = num("BENCH_LOOKUP_CLIENTS", 8);
const SHARDS = num("BENCH_SHARDS", 8);
const SECONDS = num("BENCH_SECONDS", 10);
const WARMUP_SECONDS = num("BENCH_WARMUP_SECONDS", 15);
const TABLE = "oms-bench-inventory";
const HOT_STOCK = 10_000_000;

interface Phase {
  operations: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `op` from `clients` loops for `seconds`; counts operations that returned true. */
async function measure(
  clients: number,
  seconds: number,
  op: (client: number) => Promise<boolean>,
): Promise<Phase> {
  const latencies: number[] = [];
  let failures = 0;
  const until = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (Date.now() < until) {
        const t = performance.now();
        if (await op(client)) latencies.push(performance.now() - t);
        else failures += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    operations: sorted.length,
    failures,
    seconds: Number(elapsed.toFixed(1)),
    perSecond: Number((sorted.length / elapsed).toFixed(1)),
    p50Ms: Number(percentile(sorted, 50).toFixed(1)),
    p99Ms: Number(percentile(sorted, 99).toFixed(1)),
  };
}

async function main() {
  const ddbLocal = await startDynamoDbLocal({});
  process.on("exit", () => {
    try {
      process.kill(ddbLocal.pid, "SIGKILL");
    } catch {
      // already stopped
    }
  });
  const client = new DynamoDBClient({
    endpoint: ddbLocal.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  await client.send(new CreateTableCommand(createTableInput(TABLE)));
  const inventory = new InventoryRepository(db, TABLE);
  const orders = new OrderRepository(db, TABLE);
  const routing = new RoutingRepository(db, TABLE);
  const deps = { repo: orders, inventory, clock: systemClock };

  // ---- set-up: 500 locations in one network, a channel that sees them all, 10 SKUs everywhere
  process.stderr.write(`setting up ${LOCATIONS} locations and ${SKUS} SKUs at each...\n`);
  const random = prng(42);
  const now = systemClock.now();
  const locationIds = Array.from({ length: LOCATIONS }, (_, i) => `loc-${String(i).padStart(4, "0")}`);
  const location = (locationId: string, i: number): Location => ({
    locationId,
    name: `Location ${i}`,
    kind: i % 10 === 0 ? "WAREHOUSE" : "STORE",
    address: { postalCode: String(10000 + Math.floor(random() * 89999)), city: "Somewhere", country: "DE" },
    coordinates: { lat: 47.5 + random() * 7, lon: 6 + random() * 9 },
    fulfillmentKinds: ["SHIP", "PICKUP"],
    cutOffTime: "16:00",
    timeZone: "Europe/Berlin",
    workingDays: [1, 2, 3, 4, 5, 6],
    holidays: [],
    enabled: true,
    downtimes: [],
    networks: ["bench"],
    priority: 10 + (i % 90),
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  for (let i = 0; i < LOCATIONS; i += 25) {
    await Promise.all(
      locationIds.slice(i, i + 25).map((id, k) => inventory.createLocation(location(id, i + k))),
    );
  }
  await inventory.createLocation(location("hot-wh", LOCATIONS));
  const channel: Channel = {
    channelId: "bench",
    merchantId: "bench",
    name: "Bench channel",
    orderTypes: ["HOME_DELIVERY"],
    defaultLocationId: "hot-wh",
    shipToCountries: ["DE"],
    active: true,
    inventory: {
      locationIds: [],
      networks: ["bench"],
      whenOutOfStock: "NOT_ANNOUNCED",
      reservationHoldMinutes: 60,
    },
  };
  await orders.putChannel(channel);
  const skus = Array.from({ length: SKUS }, (_, i) => `BENCH-SKU-${i}`);
  const lines = skus.flatMap((sku) =>
    locationIds.map((locationId) => ({ sku, locationId, onHand: Math.floor(random() * 50) })),
  );
  for (let i = 0; i < lines.length; i += 1000) {
    await applyStockUpdate(deps, {
      updateId: `bench-setup-${i}`,
      type: "SNAPSHOT",
      asOf: now,
      lines: lines.slice(i, i + 1000),
    });
  }
  const HOT = "HOT-SKU";
  const HOT_SINGLE = "HOT-SKU-SINGLE";
  await applyStockUpdate(deps, {
    updateId: "bench-hot",
    type: "SNAPSHOT",
    asOf: now,
    lines: [
      { sku: HOT, locationId: "hot-wh", onHand: HOT_STOCK, shards: SHARDS },
      { sku: HOT_SINGLE, locationId: "hot-wh", onHand: HOT_STOCK, shards: 1 },
      { sku: "HOT-SKU-ROUTED", locationId: "hot-wh", onHand: HOT_STOCK, shards: SHARDS },
    ],
  });
  await db.send(
    new PutCommand({
      TableName: TABLE,
      Item: { pk: "BENCH#plain", sk: "PLAIN", available: 1e12, reserved: 0 },
    }),
  );
  // The availability read model, as the inventory event relay writes it from the table stream (no stream
  // relay runs here).
  for (const sku of skus) {
    await inventory.putAvailability(sku, levelsOf(await inventory.queryPositions(sku, true)), now);
  }

  // ---- the operations
  const near = { lat: 52.52, lon: 13.4 };
  const lookup = async () => {
    const answer = await checkAvailability(deps, {
      channelId: "bench",
      skus,
      near: { coordinates: near },
      limit: 10,
    });
    return answer.items.length === SKUS;
  };
  // For comparison: the same answer computed from the stock positions (one Query of 500 items per SKU).
  const lookupFromPositions = async () => {
    const [channelRead, locations] = await Promise.all([
      orders.getChannel("bench"),
      inventory.listLocations(),
    ]);
    if (!channelRead) return false;
    const visible = channelLocations(channelRead, locations, systemClock.now());
    const levels = await Promise.all(
      skus.map(async (sku) => levelsOf(await inventory.queryPositions(sku, false))),
    );
    const answers = skus.map((sku, i) =>
      skuAvailability(sku, levels[i] ?? [], visible, { coordinates: near }, 10),
    );
    return answers.length === SKUS;
  };
  const plainWrite = async () => {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: "BENCH#plain", sk: "PLAIN" },
        UpdateExpression: "SET available = available - :q, reserved = reserved + :q",
        ConditionExpression: "available >= :q",
        ExpressionAttributeValues: { ":q": 1 },
      }),
    );
    return true;
  };
  let sequence = 0;
  const views = new Map<string, StockPosition>();
  const reserveOne = (sku: string) => async (clientNo: number) => {
    // Each client plans on its last view of the position and reads again only after losing a race.
    for (let attempt = 0; attempt < 20; attempt++) {
      const key = `${sku}:${clientNo}`;
      let view = views.get(key);
      if (!view || attempt > 0) {
        view = (await inventory.getPositions([{ sku, locationId: "hot-wh" }])).get(
          positionKey(sku, "hot-wh"),
        );
        if (!view) throw new Error(`no stock for ${sku}`);
        views.set(key, view);
      }
      const parts = planReservation(view, 1, Math.floor(Math.random() * view.shards.length));
      if (!parts) return false;
      const at = systemClock.now();
      const reservation: Reservation = {
        orderId: `bench-${++sequence}`,
        lineId: "1",
        sku,
        locationId: "hot-wh",
        quantity: 1,
        parts,
        status: "ACTIVE",
        createdAt: at,
        updatedAt: at,
      };
      const outcome = await inventory.reserve(reservation);
      if (outcome.outcome === "reserved") return true;
    }
    return false;
  };
  const template = orderInputSchema.parse({
    ...sampleBody(),
    channelId: "bench",
    positions: [{ sku: "HOT-SKU-ROUTED", quantity: 1, unitPrice: 10 }],
  });
  const routeOne = async () => {
    const order = createOrder(template, channel, `bench-route-${++sequence}`, systemClock.now());
    const routed = await routeOrder({ inventory, routing, clock: systemClock }, order, channel);
    return routed.commands[0]?.action === "route";
  };

  // ---- warm-up: the JVM's first seconds are slow
  process.stderr.write(`warming up for ${WARMUP_SECONDS} s (JVM)...\n`);
  const warmEach = Math.max(1, WARMUP_SECONDS / 4);
  await measure(LOOKUP_CLIENTS, warmEach, lookup);
  await measure(CLIENTS, warmEach, plainWrite);
  await measure(CLIENTS, warmEach, reserveOne(HOT));
  await measure(CLIENTS, warmEach, routeOne);
  const reservedBefore = totalsOf(
    (await inventory.getPositions([{ sku: HOT, locationId: "hot-wh" }])).get(
      positionKey(HOT, "hot-wh"),
    ) as StockPosition,
  ).reserved;

  // ---- measure, one phase after another
  process.stderr.write(`measuring ${SECONDS} s per phase...\n`);
  const availability = await measure(LOOKUP_CLIENTS, SECONDS, lookup);
  const fromPositions = await measure(LOOKUP_CLIENTS, Math.min(SECONDS, 5), lookupFromPositions);
  const plain = await measure(CLIENTS, SECONDS, plainWrite);
  const hot = await measure(CLIENTS, SECONDS, reserveOne(HOT));
  const single = await measure(CLIENTS, SECONDS, reserveOne(HOT_SINGLE));
  const routed = await measure(CLIENTS, SECONDS, routeOne);
  // A second baseline after the reservations: the machine is shared, so bracket the figure.
  const plainAfter = await measure(CLIENTS, SECONDS, plainWrite);

  // ---- consistency: every successful reservation is in the stored reserved count, nothing oversold
  const hotPosition = (await inventory.getPositions([{ sku: HOT, locationId: "hot-wh" }])).get(
    positionKey(HOT, "hot-wh"),
  ) as StockPosition;
  const hotTotals = totalsOf(hotPosition);
  const consistent =
    hotTotals.reserved - reservedBefore === hot.operations &&
    hotPosition.shards.every(
      (s) => s.available === s.onHand - s.reserved - s.safetyStock && s.available >= 0,
    );

  const plainPerSecond = Number(((plain.perSecond + plainAfter.perSecond) / 2).toFixed(1));
  const result = {
    benchmark: "inventory",
    locations: LOCATIONS,
    skus: SKUS,
    clients: CLIENTS,
    lookupClients: LOOKUP_CLIENTS,
    shards: SHARDS,
    seconds: SECONDS,
    availabilityLookupsPerSecond: availability.perSecond,
    availabilityLookupP50Ms: availability.p50Ms,
    availabilityLookupP99Ms: availability.p99Ms,
    skuLocationRowsPerLookup: SKUS * LOCATIONS,
    availabilityLookupsPerSecondFromPositions: fromPositions.perSecond,
    plainConditionalWritesPerSecond: plainPerSecond,
    hotSkuReservationsPerSecond: hot.perSecond,
    hotSkuReservationP50Ms: hot.p50Ms,
    hotSkuReservationP99Ms: hot.p99Ms,
    hotSkuToPlainRatio: Number((hot.perSecond / plainPerSecond).toFixed(3)),
    unshardedHotSkuReservationsPerSecond: single.perSecond,
    routedOrdersPerSecondOnHotSku: routed.perSecond,
    hotSkuReservationsConsistent: consistent,
  };
  const rows: [string, Phase][] = [
    [`availability (${SKUS} SKUs x ${LOCATIONS} locations)`, availability],
    ["availability from stock positions (Query)", fromPositions],
    ["plain conditional write (before)", plain],
    [`hot SKU reservation (${SHARDS} shards)`, hot],
    ["hot SKU reservation (1 shard)", single],
    ["routing one order on the hot SKU", routed],
    ["plain conditional write (after)", plainAfter],
  ];
  console.log(
    `\n${"phase".padEnd(44)}${"ops/s".padStart(10)}${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}${"ops".padStart(10)}${"failed".padStart(8)}`,
  );
  for (const [name, p] of rows) {
    console.log(
      `${name.padEnd(44)}${String(p.perSecond).padStart(10)}${String(p.p50Ms).padStart(10)}${String(p.p99Ms).padStart(10)}${String(p.operations).padStart(10)}${String(p.failures).padStart(8)}`,
    );
  }
  console.log(`\nhot SKU reserved ${hotTotals.reserved} of ${hotTotals.onHand}; consistent: ${consistent}`);
  console.log(JSON.stringify(result));
  await ddbLocal.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
