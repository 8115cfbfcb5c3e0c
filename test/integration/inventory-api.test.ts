// The inventory API on the local runtime (real HTTP API, DynamoDB Local, local EventBridge): locations,
// stock updates (idempotent, out-of-order, refused whole), availability per channel and nearby, and the
// inventory events a merchant receives.
import { createServer, type Server } from "node:http";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventBuses } from "../../app/app-declaration.ts";
import { close, listen } from "../../local/aws-protocol/edge-server.ts";
import type { Runtime } from "../../local/runtime.ts";
import { count, createLocation, putChannel, stockAt, stockOf, uid } from "../support/inventory-fixtures.ts";
import { httpClient, startTestRuntime } from "../support/test-runtime.ts";

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;
let receiver: Server;
const received: { "detail-type": string; source: string; detail: Record<string, unknown> }[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  const port = await listen(receiver, 0);
  const events = new EventBridgeClient({
    endpoint: runtime.awsEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const connection = await events.send(
    new CreateConnectionCommand({
      Name: "inventory-test",
      AuthorizationType: "API_KEY",
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "secret" } },
    }),
  );
  const destination = await events.send(
    new CreateApiDestinationCommand({
      Name: "inventory-test-webhook",
      ConnectionArn: connection.ConnectionArn,
      InvocationEndpoint: `http://127.0.0.1:${port}/hook`,
      HttpMethod: "POST",
    }),
  );
  await events.send(
    new PutRuleCommand({
      Name: "test-inventory-events",
      EventBusName: eventBuses.orders.name,
      EventPattern: JSON.stringify({ source: ["oms.inventory"] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: "test-inventory-events",
      EventBusName: eventBuses.orders.name,
      Targets: [{ Id: "webhook", Arn: destination.ApiDestinationArn }],
    }),
  );
});

afterAll(async () => {
  await runtime?.stop();
  if (receiver) await close(receiver);
});

describe("locations", () => {
  it("creates, reads, lists, replaces and disables a location", async () => {
    const id = uid("wh");
    const created = await api.post("/locations", {
      locationId: id,
      name: "North warehouse",
      kind: "WAREHOUSE",
      address: { line1: "Dock 4", postalCode: "20095", city: "Hamburg", country: "DE" },
      coordinates: { lat: 53.55, lon: 9.99 },
      fulfillmentKinds: ["SHIP", "SHIP_TO_STORE"],
      capacity: { perDay: 2000, unit: "ORDERS" },
      cutOffTime: "17:30",
      timeZone: "Europe/Berlin",
      workingDays: [1, 2, 3, 4, 5, 6],
      holidays: ["2026-12-25"],
      networks: ["north"],
      priority: 5,
      shippingCost: { currency: "EUR", perParcel: 4.5, perUnit: 0.1, perKm: 0.01 },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/locations/${id}`);
    expect(created.body).toMatchObject({ locationId: id, enabled: true, version: 1, priority: 5 });

    expect((await api.get(`/locations/${id}`)).body).toMatchObject({
      name: "North warehouse",
      cutOffTime: "17:30",
    });
    const byNetwork = await api.get("/locations?network=north&kind=WAREHOUSE");
    expect((byNetwork.body.items as { locationId: string }[]).map((l) => l.locationId)).toContain(id);
    expect(
      ((await api.get("/locations?kind=SUPPLIER")).body.items as { locationId: string }[]).map(
        (l) => l.locationId,
      ),
    ).not.toContain(id);

    const replaced = await api.raw(
      "PUT",
      `/locations/${id}`,
      JSON.stringify({
        name: "North warehouse (new dock)",
        kind: "WAREHOUSE",
        address: { postalCode: "20095", city: "Hamburg", country: "DE" },
        priority: 7,
      }),
      { "content-type": "application/json" },
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ version: 2, priority: 7, createdAt: created.body.createdAt });
    expect(replaced.body.coordinates).toBeUndefined();

    const disabled = await api.post(`/locations/${id}/disable`, { reason: "flooded" });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ enabled: false, disabledReason: "flooded", version: 3 });
    expect(
      ((await api.get("/locations?enabled=false")).body.items as { locationId: string }[]).map(
        (l) => l.locationId,
      ),
    ).toContain(id);
    // Disabling without a body works too, and changes nothing more.
    expect((await api.raw("POST", `/locations/${id}/disable`)).status).toBe(200);
  });

  it("answers a taken id with 409, unknown ids with 404 and bad input with 400 and the field", async () => {
    const id = uid("st");
    await createLocation(api, id);
    const again = await api.post("/locations", {
      locationId: id,
      name: "x",
      kind: "STORE",
      address: { postalCode: "1", city: "x", country: "DE" },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "LOCATION_EXISTS", field: "locationId" });
    expect((await api.get("/locations/nope-404")).body).toMatchObject({ code: "LOCATION_NOT_FOUND" });
    expect((await api.post("/locations/nope-404/disable", {})).status).toBe(404);
    const bad = await api.post("/locations", { locationId: "x y", name: "x", kind: "STORE" });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: "VALIDATION_FAILED", field: "locationId" });
    const badZone = await api.post("/locations", {
      locationId: uid("z"),
      name: "x",
      kind: "MOON_BASE",
      address: { postalCode: "1", city: "x", country: "DE" },
    });
    expect(badZone.body.field).toBe("kind");
  });
});

describe("stock updates", () => {
  it("applies a count, replays the same updateId, refuses the id for another batch", async () => {
    const loc = uid("wh");
    const sku = uid("SKU");
    await createLocation(api, loc);
    const body = {
      updateId: uid("u"),
      type: "SNAPSHOT",
      asOf: "2026-11-23T10:00:00+01:00",
      lines: [{ sku, locationId: loc, onHand: 12, safetyStock: 2, lowStockThreshold: 3 }],
    };
    const first = await api.post("/stock-updates", body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ applied: 1, ignored: [], replayed: false, lines: 1 });
    expect(await stockAt(api, sku, loc)).toMatchObject({
      onHand: 12,
      safetyStock: 2,
      available: 10,
      reserved: 0,
    });

    const again = await api.post("/stock-updates", { ...body, lines: [{ ...body.lines[0] }] });
    expect(again.body).toMatchObject({ applied: 1, replayed: true });
    const reused = await api.post("/stock-updates", { ...body, lines: [{ ...body.lines[0], onHand: 13 }] });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ code: "UPDATE_ID_REUSED", field: "updateId" });
    expect((await stockAt(api, sku, loc))?.onHand).toBe(12);
  });

  it("ignores a count older than the last applied one (out-of-order delivery)", async () => {
    const loc = uid("wh");
    const sku = uid("SKU");
    await createLocation(api, loc);
    await count(api, [{ sku, locationId: loc, onHand: 8 }], "2026-11-23T12:00:00Z");
    const late = await api.post("/stock-updates", {
      updateId: uid("late"),
      type: "SNAPSHOT",
      asOf: "2026-11-23T11:59:00Z",
      lines: [{ sku, locationId: loc, onHand: 50 }],
    });
    expect(late.body).toMatchObject({ applied: 0, ignored: [{ line: 0, reason: "STALE_SNAPSHOT" }] });
    expect((await stockAt(api, sku, loc))?.onHand).toBe(8);
  });

  it("applies movements: sale, receipt, correction, transfer; skips one the last count includes", async () => {
    const [a, b] = [uid("wh"), uid("st")];
    const sku = uid("SKU");
    await createLocation(api, a);
    await createLocation(api, b, { kind: "STORE" });
    await count(api, [{ sku, locationId: a, onHand: 10 }], "2026-11-23T12:00:00Z");
    const moves = await api.post("/stock-updates", {
      updateId: uid("moves"),
      type: "DELTA",
      lines: [
        { sku, locationId: a, change: -2, reason: "SALE", occurredAt: "2026-11-23T12:05:00Z" },
        { sku, locationId: a, change: 5, reason: "RECEIPT" },
        { sku, locationId: a, change: -1, reason: "CORRECTION", reference: "cycle count" },
        { sku, locationId: a, change: -4, reason: "TRANSFER", reference: "T-1" },
        { sku, locationId: b, change: 4, reason: "TRANSFER", reference: "T-1" },
        { sku, locationId: a, change: -3, reason: "SALE", occurredAt: "2026-11-23T11:00:00Z" },
      ],
    });
    expect(moves.status).toBe(200);
    expect(moves.body).toMatchObject({ applied: 5, ignored: [{ line: 5, reason: "INCLUDED_IN_SNAPSHOT" }] });
    expect((await stockAt(api, sku, a))?.onHand).toBe(8);
    expect((await stockAt(api, sku, b))?.onHand).toBe(4);
  });

  it("applies a 1,000-line count in chunks", async () => {
    const loc = uid("wh");
    await createLocation(api, loc);
    const prefix = uid("BULK");
    const lines = Array.from({ length: 1000 }, (_, i) => ({
      sku: `${prefix}-${i}`,
      locationId: loc,
      onHand: i,
    }));
    const res = await api.post("/stock-updates", {
      updateId: uid("bulk"),
      type: "SNAPSHOT",
      asOf: new Date().toISOString(),
      lines,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ applied: 1000, lines: 1000 });
    expect((await stockAt(api, `${prefix}-999`, loc))?.onHand).toBe(999);
  });

  describe("refuses a bad batch whole: a 4xx with code and field, nothing changed, the updateId still free", () => {
    const loc = uid("wh");
    const sku = uid("SKU");
    const good = () => ({ sku, locationId: loc, onHand: 7 });
    const cases: [string, () => Record<string, unknown>, number, string, string][] = [
      [
        "an unknown location",
        () => ({ type: "SNAPSHOT", lines: [good(), { sku, locationId: "nowhere-at-all", onHand: 1 }] }),
        404,
        "LOCATION_NOT_FOUND",
        "lines.1.locationId",
      ],
      [
        "a negative on-hand in a count",
        () => ({ type: "SNAPSHOT", lines: [good(), { sku: `${sku}-2`, locationId: loc, onHand: -1 }] }),
        400,
        "VALIDATION_FAILED",
        "lines.1.onHand",
      ],
      [
        "1,001 lines",
        () => ({
          type: "SNAPSHOT",
          lines: [
            good(),
            ...Array.from({ length: 1000 }, (_, i) => ({ sku: `${sku}-${i}`, locationId: loc, onHand: 1 })),
          ],
        }),
        400,
        "VALIDATION_FAILED",
        "lines",
      ],
      [
        "a malformed SKU",
        () => ({
          type: "SNAPSHOT",
          lines: [good(), { sku: "no spaces allowed", locationId: loc, onHand: 1 }],
        }),
        400,
        "VALIDATION_FAILED",
        "lines.1.sku",
      ],
      [
        "a sale of more than is on hand",
        () => ({
          type: "DELTA",
          lines: [
            { sku, locationId: loc, change: 3, reason: "RECEIPT" },
            { sku, locationId: loc, change: -500, reason: "SALE" },
          ],
        }),
        422,
        "ON_HAND_BELOW_ZERO",
        "lines.1.change",
      ],
    ];

    beforeAll(async () => {
      await createLocation(api, loc);
      await count(api, [{ sku, locationId: loc, onHand: 5 }], "2026-11-23T09:00:00Z");
    });

    it.each(cases)("%s", async (_name, body, status, code, field) => {
      const updateId = uid("bad");
      const before = await stockOf(api, sku);
      const batch = body();
      const asOf = batch.type === "SNAPSHOT" ? { asOf: "2026-11-23T10:00:00Z" } : {};
      const res = await api.post("/stock-updates", { updateId, ...asOf, ...batch });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ code, field });
      expect(await stockOf(api, sku)).toEqual(before);
      // The id was not spent: a corrected batch under the same id applies.
      const fixed = await api.post("/stock-updates", {
        updateId,
        type: "DELTA",
        lines: [{ sku, locationId: loc, change: 1, reason: "RECEIPT" }],
      });
      expect(fixed.status).toBe(200);
      expect((await stockAt(api, sku, loc))?.onHand).toBe((before.locations[0]?.onHand ?? 0) + 1);
    });
  });
});

describe("availability", () => {
  const channelId = uid("ch");
  const [home, listed, member, hidden, closed, down] = [
    "home",
    "listed",
    "member",
    "hidden",
    "closed",
    "down",
  ].map(uid);
  const sku = uid("SKU");
  const other = uid("SKU");

  beforeAll(async () => {
    await createLocation(api, home as string, {
      coordinates: { lat: 52.52, lon: 13.4 },
      address: { postalCode: "10115", city: "Berlin", country: "DE" },
    });
    await createLocation(api, listed as string, {
      coordinates: { lat: 48.14, lon: 11.58 },
      address: { postalCode: "80331", city: "Muenchen", country: "DE" },
    });
    await createLocation(api, member as string, {
      kind: "STORE",
      networks: ["north"],
      coordinates: { lat: 53.55, lon: 9.99 },
      address: { postalCode: "20095", city: "Hamburg", country: "DE" },
    });
    await createLocation(api, hidden as string, { networks: ["elsewhere"] });
    await createLocation(api, closed as string, { networks: ["north"] });
    await createLocation(api, down as string, {
      networks: ["north"],
      downtimes: [
        {
          from: new Date(Date.now() - 3_600_000).toISOString(),
          to: new Date(Date.now() + 3_600_000).toISOString(),
        },
      ],
    });
    await putChannel(runtime, {
      channelId,
      defaultLocationId: home as string,
      inventory: {
        locationIds: [listed as string],
        networks: ["north"],
        whenOutOfStock: "BACKORDER",
        reservationHoldMinutes: 60,
      },
    });
    await count(
      api,
      [home, listed, member, hidden, closed, down].map((locationId, i) => ({
        sku,
        locationId,
        onHand: 10 + i,
        safetyStock: 1,
      })),
    );
    await count(api, [{ sku: other, locationId: member, onHand: 2, safetyStock: 5 }]);
    await api.post(`/locations/${closed}/disable`, { reason: "inventory test" });
    // Availability reads the read model the stream relay keeps: let it catch up with the counts.
    await runtime.relay.whenCaughtUp();
    await runtime.relay.whenCaughtUp();
  });

  it("answers a SKU nobody stocked with zero", async () => {
    const res = await api.get(`/availability?channel=${channelId}&skus=NEVER-STOCKED-${sku}`);
    expect(res.body.items).toEqual([{ sku: `NEVER-STOCKED-${sku}`, available: 0, locations: [] }]);
  });

  it("counts only the locations the channel sees that are operational, never below zero", async () => {
    const res = await api.get(`/availability?channel=${channelId}&skus=${sku},${other}`);
    expect(res.status).toBe(200);
    const [first, second] = res.body.items as {
      sku: string;
      available: number;
      locations: { locationId: string; available: number }[];
    }[];
    expect(first?.available).toBe(9 + 10 + 11); // home, listed, member (safety stock 1 each)
    expect(first?.locations.map((l) => l.locationId).sort()).toEqual([home, listed, member].sort());
    expect(second).toEqual({ sku: other, available: 0, locations: [] }); // safety stock above on hand
  });

  it("lists locations nearest first by coordinates, or by postcode", async () => {
    const nearHamburg = await api.get(
      `/availability?channel=${channelId}&skus=${sku}&lat=53.5&lon=10&limit=2`,
    );
    const rows =
      (nearHamburg.body.items as { locations: { locationId: string; distanceKm: number }[] }[])[0]
        ?.locations ?? [];
    expect(rows.map((l) => l.locationId)).toEqual([member, home]);
    expect(rows[0]?.distanceKm).toBeLessThan(10);
    const byPostcode = await api.get(
      `/availability?channel=${channelId}&skus=${sku}&postalCode=80469&country=DE`,
    );
    expect(
      (byPostcode.body.items as { locations: { locationId: string }[] }[])[0]?.locations[0]?.locationId,
    ).toBe(listed);
  });

  it("refuses a bad query with 400 and the field, an unknown channel with 404", async () => {
    const field = async (query: string) => (await api.get(`/availability?${query}`)).body.field;
    expect(await field(`channel=${channelId}`)).toBe("skus");
    expect(await field(`channel=${channelId}&skus=ok,not%20ok`)).toBe("skus.1");
    expect(await field(`channel=${channelId}&skus=${sku}&lat=52`)).toBe("lon");
    expect(
      await field(`channel=${channelId}&skus=${Array.from({ length: 101 }, (_, i) => `S${i}`).join(",")}`),
    ).toBe("skus");
    expect((await api.get(`/availability?channel=nope-channel&skus=${sku}`)).body).toMatchObject({
      code: "CHANNEL_NOT_FOUND",
      field: "channel",
    });
  });
});

describe("inventory events", () => {
  it("publishes inventory.changed for a change and inventory.low once when it drops to the threshold", async () => {
    const loc = uid("wh");
    const sku = uid("SKU");
    await createLocation(api, loc);
    await count(api, [{ sku, locationId: loc, onHand: 10, lowStockThreshold: 3 }]);
    const mine = () => received.filter((e) => e.detail.sku === sku);
    const until = async (done: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !done()) await new Promise((r) => setTimeout(r, 50));
    };
    const lows = () => mine().filter((e) => e["detail-type"] === "inventory.low.v1");
    await api.post("/stock-updates", {
      updateId: uid("sale"),
      type: "DELTA",
      lines: [{ sku, locationId: loc, change: -8, reason: "SALE" }],
    });
    await until(() => lows().length > 0);
    await api.post("/stock-updates", {
      updateId: uid("sale"),
      type: "DELTA",
      lines: [{ sku, locationId: loc, change: -1, reason: "SALE" }],
    });
    await until(() => mine().some((e) => (e.detail.data as { onHand?: number } | undefined)?.onHand === 1));
    const changed = mine().filter((e) => e["detail-type"] === "inventory.changed.v1");
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((e) => e.source === "oms.inventory" && e.detail.locationId === loc)).toBe(true);
    expect(changed.at(-1)?.detail.data).toMatchObject({ onHand: 1, reserved: 0, available: 1, shortfall: 0 });
    const low = lows();
    expect(low).toHaveLength(1);
    expect(low[0]?.detail.data).toMatchObject({ available: 2, lowStockThreshold: 3 });
  });
});
