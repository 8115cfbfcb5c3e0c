// The local EventBridge behind the edge endpoint, driven by the real @aws-sdk/client-eventbridge: rules and
// targets, paging, pattern tests, delivery to Lambda functions and to an API destination on loopback with
// retries, dead letters and redrive, and state that survives a restart.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  type ListRulesCommandOutput,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { close, createEdgeServer, listen } from "../../local/aws-protocol/edge-server.ts";
import { DEFAULT_DEAD_LETTER_STORE, LocalEventBridge } from "../../local/eventbridge/event-bridge-service.ts";
import { LOCAL_ACCOUNT, lambdaArn, MapLambdaInvoker } from "../../local/functions/lambda-invoker.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

interface Harness {
  service: LocalEventBridge;
  client: EventBridgeClient;
  stop(): Promise<void>;
}

async function startHarness(dataDir: string, invoker: MapLambdaInvoker): Promise<Harness> {
  const service = new LocalEventBridge({ dataDir, invoker, retryBaseDelayMs: 10 });
  await service.start();
  const edge = createEdgeServer({ services: [service] });
  const port = await listen(edge, 0);
  const client = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  return {
    service,
    client,
    async stop() {
      client.destroy();
      await close(edge);
      await service.stop();
    },
  };
}

/** Records what a function received. */
function recorder(invoker: MapLambdaInvoker, name: string): unknown[] {
  const received: unknown[] = [];
  invoker.register(name, (payload) => {
    received.push(payload);
    return {};
  });
  return received;
}

const testEvent = (detail: object, source = "test.orders") => ({
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "OrderSubmitted",
  source,
  account: LOCAL_ACCOUNT,
  time: "2024-01-02T03:04:05Z",
  region: "us-east-1",
  resources: [],
  detail,
});

let dataDir = "";
let invoker: MapLambdaInvoker;
let harness: Harness;
let client: EventBridgeClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "local-eventbridge-"));
  invoker = new MapLambdaInvoker();
  harness = await startHarness(dataDir, invoker);
  client = harness.client;
});

afterAll(async () => {
  await harness.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("rules and targets", () => {
  it("creates, describes, enables and disables a rule", async () => {
    const pattern = JSON.stringify({ source: ["test.rules"] });
    const { RuleArn } = await client.send(
      new PutRuleCommand({ Name: "describe-me", EventPattern: pattern, Description: "for describe" }),
    );
    expect(RuleArn).toBe(`arn:aws:events:us-east-1:${LOCAL_ACCOUNT}:rule/describe-me`);
    await client.send(new DisableRuleCommand({ Name: "describe-me" }));
    const described = await client.send(new DescribeRuleCommand({ Name: "describe-me" }));
    expect(described).toMatchObject({
      Name: "describe-me",
      Arn: RuleArn,
      EventPattern: pattern,
      State: "DISABLED",
      Description: "for describe",
      EventBusName: "default",
      CreatedBy: LOCAL_ACCOUNT,
    });
    await client.send(new EnableRuleCommand({ Name: "describe-me" }));
    expect((await client.send(new DescribeRuleCommand({ Name: "describe-me" }))).State).toBe("ENABLED");
  });

  it("pages ListRules with NextToken until the last page, which has none", async () => {
    const names = Array.from({ length: 7 }, (_, i) => `paged-${i}`);
    for (const name of names) {
      await client.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: [name] }) }));
    }
    // The EventBridge SDK ships no paginators; this loop is what @smithy's createPaginator does: follow
    // NextToken until it is absent (a server that repeats a token would make it loop forever).
    const pages: ListRulesCommandOutput[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListRulesCommand({ NamePrefix: "paged-", Limit: 3, NextToken: token }),
      );
      pages.push(page);
      expect(page.NextToken === undefined || page.NextToken !== token).toBe(true);
      token = page.NextToken;
    } while (token !== undefined && pages.length < 10);
    expect(pages.map((page) => page.Rules?.length)).toEqual([3, 3, 1]);
    expect(pages.at(-1)?.NextToken).toBeUndefined();
    expect(pages.flatMap((page) => page.Rules?.map((rule) => rule.Name))).toEqual(names);
    expect(pages[0]?.Rules?.[0]).toMatchObject({
      Name: "paged-0",
      State: "ENABLED",
      EventBusName: "default",
    });
  });

  it("refuses to delete a rule that still has targets", async () => {
    await client.send(new PutRuleCommand({ Name: "has-targets", EventPattern: '{"source":["x"]}' }));
    const put = await client.send(
      new PutTargetsCommand({ Rule: "has-targets", Targets: [{ Id: "fn", Arn: lambdaArn("somewhere") }] }),
    );
    expect(put).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const listed = await client.send(new ListTargetsByRuleCommand({ Rule: "has-targets" }));
    expect(listed.Targets).toEqual([{ Id: "fn", Arn: lambdaArn("somewhere") }]);
    const byTarget = await client.send(
      new ListRuleNamesByTargetCommand({ TargetArn: lambdaArn("somewhere") }),
    );
    expect(byTarget.RuleNames).toEqual(["has-targets"]);

    await expect(client.send(new DeleteRuleCommand({ Name: "has-targets" }))).rejects.toMatchObject({
      name: "ValidationException",
      message: "Rule can't be deleted since it has targets.",
    });
    await client.send(new RemoveTargetsCommand({ Rule: "has-targets", Ids: ["fn"] }));
    await client.send(new DeleteRuleCommand({ Name: "has-targets" }));
    await expect(client.send(new DescribeRuleCommand({ Name: "has-targets" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  it("rejects an invalid pattern, a rule without pattern or schedule, and a missing name", async () => {
    await expect(
      client.send(new PutRuleCommand({ Name: "bad", EventPattern: '{"source":"not-an-array"}' })),
    ).rejects.toMatchObject({ name: "InvalidEventPatternException" });
    await expect(client.send(new PutRuleCommand({ Name: "neither" }))).rejects.toMatchObject({
      name: "ValidationException",
      message: "Parameter(s) EventPattern or ScheduleExpression must be specified.",
    });
    await expect(client.send(new DescribeRuleCommand({} as never))).rejects.toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    });
  });
});

describe("TestEventPattern", () => {
  const pattern = JSON.stringify({ source: ["test.orders"], detail: { total: [{ numeric: [">", 100] }] } });

  it("answers true and false", async () => {
    const hit = await client.send(
      new TestEventPatternCommand({
        EventPattern: pattern,
        Event: JSON.stringify(testEvent({ total: 250 })),
      }),
    );
    const miss = await client.send(
      new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(testEvent({ total: 50 })) }),
    );
    expect([hit.Result, miss.Result]).toEqual([true, false]);
  });

  it("reports an invalid pattern as InvalidEventPatternException and an invalid event as ValidationException", async () => {
    const event = JSON.stringify(testEvent({}));
    await expect(
      client.send(
        new TestEventPatternCommand({ EventPattern: '{"source":[{"numeric":[">"]}]}', Event: event }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidEventPatternException",
      message: "Event pattern is not valid. Reason: Value of > must be numeric",
    });
    await expect(
      client.send(new TestEventPatternCommand({ EventPattern: pattern, Event: '{"source":"test.orders"}' })),
    ).rejects.toMatchObject({ name: "ValidationException", message: "Parameter Event is not valid." });
  });
});

describe("delivery to Lambda functions", () => {
  it("delivers the event, an InputPath selection and an InputTransformer rendering", async () => {
    const whole = recorder(invoker, "whole-fn");
    const path = recorder(invoker, "path-fn");
    const transformed = recorder(invoker, "transformer-fn");
    await client.send(
      new PutRuleCommand({
        Name: "order-submitted",
        EventPattern: JSON.stringify({ source: ["test.orders"], "detail-type": ["OrderSubmitted"] }),
      }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: "order-submitted",
        Targets: [
          { Id: "whole", Arn: lambdaArn("whole-fn") },
          { Id: "path", Arn: lambdaArn("path-fn"), InputPath: "$.detail" },
          {
            Id: "transformed",
            Arn: lambdaArn("transformer-fn"),
            InputTransformer: {
              InputPathsMap: { id: "$.detail.orderId", total: "$.detail.total" },
              InputTemplate:
                '{"order": <id>, "total": <total>, "note": "order <id> via <aws.events.rule-name>"}',
            },
          },
        ],
      }),
    );

    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "test.orders",
            DetailType: "OrderSubmitted",
            Detail: JSON.stringify({ orderId: "o-1", total: 42.5 }),
            Time: new Date("2024-05-06T07:08:09Z"),
            Resources: ["arn:aws:dynamodb:us-east-1:000000000000:table/orders"],
          },
          { Source: "test.orders", DetailType: "OrderCancelled", Detail: "{}" },
          { Source: "test.orders", DetailType: "OrderSubmitted" },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Entries?.[1]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Entries?.[2]).toEqual({
      ErrorCode: "InvalidArgument",
      ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument.",
    });

    await harness.service.whenIdle();
    expect(whole).toEqual([
      {
        version: "0",
        id: result.Entries?.[0]?.EventId,
        "detail-type": "OrderSubmitted",
        source: "test.orders",
        account: LOCAL_ACCOUNT,
        time: "2024-05-06T07:08:09Z",
        region: "us-east-1",
        resources: ["arn:aws:dynamodb:us-east-1:000000000000:table/orders"],
        detail: { orderId: "o-1", total: 42.5 },
      },
    ]);
    expect(path).toEqual([{ orderId: "o-1", total: 42.5 }]);
    expect(transformed).toEqual([{ order: "o-1", total: 42.5, note: "order o-1 via order-submitted" }]);
  });

  it("renders constant inputs, plain-text templates, predefined variables and missing paths", async () => {
    const received = recorder(invoker, "inputs-fn");
    await client.send(new PutRuleCommand({ Name: "inputs", EventPattern: '{"source":["test.inputs"]}' }));
    const ruleArn = `arn:aws:events:us-east-1:${LOCAL_ACCOUNT}:rule/inputs`;
    await client.send(
      new PutTargetsCommand({
        Rule: "inputs",
        Targets: [
          { Id: "constant", Arn: lambdaArn("inputs-fn"), Input: '{"kind":"constant"}' },
          {
            Id: "text",
            Arn: lambdaArn("inputs-fn"),
            InputTransformer: { InputPathsMap: { who: "$.detail.who" }, InputTemplate: "hello <who>" },
          },
          {
            Id: "variables",
            Arn: lambdaArn("inputs-fn"),
            InputTransformer: {
              InputPathsMap: { who: "$.detail.who", none: "$.detail.missing" },
              InputTemplate:
                '{"kind":"variables","rule":<aws.events.rule-arn>,"event":<aws.events.event>,' +
                '"quoted":"<who>!","missing":<none>,"at":"<aws.events.event.ingestion-time>"}',
            },
          },
        ],
      }),
    );
    const put = await client.send(
      new PutEventsCommand({
        Entries: [{ Source: "test.inputs", DetailType: "X", Detail: '{"who":"bob"}' }],
      }),
    );
    await harness.service.whenIdle();

    expect(received).toHaveLength(3);
    expect(received).toContainEqual({ kind: "constant" });
    // A template that does not render to JSON reaches the target as text.
    expect(received).toContainEqual('hello "bob"');
    expect(received).toContainEqual({
      kind: "variables",
      rule: ruleArn,
      event: expect.objectContaining({ id: put.Entries?.[0]?.EventId, detail: { who: "bob" } }),
      quoted: "bob!",
      missing: null,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
  });

  it("routes only to enabled rules of the bus the event was put on", async () => {
    const received = recorder(invoker, "routing-fn");
    await client.send(new CreateEventBusCommand({ Name: "routing-bus" }));
    for (const [name, bus] of [
      ["on-default", "default"],
      ["on-custom", "routing-bus"],
      ["disabled", "routing-bus"],
    ] as const) {
      await client.send(
        new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: '{"source":["test.routing"]}' }),
      );
      await client.send(
        new PutTargetsCommand({
          Rule: name,
          EventBusName: bus,
          Targets: [{ Id: "t", Arn: lambdaArn("routing-fn"), Input: JSON.stringify({ rule: name }) }],
        }),
      );
    }
    await client.send(new DisableRuleCommand({ Name: "disabled", EventBusName: "routing-bus" }));
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "test.routing",
            DetailType: "X",
            Detail: "{}",
            EventBusName: `arn:aws:events:us-east-1:${LOCAL_ACCOUNT}:event-bus/routing-bus`,
          },
          { Source: "test.routing", DetailType: "X", Detail: "{}", EventBusName: "no-such-bus" },
          { Source: "aws.ec2", DetailType: "X", Detail: "{}" },
          { Source: "test.routing", DetailType: "X", Detail: "[1,2]" },
        ],
      }),
    );
    await harness.service.whenIdle();

    expect(received).toEqual([{ rule: "on-custom" }]);
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries?.slice(1)).toEqual([
      { ErrorCode: "ResourceNotFoundException", ErrorMessage: "Event bus no-such-bus does not exist." },
      { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
    ]);
  });

  it("dead-letters a target that keeps failing and redrives it once fixed", async () => {
    let broken = true;
    const delivered: unknown[] = [];
    invoker.register("flaky-fn", (payload) => {
      if (broken) throw new Error("inventory service unavailable");
      delivered.push(payload);
      return {};
    });
    const dlq = "arn:aws:sqs:us-east-1:000000000000:flaky-dlq";
    await client.send(new PutRuleCommand({ Name: "flaky", EventPattern: '{"source":["test.flaky"]}' }));
    await client.send(
      new PutTargetsCommand({
        Rule: "flaky",
        Targets: [
          {
            Id: "flaky-target",
            Arn: lambdaArn("flaky-fn"),
            RetryPolicy: { MaximumRetryAttempts: 2 },
            DeadLetterConfig: { Arn: dlq },
          },
        ],
      }),
    );
    await client.send(
      new PutEventsCommand({ Entries: [{ Source: "test.flaky", DetailType: "Ping", Detail: '{"n":1}' }] }),
    );
    await harness.service.whenIdle();

    const letters = harness.service.listDeadLetters({ ruleName: "flaky" });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      deadLetterArn: dlq,
      targetId: "flaky-target",
      attempts: 3,
      errorCode: "FUNCTION_ERROR",
      errorMessage: "Error: inventory service unavailable",
      event: { source: "test.flaky", detail: { n: 1 } },
    });
    expect(harness.service.listDeadLetters({ deadLetterArn: dlq })).toHaveLength(1);
    expect(
      harness.service.listDeadLetters({ deadLetterArn: DEFAULT_DEAD_LETTER_STORE, ruleName: "flaky" }),
    ).toEqual([]);

    broken = false;
    expect(await harness.service.redriveDeadLetters({ ruleName: "flaky" })).toBe(1);
    await harness.service.whenIdle();
    expect(delivered).toEqual([expect.objectContaining({ source: "test.flaky", detail: { n: 1 } })]);
    expect(harness.service.listDeadLetters({ ruleName: "flaky" })).toEqual([]);
  });
});

describe("delivery to API destinations", () => {
  interface Received {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
  }
  const received: Received[] = [];
  let failuresLeft = 3;
  let webhook: Server;
  let webhookUrl = "";

  beforeAll(async () => {
    webhook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (req.url?.startsWith("/reject")) {
          res.writeHead(400).end("bad request");
        } else if (failuresLeft > 0) {
          failuresLeft--;
          res.writeHead(500).end("try later");
        } else {
          res.writeHead(200, { "content-type": "application/json" }).end("{}");
        }
      });
    });
    webhookUrl = `http://127.0.0.1:${await listen(webhook, 0)}`;
  });
  afterAll(() => close(webhook));

  it("retries 500 answers and delivers the event once, with the connection's API key", async () => {
    const connection = await client.send(
      new CreateConnectionCommand({
        Name: "merchant",
        AuthorizationType: "API_KEY",
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "s3cr3t" } },
      }),
    );
    expect(connection.ConnectionState).toBe("AUTHORIZED");
    expect(connection.CreationTime).toBeInstanceOf(Date);
    expect(Math.abs((connection.CreationTime as Date).getTime() - Date.now())).toBeLessThan(60_000);
    const described = await client.send(new DescribeConnectionCommand({ Name: "merchant" }));
    expect(described.AuthParameters?.ApiKeyAuthParameters).toEqual({ ApiKeyName: "x-api-key" });

    const destination = await client.send(
      new CreateApiDestinationCommand({
        Name: "merchant-webhook",
        ConnectionArn: connection.ConnectionArn,
        InvocationEndpoint: `${webhookUrl}/hooks/*`,
        HttpMethod: "POST",
      }),
    );
    expect(destination.ApiDestinationState).toBe("ACTIVE");
    expect(
      (await client.send(new DescribeApiDestinationCommand({ Name: "merchant-webhook" }))).HttpMethod,
    ).toBe("POST");
    const listed = await client.send(
      new ListApiDestinationsCommand({ ConnectionArn: connection.ConnectionArn }),
    );
    expect(listed.ApiDestinations?.map((d) => d.Name)).toEqual(["merchant-webhook"]);
    expect((await client.send(new ListConnectionsCommand({}))).Connections?.[0]?.Name).toBe("merchant");

    await client.send(
      new PutRuleCommand({ Name: "to-webhook", EventPattern: '{"source":["test.webhook"]}' }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: "to-webhook",
        Targets: [
          {
            Id: "merchant",
            Arn: destination.ApiDestinationArn,
            HttpParameters: { PathParameterValues: ["orders"], QueryStringParameters: { v: "1" } },
          },
        ],
      }),
    );
    const put = await client.send(
      new PutEventsCommand({
        Entries: [{ Source: "test.webhook", DetailType: "Order", Detail: '{"orderId":"o-9"}' }],
      }),
    );
    await harness.service.whenIdle();

    expect(received).toHaveLength(4);
    expect(failuresLeft).toBe(0);
    for (const request of received) {
      expect(request).toMatchObject({ method: "POST", url: "/hooks/orders?v=1" });
      expect(request.headers["x-api-key"]).toBe("s3cr3t");
      expect(request.headers["content-type"]).toMatch(/^application\/json/);
      expect(JSON.parse(request.body)).toMatchObject({
        id: put.Entries?.[0]?.EventId,
        detail: { orderId: "o-9" },
      });
    }
    expect(harness.service.listDeadLetters({ ruleName: "to-webhook" })).toEqual([]);
  });

  it("does not retry a 400 answer: the event goes straight to the dead-letter store", async () => {
    const connection = await client.send(
      new CreateConnectionCommand({
        Name: "strict-merchant",
        AuthorizationType: "BASIC",
        AuthParameters: { BasicAuthParameters: { Username: "shop", Password: "pw" } },
      }),
    );
    const destination = await client.send(
      new CreateApiDestinationCommand({
        Name: "strict-webhook",
        ConnectionArn: connection.ConnectionArn,
        InvocationEndpoint: `${webhookUrl}/reject`,
        HttpMethod: "PUT",
      }),
    );
    await client.send(new PutRuleCommand({ Name: "to-strict", EventPattern: '{"source":["test.strict"]}' }));
    await client.send(
      new PutTargetsCommand({
        Rule: "to-strict",
        Targets: [{ Id: "strict", Arn: destination.ApiDestinationArn }],
      }),
    );
    const before = received.length;
    await client.send(
      new PutEventsCommand({ Entries: [{ Source: "test.strict", DetailType: "X", Detail: "{}" }] }),
    );
    await harness.service.whenIdle();

    const requests = received.slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from("shop:pw").toString("base64")}`);
    expect(harness.service.listDeadLetters({ ruleName: "to-strict" })).toEqual([
      expect.objectContaining({
        deadLetterArn: DEFAULT_DEAD_LETTER_STORE,
        attempts: 1,
        errorCode: "HTTP_400",
      }),
    ]);
  });
});

describe("event buses", () => {
  it("creates, lists, describes and deletes custom buses; the default bus always exists", async () => {
    const created = await client.send(
      new CreateEventBusCommand({ Name: "orders-bus", Description: "orders" }),
    );
    expect(created.EventBusArn).toBe(`arn:aws:events:us-east-1:${LOCAL_ACCOUNT}:event-bus/orders-bus`);
    await expect(client.send(new CreateEventBusCommand({ Name: "orders-bus" }))).rejects.toMatchObject({
      name: "ResourceAlreadyExistsException",
    });
    const described = await client.send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
    expect(described).toMatchObject({ Name: "orders-bus", Arn: created.EventBusArn, Description: "orders" });
    expect(described.CreationTime).toBeInstanceOf(Date);
    const names = (await client.send(new ListEventBusesCommand({}))).EventBuses?.map((bus) => bus.Name);
    expect(names).toEqual(expect.arrayContaining(["default", "orders-bus"]));

    await client.send(
      new PutRuleCommand({ Name: "on-bus", EventBusName: "orders-bus", EventPattern: '{"source":["x"]}' }),
    );
    await expect(client.send(new DeleteEventBusCommand({ Name: "orders-bus" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await client.send(new DeleteRuleCommand({ Name: "on-bus", EventBusName: "orders-bus" }));
    await client.send(new DeleteEventBusCommand({ Name: "orders-bus" }));
    await expect(client.send(new DescribeEventBusCommand({ Name: "orders-bus" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    await expect(client.send(new DeleteEventBusCommand({ Name: "default" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    expect((await client.send(new DescribeEventBusCommand({}))).Name).toBe("default");
  });
});

describe("persistence", () => {
  it("keeps buses, rules, targets, dead letters and pending deliveries across a restart", async () => {
    const directory = await mkdtemp(join(tmpdir(), "local-eventbridge-restart-"));
    try {
      // First life: the function hangs until the process stops, then fails, leaving the delivery pending.
      const before = new MapLambdaInvoker();
      let release = (): void => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let called = (): void => undefined;
      const invoked = new Promise<void>((resolve) => {
        called = resolve;
      });
      before.register("audit-fn", async () => {
        called();
        await gate;
        throw new Error("process stopped");
      });
      const first = await startHarness(directory, before);
      await first.client.send(new CreateEventBusCommand({ Name: "audit" }));
      await first.client.send(
        new PutRuleCommand({
          Name: "audit-all",
          EventBusName: "audit",
          EventPattern: '{"source":["test.audit"]}',
        }),
      );
      await first.client.send(
        new PutTargetsCommand({
          Rule: "audit-all",
          EventBusName: "audit",
          Targets: [
            { Id: "audit", Arn: lambdaArn("audit-fn") },
            { Id: "gone", Arn: lambdaArn("no-such-fn") },
          ],
        }),
      );
      await first.client.send(
        new PutEventsCommand({
          Entries: [
            { Source: "test.audit", DetailType: "Audit", Detail: '{"who":"alice"}', EventBusName: "audit" },
          ],
        }),
      );
      await invoked;
      // A second event is journaled but never attempted: stop() runs before the next turn would start it.
      await first.client.send(
        new PutRuleCommand({
          Name: "audit-late",
          EventBusName: "audit",
          EventPattern: '{"source":["test.audit-late"]}',
        }),
      );
      await first.client.send(
        new PutTargetsCommand({
          Rule: "audit-late",
          EventBusName: "audit",
          Targets: [{ Id: "audit", Arn: lambdaArn("audit-fn") }],
        }),
      );
      await first.service.handle("PutEvents", {
        Entries: [
          { Source: "test.audit-late", DetailType: "Audit", Detail: '{"who":"bob"}', EventBusName: "audit" },
        ],
      });
      const stopping = first.service.stop();
      release();
      await stopping;
      await first.stop();

      // Second life: same directory, a working function.
      const after = new MapLambdaInvoker();
      const audited = recorder(after, "audit-fn");
      const second = await startHarness(directory, after);
      try {
        const rule = await second.client.send(
          new DescribeRuleCommand({ Name: "audit-all", EventBusName: "audit" }),
        );
        expect(rule.EventPattern).toBe('{"source":["test.audit"]}');
        const targets = await second.client.send(
          new ListTargetsByRuleCommand({ Rule: "audit-all", EventBusName: "audit" }),
        );
        expect(targets.Targets?.map((target) => target.Id)).toEqual(["audit", "gone"]);
        expect(second.service.listDeadLetters({ targetId: "gone" })).toEqual([
          expect.objectContaining({ errorCode: "RESOURCE_NOT_FOUND", attempts: 1 }),
        ]);

        await second.service.whenIdle();
        expect(audited).toHaveLength(2);
        expect(audited).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ source: "test.audit", detail: { who: "alice" } }),
            expect.objectContaining({ source: "test.audit-late", detail: { who: "bob" } }),
          ]),
        );
      } finally {
        await second.stop();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
