// Inventory helpers for integration tests: locations, channels and stock through the real HTTP API (or,
// for channels, which have no API yet, the repository), and a stock reader.
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { expect } from "vitest";
import { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { RoutingRepository } from "../../adapters/dynamodb/routing-repository.ts";
import type { Channel } from "../../domain/order/channel.ts";
import type { Runtime } from "../../local/runtime.ts";
import type { httpClient } from "./test-runtime.ts";

type Api = ReturnType<typeof httpClient>;

export function documentClient(runtime: Runtime): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: runtime.dynamodbEndpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

export function repositories(runtime: Runtime) {
  const db = documentClient(runtime);
  return {
    orders: new OrderRepository(db, runtime.tableName),
    inventory: new InventoryRepository(db, runtime.tableName),
    routing: new RoutingRepository(db, runtime.tableName),
  };
}

/** A unique id with a readable prefix: test files share nothing but the demo seed. */
export const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export async function createLocation(api: Api, locationId: string, patch: Record<string, unknown> = {}) {
  const res = await api.post("/locations", {
    locationId,
    name: `Location ${locationId}`,
    kind: "WAREHOUSE",
    address: { postalCode: "10115", city: "Berlin", country: "DE" },
    ...patch,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function putChannel(
  runtime: Runtime,
  channel: Partial<Channel> & Pick<Channel, "channelId" | "defaultLocationId">,
) {
  await repositories(runtime).orders.putChannel({
    merchantId: "test-merchant",
    name: channel.channelId,
    orderTypes: ["HOME_DELIVERY"],
    shipToCountries: ["DE"],
    active: true,
    ...channel,
  });
}

export async function count(api: Api, lines: Record<string, unknown>[], asOf = new Date().toISOString()) {
  const res = await api.post("/stock-updates", { updateId: uid("count"), type: "SNAPSHOT", asOf, lines });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export interface StockRow {
  locationId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
  shards: number;
}

export async function stockOf(
  api: Api,
  sku: string,
): Promise<{ totals: Omit<StockRow, "locationId" | "shards">; locations: StockRow[] }> {
  const res = await api.get(`/stock?sku=${encodeURIComponent(sku)}`);
  expect(res.status).toBe(200);
  return res.body as { totals: Omit<StockRow, "locationId" | "shards">; locations: StockRow[] };
}

export async function stockAt(api: Api, sku: string, locationId: string): Promise<StockRow | undefined> {
  return (await stockOf(api, sku)).locations.find((l) => l.locationId === locationId);
}
