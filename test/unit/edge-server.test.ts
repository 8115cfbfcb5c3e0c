// The edge endpoint routes by X-Amz-Target and speaks AWS's JSON error shape.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AwsJsonService, AwsServiceError } from "../../local/aws-protocol/aws-json-service.ts";
import { close, createEdgeServer, listen } from "../../local/aws-protocol/edge-server.ts";

const echo: AwsJsonService = {
  targetPrefix: "Echo",
  jsonVersion: "1.1",
  async handle(operation, input) {
    if (operation === "Fail") throw new AwsServiceError("NopeException", "no");
    return { operation, input };
  },
};
const server = createEdgeServer({ services: [echo], dynamodbEndpoint: inject("dynamodbEndpoint") });
let base = "";
beforeAll(async () => {
  base = `http://127.0.0.1:${await listen(server, 0)}`;
});
afterAll(() => close(server));

const call = (target: string, body: string) =>
  fetch(`${base}/any/path`, { method: "POST", headers: { "x-amz-target": target }, body });

describe("edge server", () => {
  it("dispatches on the target prefix", async () => {
    const res = await call("Echo.Hello", '{"a":1}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ operation: "Hello", input: { a: 1 } });
  });
  it("answers modelled errors as 400 with __type and x-amzn-ErrorType", async () => {
    const res = await call("Echo.Fail", "{}");
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toBe("NopeException");
    expect(await res.json()).toMatchObject({ __type: "NopeException", message: "no" });
  });
  it("rejects malformed JSON and unknown services with 400", async () => {
    expect((await call("Echo.Hello", "{")).status).toBe(400);
    expect((await call("Nope.Hello", "{}")).status).toBe(400);
  });
  it("proxies DynamoDB calls to DynamoDB Local", async () => {
    const res = await fetch(base, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.ListTables",
        authorization:
          "AWS4-HMAC-SHA256 Credential=x/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x",
      },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty("TableNames");
  });
});
