// Channel configuration is served from memory for the configured time, then read again.
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { describe, expect, inject, it } from "vitest";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { createTableInput } from "../../adapters/dynamodb/table-definition.ts";
import { DEMO_CHANNEL } from "../../local/seed/demo-seed.ts";

describe("channel configuration cache", () => {
  it("answers from memory within the interval and reads the change after it", async () => {
    const client = new DynamoDBClient({
      endpoint: inject("dynamodbEndpoint"),
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const tableName = `oms-cache-${randomUUID().slice(0, 8)}`;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const writer = new OrderRepository(db, tableName);
    const cached = new OrderRepository(db, tableName, { channelCacheMs: 300 });
    const uncached = new OrderRepository(db, tableName);

    await writer.putChannel(DEMO_CHANNEL);
    expect((await cached.getChannel(DEMO_CHANNEL.channelId))?.active).toBe(true);
    await writer.putChannel({ ...DEMO_CHANNEL, active: false });
    expect((await cached.getChannel(DEMO_CHANNEL.channelId))?.active).toBe(true);
    expect((await uncached.getChannel(DEMO_CHANNEL.channelId))?.active).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    expect((await cached.getChannel(DEMO_CHANNEL.channelId))?.active).toBe(false);
  });
});
