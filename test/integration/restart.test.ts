// A restart of the runtime with executions in flight loses none: the second runtime resumes them from
// the persisted executions, and the idempotent tasks make the interrupted step count once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import type { Runtime } from "../../local/runtime.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";

const dataDir = mkdtempSync(join(tmpdir(), "oms-restart-"));
let second: Runtime | undefined;

afterAll(async () => {
  await second?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("restart with executions in flight", () => {
  it("resumes every running execution and finishes each order once", async () => {
    const first = await startTestRuntime({ dataDir });
    const api = httpClient(first.httpUrl);
    // Routing hangs for a while: the runtime stops while every order is inside that task.
    first.functions.injectFault("route-order", { times: Number.POSITIVE_INFINITY, delayMs: 1_500 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(String((await api.post("/orders", uniqueOrder(sampleBody()))).body.orderId));
    for (const id of ids) await api.waitForStatus(id, "VALIDATED");
    await first.stop();

    // Same data folder, same table, same ports (handler modules keep their SDK clients per process).
    second = await startTestRuntime({
      dataDir,
      tableName: first.tableName,
      httpPort: Number(new URL(first.httpUrl).port),
      awsPort: Number(new URL(first.awsEndpoint).port),
    });
    const api2 = httpClient(second.httpUrl);
    for (const id of ids) await api2.waitForStatus(id, "SUBMITTED", 20_000);

    const repo = new OrderRepository(
      DynamoDBDocumentClient.from(
        new DynamoDBClient({
          endpoint: inject("dynamodbEndpoint"),
          region: "us-east-1",
          credentials: { accessKeyId: "x", secretAccessKey: "x" },
        }),
      ),
      first.tableName,
    );
    for (const id of ids) {
      const types = (await repo.listOrderEvents(id)).map((e) => e.type);
      expect(types).toEqual([
        "order.created",
        "order.validated",
        "order.routed",
        "order.response",
        "order.submission-requested",
        "order.submitted",
      ]);
    }
  });
});
