// The two homes agree: the CloudFormation template synthesized from the app declaration and the local
// runtime booted from it serve exactly the same HTTP routes (to the same functions), state machines
// (same name, type and definition), event rules (same bus, pattern and targets), stream consumers and
// table. Each side is read from what it actually runs: the template's resources, and the local
// services through their AWS APIs and the HTTP API.
import { readFileSync } from "node:fs";
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from "@aws-sdk/client-eventbridge";
import { DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { App, type CfnElement } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FunctionId, functions, queues, rules } from "../../app/app-declaration.ts";
import { OmsStack } from "../../lib/oms-stack.ts";
import { fromRepoRoot } from "../../lib/paths.ts";
import { functionNameOf } from "../../local/functions/lambda-invoker.ts";
import type { Runtime } from "../../local/runtime.ts";
import { startTestRuntime } from "../support/test-runtime.ts";

type Resource = { Type: string; Properties: Record<string, unknown> };
let resources: Record<string, Resource>;
/** Template logical id of each declared function's Lambda -> its declared id. */
const functionByLogicalId = new Map<string, FunctionId>();
let runtime: Runtime;
let aws: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

beforeAll(async () => {
  const context = {
    ...(JSON.parse(readFileSync(fromRepoRoot("cdk.json"), "utf8")) as { context: Record<string, unknown> })
      .context,
    "aws:cdk:bundling-stacks": [],
  };
  const stack = new OmsStack(new App({ context }), "Oms");
  for (const id of Object.keys(functions) as FunctionId[]) {
    const fn = stack.node.findChild("Functions").node.findChild(id).node.findChild("Function");
    functionByLogicalId.set(stack.getLogicalId(fn.node.defaultChild as CfnElement), id);
  }
  resources = (
    stack.resolve((await import("aws-cdk-lib/assertions")).Template.fromStack(stack).toJSON()) as {
      Resources: Record<string, Resource>;
    }
  ).Resources;
  runtime = await startTestRuntime();
  aws = {
    endpoint: runtime.awsEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  };
});

afterAll(() => runtime?.stop());

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** `{"Fn::GetAtt": [logicalId, "Arn"]}` or `{"Ref": logicalId}` of a declared function -> its id. */
function functionOf(value: unknown): string {
  const v = value as { "Fn::GetAtt"?: string[]; Ref?: string };
  const logicalId = v["Fn::GetAtt"]?.[0] ?? v.Ref ?? "";
  return functionByLogicalId.get(logicalId) ?? `unknown:${JSON.stringify(value)}`;
}

describe("template and local runtime", () => {
  it("serve the same HTTP routes with the same functions", async () => {
    const integrations = new Map(
      ofType("AWS::ApiGatewayV2::Integration").map(([id, r]) => [id, r.Properties]),
    );
    // A route's Target is "integrations/<Ref integration>"; the integration's URI is the function's ARN.
    const inTemplate = ofType("AWS::ApiGatewayV2::Route").map(([, r]) => {
      const target = JSON.stringify(r.Properties.Target);
      const integration = [...integrations.keys()].find((id) => target.includes(`"${id}"`)) ?? "";
      return {
        routeKey: String(r.Properties.RouteKey),
        functionId: functionOf(integrations.get(integration)?.IntegrationUri),
      };
    });
    const local = runtime.routes;
    expect(inTemplate.sort(byKey)).toEqual([...local].sort(byKey));
    // And the local HTTP API answers each of them (API Gateway's own 404 means "no such route").
    for (const { routeKey } of local) {
      const [method, path] = routeKey.split(" ") as [string, string];
      const res = await fetch(
        `${runtime.httpUrl}${path.replace("{orderId}", "01HZZZZZZZZZZZZZZZZZZZZZZZ")}`,
        { method },
      );
      const body = (await res.json()) as { message?: string; code?: string };
      expect(body.message === "Not Found" && body.code === undefined, routeKey).toBe(false);
    }
  });

  it("run the same state machines: name, type and definition", async () => {
    const inTemplate = ofType("AWS::StepFunctions::StateMachine").map(([, r]) => {
      const substitutions = r.Properties.DefinitionSubstitutions as Record<string, unknown>;
      const definition = String(r.Properties.DefinitionString).replace(
        /\$\{(\w+)\}/g,
        (_, key: string) => `fn:${functionOf(substitutions[key])}`,
      );
      return {
        name: r.Properties.StateMachineName,
        type: r.Properties.StateMachineType ?? "STANDARD",
        definition: JSON.parse(definition),
      };
    });
    const sfn = new SFNClient(aws);
    const listed = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? [];
    const local = await Promise.all(
      listed.map(async (m) => {
        const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: m.stateMachineArn }));
        const definition = String(d.definition).replace(
          /arn:aws:lambda:[^"]+:function:([\w-]+)/g,
          (arn) => `fn:${functionNameOf(arn)}`,
        );
        return { name: d.name, type: d.type, definition: JSON.parse(definition) };
      }),
    );
    expect(inTemplate.length).toBeGreaterThan(0);
    expect(local.sort(byName)).toEqual(inTemplate.sort(byName));
  });

  it("route the same events: rules with their bus, pattern and function targets", async () => {
    const busNames = new Map(
      ofType("AWS::Events::EventBus").map(([id, r]) => [id, String(r.Properties.Name)]),
    );
    const inTemplate = ofType("AWS::Events::Rule").map(([, r]) => ({
      name: String(r.Properties.Name),
      bus: r.Properties.EventBusName
        ? (busNames.get((r.Properties.EventBusName as { Ref: string }).Ref) ?? "?")
        : "default",
      pattern: r.Properties.EventPattern,
      targets: (r.Properties.Targets as { Arn: unknown }[]).map((t) => functionOf(t.Arn)),
    }));
    const events = new EventBridgeClient(aws);
    const local = [];
    for (const bus of ["default", ...busNames.values()]) {
      for (const rule of (await events.send(new ListRulesCommand({ EventBusName: bus }))).Rules ?? []) {
        const described = await events.send(new DescribeRuleCommand({ Name: rule.Name, EventBusName: bus }));
        const targets = await events.send(
          new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: bus }),
        );
        local.push({
          name: String(rule.Name),
          bus,
          pattern: JSON.parse(String(described.EventPattern)),
          targets: (targets.Targets ?? []).map((t) => functionNameOf(String(t.Arn))),
        });
      }
    }
    expect(inTemplate.length).toBe(rules.length);
    expect(local.sort(byName)).toEqual(inTemplate.sort(byName));
  });

  it("feed the same stream consumers with the same filters", () => {
    const streams = ofType("AWS::Lambda::EventSourceMapping").filter(
      ([, r]) => r.Properties.StartingPosition,
    );
    const inTemplate = streams.map(([, r]) => ({
      functionId: functionOf(r.Properties.FunctionName),
      filter: JSON.parse(
        (r.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]?.Pattern ?? "{}",
      ),
      batchSize: r.Properties.BatchSize,
      maxRetryAttempts: r.Properties.MaximumRetryAttempts,
    }));
    expect(runtime.relay.consumers).toEqual(inTemplate);
  });

  it("poll the same queues with the same consumers: names, visibility, redrive, batch, concurrency", async () => {
    const queueNames = new Map(
      ofType("AWS::SQS::Queue").map(([id, r]) => [id, String(r.Properties.QueueName)]),
    );
    const inTemplate = ofType("AWS::Lambda::EventSourceMapping")
      .filter(([, r]) => !r.Properties.StartingPosition)
      .map(([, r]) => ({
        functionId: functionOf(r.Properties.FunctionName),
        queue: queueNames.get(
          (r.Properties.EventSourceArn as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0] ?? "",
        ),
        batchSize: r.Properties.BatchSize,
        maxConcurrency: (r.Properties.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency,
      }));
    const local = runtime.queueConsumers.map((c) => ({
      functionId: c.functionId,
      queue: queues[c.queueId].name,
      batchSize: c.batchSize,
      maxConcurrency: c.maxConcurrency,
    }));
    expect(local).toEqual(inTemplate);

    const sqs = new SQSClient(aws);
    const listed = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    const localQueues = await Promise.all(
      listed.map(async (url) => {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
        );
        const redrive = Attributes.RedrivePolicy ? JSON.parse(Attributes.RedrivePolicy) : undefined;
        return {
          name: url.split("/").at(-1),
          visibility: Number(Attributes.VisibilityTimeout),
          redrive: redrive && {
            to: String(redrive.deadLetterTargetArn).split(":").at(-1),
            max: redrive.maxReceiveCount,
          },
        };
      }),
    );
    const templateQueues = ofType("AWS::SQS::Queue").map(([, r]) => {
      const redrive = r.Properties.RedrivePolicy as
        | { deadLetterTargetArn: { "Fn::GetAtt": string[] }; maxReceiveCount: number }
        | undefined;
      return {
        name: String(r.Properties.QueueName),
        visibility: Number(r.Properties.VisibilityTimeout ?? 30),
        redrive: redrive && {
          to: queueNames.get(redrive.deadLetterTargetArn["Fn::GetAtt"][0] ?? ""),
          max: redrive.maxReceiveCount,
        },
      };
    });
    // The template's queues also hold the dead-letter queues of rules and streams (AWS-only parking).
    for (const queue of localQueues) expect(templateQueues).toContainEqual(queue);
    expect(localQueues.map((q) => q.name).sort()).toEqual(
      Object.values(queues)
        .flatMap((q) => [q.name, q.deadLetterQueue.name])
        .sort(),
    );
  });

  it("keep orders in the same table design: keys, indexes, stream and TTL", async () => {
    const [, table] = ofType("AWS::DynamoDB::Table")[0] ?? [];
    const p = table?.Properties ?? {};
    const ddb = new DynamoDBClient(aws);
    const local = (await ddb.send(new DescribeTableCommand({ TableName: runtime.tableName }))).Table;
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: runtime.tableName }));
    const keys = (k: { AttributeName?: string; KeyType?: string }[] = []) =>
      k.map((x) => `${x.AttributeName}:${x.KeyType}`);
    expect(keys(local?.KeySchema)).toEqual(keys(p.KeySchema as []));
    expect(new Set(local?.AttributeDefinitions?.map((a) => `${a.AttributeName}:${a.AttributeType}`))).toEqual(
      new Set(
        (p.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map(
          (a) => `${a.AttributeName}:${a.AttributeType}`,
        ),
      ),
    );
    const gsi = (
      list: {
        IndexName?: string;
        KeySchema?: [];
        Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
      }[] = [],
    ) =>
      list
        .map((i) => ({
          name: i.IndexName,
          keys: keys(i.KeySchema),
          type: i.Projection?.ProjectionType,
          attrs: [...(i.Projection?.NonKeyAttributes ?? [])].sort(),
        }))
        .sort(byName);
    expect(gsi(local?.GlobalSecondaryIndexes as [])).toEqual(gsi(p.GlobalSecondaryIndexes as []));
    expect(local?.StreamSpecification?.StreamViewType).toBe(
      (p.StreamSpecification as { StreamViewType: string }).StreamViewType,
    );
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(
      (p.TimeToLiveSpecification as { AttributeName: string }).AttributeName,
    );
  });
});

function byKey(a: { routeKey: string }, b: { routeKey: string }): number {
  return a.routeKey.localeCompare(b.routeKey);
}
function byName(a: { name?: unknown }, b: { name?: unknown }): number {
  return String(a.name).localeCompare(String(b.name));
}
