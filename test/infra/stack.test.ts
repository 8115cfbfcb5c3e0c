// The synthesized stack agrees with app/app-declaration.ts: one resource per declared function, route,
// state machine, bus, rule and stream consumer with the declared settings; the table follows the table
// design; each function's IAM policy grants exactly its declared access; cdk-nag (AwsSolutions) has no
// unacknowledged finding. Bundling is skipped (context), so no handler is built here.
import { readFileSync } from "node:fs";
import { App, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import {
  eventBuses,
  type FunctionId,
  functions,
  handlerEnvironment,
  type QueueId,
  queueConsumers,
  queues,
  routes,
  rules,
  stateMachines,
  streamConsumers,
  table as tableDeclaration,
} from "../../app/app-declaration.ts";
import { OmsStack } from "../../lib/oms-stack.ts";
import { fromRepoRoot } from "../../lib/paths.ts";

// The routes the product allows without a signature (named here, not read from the declaration, so that
// making a route public is a visible change to this test); every other route must require IAM (SigV4).
// The approval callback is public: a third party answers with the unguessable callback id it was sent.
const PUBLIC_ROUTES = new Set(["GET /health", "GET /openapi.json", "POST /approval-callbacks/{callbackId}"]);
// The feature flags `cdk synth` applies (cdk.json), so the tests see the template that deploys; bundling
// skipped to stay fast.
const CONTEXT = {
  ...(JSON.parse(readFileSync(fromRepoRoot("cdk.json"), "utf8")) as { context: Record<string, unknown> })
    .context,
  "aws:cdk:bundling-stacks": [],
};

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

let template: Template;
let resources: Record<string, CfnResource>;

beforeAll(() => {
  const app = new App({ context: CONTEXT });
  template = Template.fromStack(new OmsStack(app, "Oms"));
  resources = template.toJSON().Resources;
});

const entries = <K extends string, V>(record: Record<K, V>) => Object.entries(record) as [K, V][];
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** An intrinsic as readable text: Ref X -> ${X}, GetAtt X.Y -> ${X.Y}, Fn::Join concatenated. */
function flatten(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const intrinsic = value as Record<string, unknown>;
    if (Array.isArray(intrinsic["Fn::Join"])) {
      const [separator, parts] = intrinsic["Fn::Join"] as [string, unknown[]];
      return parts.map(flatten).join(separator);
    }
    if (typeof intrinsic.Ref === "string") return `\${${intrinsic.Ref}}`;
    if (Array.isArray(intrinsic["Fn::GetAtt"]))
      return `\${${(intrinsic["Fn::GetAtt"] as string[]).join(".")}}`;
  }
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

function logicalIdsOf(type: string): string[] {
  return Object.keys(resources).filter((id) => resources[id]?.Type === type);
}
function only<T>(items: T[], what: string): T {
  expect(items, what).toHaveLength(1);
  return items[0] as T;
}
function propsOf(logicalId: string): Record<string, unknown> {
  const resource = resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return resource.Properties;
}

/** The Lambda function of a declared function (descriptions are unique in the declaration). */
function functionLogicalId(functionId: FunctionId): string {
  return only(
    logicalIdsOf("AWS::Lambda::Function").filter(
      (id) => propsOf(id).Description === functions[functionId].description,
    ),
    `one Lambda function for ${functionId}`,
  );
}
const tableLogicalId = () => only(logicalIdsOf("AWS::DynamoDB::Table"), "one table");
const busLogicalId = (name: string) =>
  only(
    logicalIdsOf("AWS::Events::EventBus").filter((id) => propsOf(id).Name === name),
    `one bus named ${name}`,
  );
const queueLogicalId = (name: string) =>
  only(
    logicalIdsOf("AWS::SQS::Queue").filter((id) => propsOf(id).QueueName === name),
    `one queue named ${name}`,
  );
const stateMachineArn = (name: string) =>
  `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${name}`;

/** Every statement of every policy attached to a role. */
function statementsOfRole(roleLogicalId: string): Statement[] {
  return logicalIdsOf("AWS::IAM::Policy")
    .filter((id) => (propsOf(id).Roles as unknown[]).some((role) => flatten(role) === `\${${roleLogicalId}}`))
    .flatMap((id) => (propsOf(id).PolicyDocument as { Statement: Statement[] }).Statement);
}
function statementsOfFunction(functionId: FunctionId): Statement[] {
  const role = flatten(propsOf(functionLogicalId(functionId)).Role); // ${RoleId.Arn}
  return statementsOfRole(role.slice(2, -1).replace(/\.Arn$/, ""));
}
/** The resources (flattened) on which a set of statements allows an action. */
function resourcesAllowing(statements: Statement[], action: string): string[] {
  return statements
    .filter((statement) => statement.Effect === "Allow" && asArray(statement.Action).includes(action))
    .flatMap((statement) => asArray(statement.Resource).map(flatten))
    .sort();
}

describe("functions", () => {
  it("one Lambda function per declared function", () => {
    template.resourceCountIs("AWS::Lambda::Function", Object.keys(functions).length);
    const descriptions = Object.values(functions).map((fn) => fn.description);
    expect(new Set(descriptions).size).toBe(descriptions.length);
  });

  it.each(entries(functions))("%s: memory, timeout, runtime, ARM64, tracing, log group", (functionId, fn) => {
    const props = propsOf(functionLogicalId(functionId));
    expect(props).toMatchObject({
      MemorySize: fn.memoryMb,
      Timeout: fn.timeoutSeconds,
      Handler: `index.${fn.handler}`,
      Architectures: ["arm64"],
      TracingConfig: { Mode: "Active" },
    });
    // Node.js 22 or newer (the deployed runtime, not the Node 20 of the local home).
    expect(Number(/^nodejs(\d+)\.x$/.exec(String(props.Runtime))?.[1])).toBeGreaterThanOrEqual(22);
    const logGroup = flatten((props.LoggingConfig as { LogGroup: unknown }).LogGroup).slice(2, -1);
    expect(resources[logGroup]?.Type).toBe("AWS::Logs::LogGroup");
    expect(propsOf(logGroup).RetentionInDays).toEqual(expect.any(Number));
  });

  it.each(entries(functions))("%s: the handler environment of the AWS home", (functionId) => {
    const variables = (
      propsOf(functionLogicalId(functionId)).Environment as { Variables: Record<string, unknown> }
    ).Variables;
    const expected = handlerEnvironment({
      tableName: `\${${tableLogicalId()}}`,
      eventBusName: `\${${busLogicalId(eventBuses.orders.name)}}`,
      stateMachineArns: Object.fromEntries(
        entries(stateMachines).map(([id, machine]) => [id, stateMachineArn(machine.name)]),
      ) as Record<keyof typeof stateMachines, string>,
      queues: Object.fromEntries(
        entries(queues).map(([id, queue]) => [
          id,
          { url: `\${${queueLogicalId(queue.name)}}`, arn: `\${${queueLogicalId(queue.name)}.Arn}` },
        ]),
      ) as Record<QueueId, { url: string; arn: string }>,
    });
    expect(flatten(variables.SUBSCRIPTION_BUS_TARGET_ROLE_ARN)).toMatch(
      /^\$\{.*SubscriptionBusTargetRole.*\.Arn\}$/,
    );
    for (const [name, value] of Object.entries(expected)) expect(flatten(variables[name]), name).toBe(value);
  });
});

describe("HTTP API", () => {
  it("one route per declared route", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Route", routes.length);
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    "%s invokes its declared function with the expected auth",
    (key, route) => {
      const routeId = only(
        logicalIdsOf("AWS::ApiGatewayV2::Route").filter((id) => propsOf(id).RouteKey === key),
        `one route ${key}`,
      );
      expect(propsOf(routeId).AuthorizationType).toBe(PUBLIC_ROUTES.has(key) ? "NONE" : "AWS_IAM");
      const integrationId = flatten(propsOf(routeId).Target).replace("integrations/", "").slice(2, -1);
      expect(propsOf(integrationId)).toMatchObject({
        IntegrationType: "AWS_PROXY",
        PayloadFormatVersion: "2.0",
      });
      expect(flatten(propsOf(integrationId).IntegrationUri)).toBe(
        `\${${functionLogicalId(route.functionId)}.Arn}`,
      );
    },
  );

  it("the stage writes access logs", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp("requestId") },
    });
  });
});

describe("state machines", () => {
  it("one state machine per declaration", () => {
    template.resourceCountIs("AWS::StepFunctions::StateMachine", Object.keys(stateMachines).length);
  });

  it.each(entries(stateMachines))(
    "%s: name, type, inline ASL, substitutions, logging, tracing",
    (_id, machine) => {
      const machineId = only(
        logicalIdsOf("AWS::StepFunctions::StateMachine").filter(
          (id) => propsOf(id).StateMachineName === machine.name,
        ),
        `one state machine ${machine.name}`,
      );
      const props = propsOf(machineId);
      expect(props.StateMachineType).toBe(machine.type);

      const definition = flatten(props.DefinitionString);
      const asl = JSON.parse(readFileSync(fromRepoRoot(machine.definitionFile), "utf8"));
      const deployed = JSON.parse(definition);
      expect(Object.keys(deployed.States)).toEqual(Object.keys(asl.States));
      expect(deployed).toEqual(asl);

      const substitutionKeys = Object.keys(machine.substitutions).sort();
      const placeholders = [
        ...new Set([...definition.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1])),
      ].sort();
      expect(placeholders).toEqual(substitutionKeys);
      const substitutions = props.DefinitionSubstitutions as Record<string, unknown>;
      expect(Object.keys(substitutions).sort()).toEqual(substitutionKeys);
      for (const [key, ref] of Object.entries(machine.substitutions)) {
        expect(flatten(substitutions[key]), key).toBe(`\${${functionLogicalId(ref.functionArn)}.Arn}`);
      }

      // Express executions log failures only (cost); Standard ones everything (docs/costs.md).
      expect(props.LoggingConfiguration).toMatchObject({
        Level: machine.type === "EXPRESS" ? "ERROR" : "ALL",
        IncludeExecutionData: true,
      });
      expect(props.TracingConfiguration).toEqual({ Enabled: true });

      // The execution role may invoke exactly the substituted functions, unqualified.
      const role = flatten(props.RoleArn)
        .slice(2, -1)
        .replace(/\.Arn$/, "");
      const invoked = [
        ...new Set(
          Object.values(machine.substitutions).map((ref) => `\${${functionLogicalId(ref.functionArn)}.Arn}`),
        ),
      ].sort();
      expect(resourcesAllowing(statementsOfRole(role), "lambda:InvokeFunction")).toEqual(invoked);
    },
  );
});

describe("reservation holds", () => {
  it("are ended by a one-minute schedule, not by a state machine per hold", () => {
    const ruleId = only(
      logicalIdsOf("AWS::Events::Rule").filter((id) => propsOf(id).Name === "oms-reservation-holds"),
      "one rule oms-reservation-holds",
    );
    expect(propsOf(ruleId).ScheduleExpression).toBe("rate(1 minute)");
    const targets = propsOf(ruleId).Targets as { Arn: unknown }[];
    expect(targets.map((t) => flatten(t.Arn))).toEqual([
      `\${${functionLogicalId("scheduled-hold-expiry")}.Arn}`,
    ]);
    const machines = logicalIdsOf("AWS::StepFunctions::StateMachine").map((id) =>
      String(propsOf(id).StateMachineName),
    );
    expect(machines.filter((name) => name.includes("hold"))).toEqual([]);
    // The steps that start a hold write a table item; they start no execution for it.
    expect(resourcesAllowing(statementsOfFunction("record-order-failure"), "states:StartExecution")).toEqual(
      [],
    );
    expect(resourcesAllowing(statementsOfFunction("plan-approval"), "states:StartExecution")).toEqual([
      stateMachineArn(stateMachines["order-approval"].name),
    ]);
  });
});

describe("events", () => {
  it("the declared buses", () => {
    template.resourceCountIs("AWS::Events::EventBus", Object.keys(eventBuses).length);
    for (const bus of Object.values(eventBuses)) busLogicalId(bus.name);
  });

  it.each(rules.map((rule) => [rule.name, rule] as const))(
    "rule %s: its bus, the declared pattern, retried targets with a dead-letter queue",
    (_name, rule) => {
      const ruleId = only(
        logicalIdsOf("AWS::Events::Rule").filter((id) => propsOf(id).Name === rule.name),
        `one rule ${rule.name}`,
      );
      const props = propsOf(ruleId);
      expect(props.EventPattern).toEqual(rule.pattern);
      if (rule.bus === "default") expect(props.EventBusName).toBeUndefined();
      else expect(flatten(props.EventBusName)).toBe(`\${${busLogicalId(eventBuses[rule.bus].name)}}`);

      const targets = props.Targets as Record<string, unknown>[];
      expect(targets.map((target) => target.Id)).toEqual(rule.targets.map((target) => target.id));
      for (const [index, declared] of rule.targets.entries()) {
        const target = targets[index] as Record<string, unknown>;
        expect(flatten(target.Arn)).toBe(`\${${functionLogicalId(declared.functionId)}.Arn}`);
        expect(target.RetryPolicy).toMatchObject({
          MaximumRetryAttempts: expect.any(Number),
          MaximumEventAgeInSeconds: expect.any(Number),
        });
        const dlq = flatten((target.DeadLetterConfig as { Arn: unknown }).Arn)
          .slice(2, -1)
          .replace(/\.Arn$/, "");
        expect(resources[dlq]?.Type).toBe("AWS::SQS::Queue");
        // Handler errors of the asynchronous invocation land in the same queue.
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
          FunctionName: { Ref: functionLogicalId(declared.functionId) },
          DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [dlq, "Arn"] } } },
        });
      }
    },
  );

  it("one event source mapping per declared stream and queue consumer", () => {
    template.resourceCountIs(
      "AWS::Lambda::EventSourceMapping",
      streamConsumers.length + queueConsumers.length,
    );
  });

  it.each(queueConsumers.map((consumer) => [consumer.functionId, consumer] as const))(
    "queue consumer %s: its queue, batch, concurrency and partial batch failures",
    (functionId, consumer) => {
      const mappingId = only(
        logicalIdsOf("AWS::Lambda::EventSourceMapping").filter(
          (id) => flatten(propsOf(id).FunctionName) === `\${${functionLogicalId(functionId)}}`,
        ),
        `one mapping for ${functionId}`,
      );
      const queue = queues[consumer.queueId];
      expect(flatten(propsOf(mappingId).EventSourceArn)).toBe(`\${${queueLogicalId(queue.name)}.Arn}`);
      expect(propsOf(mappingId)).toMatchObject({
        BatchSize: consumer.batchSize,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: consumer.maxConcurrency },
      });
    },
  );

  it.each(entries(queues))(
    "queue %s: visibility, redrive to its DLQ, sends only from subscription rules",
    (_, queue) => {
      const props = propsOf(queueLogicalId(queue.name));
      expect(props.VisibilityTimeout).toBe(queue.visibilityTimeoutSeconds);
      expect(props.RedrivePolicy).toEqual({
        deadLetterTargetArn: { "Fn::GetAtt": [queueLogicalId(queue.deadLetterQueue.name), "Arn"] },
        maxReceiveCount: queue.deadLetterQueue.maxReceiveCount,
      });
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: queueLogicalId(queue.name) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Condition: {
                ArnLike: {
                  "aws:SourceArn": {
                    "Fn::Join": ["", Match.arrayWith([`:rule/${eventBuses.orders.name}/oms-sub-*`])],
                  },
                },
              },
            }),
          ]),
        },
      });
    },
  );

  it.each(streamConsumers.map((consumer) => [consumer.functionId, consumer] as const))(
    "stream consumer %s: the declared filter, batch, retries and failure handling",
    (functionId, consumer) => {
      const mappingId = only(
        logicalIdsOf("AWS::Lambda::EventSourceMapping").filter(
          (id) => flatten(propsOf(id).FunctionName) === `\${${functionLogicalId(functionId)}}`,
        ),
        `one mapping for ${functionId}`,
      );
      const props = propsOf(mappingId);
      expect(flatten(props.EventSourceArn)).toBe(`\${${tableLogicalId()}.StreamArn}`);
      const filters = (props.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
      expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([consumer.filter]);
      expect(props).toMatchObject({
        BatchSize: consumer.batchSize,
        MaximumRetryAttempts: consumer.maxRetryAttempts,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      const dlq = flatten(
        (props.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination,
      ).slice(2, -1);
      expect(resources[dlq.replace(/\.Arn$/, "")]?.Type).toBe("AWS::SQS::Queue");
    },
  );

  it("every dead-letter queue is encrypted and refuses non-TLS requests", () => {
    for (const queueId of logicalIdsOf("AWS::SQS::Queue")) {
      expect(propsOf(queueId).SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: Match.arrayWith([{ Ref: queueId }]),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          ]),
        },
      });
    }
  });
});

describe("table", () => {
  const design = tableDeclaration.design;

  it("keys, billing, stream, TTL, point-in-time recovery, retained", () => {
    const table = resources[tableLogicalId()] as CfnResource;
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: design.partitionKey, KeyType: "HASH" },
        { AttributeName: design.sortKey, KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamViewType: design.streamView },
      TimeToLiveSpecification: { AttributeName: design.timeToLiveAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
  });

  it("one GSI per declared index with its keys and INCLUDE projection", () => {
    const indexes = propsOf(tableLogicalId()).GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: unknown;
      Projection: { ProjectionType: string; NonKeyAttributes: string[] };
    }[];
    expect(indexes.map((index) => index.IndexName).sort()).toEqual(
      Object.values(design.indexes)
        .map((index) => index.indexName)
        .sort(),
    );
    for (const declared of Object.values(design.indexes)) {
      const index = indexes.find((candidate) => candidate.IndexName === declared.indexName);
      expect(index?.KeySchema).toEqual([
        { AttributeName: declared.partitionKey, KeyType: "HASH" },
        { AttributeName: declared.sortKey, KeyType: "RANGE" },
      ]);
      expect(index?.Projection.ProjectionType).toBe("INCLUDE");
      expect([...(index?.Projection.NonKeyAttributes ?? [])].sort()).toEqual([...declared.projection].sort());
    }
  });
});

const bucketLogicalId = () => only(logicalIdsOf("AWS::S3::Bucket"), "one bucket");

describe("documents bucket", () => {
  it("encrypted, no public access, owner-enforced, versioned, retained", () => {
    const bucket = resources[bucketLogicalId()];
    expect(bucket?.DeletionPolicy).toBe("Retain");
    expect(bucket?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      VersioningConfiguration: { Status: "Enabled" },
    });
  });

  it("refuses requests without TLS", () => {
    const policy = only(logicalIdsOf("AWS::S3::BucketPolicy"), "one bucket policy");
    const statements = (propsOf(policy).PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
  });

  it("the functions get the bucket's name", () => {
    for (const functionId of ["create-documents", "list-order-documents"] as FunctionId[]) {
      const env = (
        propsOf(functionLogicalId(functionId)).Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(flatten(env.DOCUMENT_BUCKET_NAME)).toBe(`\${${bucketLogicalId()}}`);
    }
  });
});

describe("IAM: each function gets exactly its declared access", () => {
  const tableArn = () => `\${${tableLogicalId()}.Arn}`;

  it("the capture function may start only the home-delivery state machine", () => {
    expect(resourcesAllowing(statementsOfFunction("capture-order"), "states:StartExecution")).toEqual([
      stateMachineArn(stateMachines["home-delivery"].name),
    ]);
  });

  it("the outbox publisher may put events only on the order bus", () => {
    expect(resourcesAllowing(statementsOfFunction("publish-order-events"), "events:PutEvents")).toEqual([
      `\${${busLogicalId(eventBuses.orders.name)}.Arn}`,
    ]);
  });

  it("only the subscription API manages rules, and only oms-sub-* rules of the order bus", () => {
    for (const [functionId, fn] of entries(functions)) {
      const allowed = resourcesAllowing(statementsOfFunction(functionId), "events:PutRule");
      expect(allowed, functionId).toEqual(
        fn.access.manageSubscriptionRules
          ? [
              `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${eventBuses.orders.name}/oms-sub-*`,
            ]
          : [],
      );
      // Among the declared queues (async-invoke failure destinations are the other queues a role may send to).
      const declared = new Set(Object.values(queues).map((q) => `\${${queueLogicalId(q.name)}.Arn}`));
      const sends = resourcesAllowing(statementsOfFunction(functionId), "sqs:SendMessage").filter((arn) =>
        declared.has(arn),
      );
      expect(sends, functionId).toEqual(
        (fn.access.sendMessages ?? []).map((q) => `\${${queueLogicalId(queues[q].name)}.Arn}`).sort(),
      );
    }
  });

  it.each(entries(functions))(
    "%s: StartExecution, PutEvents and table access as declared",
    (functionId, fn) => {
      const statements = statementsOfFunction(functionId);
      expect(resourcesAllowing(statements, "states:StartExecution")).toEqual(
        (fn.access.startExecution ?? [])
          .map((machine) => stateMachineArn(stateMachines[machine].name))
          .sort(),
      );
      expect(resourcesAllowing(statements, "events:PutEvents")).toEqual(
        (fn.access.putEvents ?? []).map((bus) => `\${${busLogicalId(eventBuses[bus].name)}.Arn}`).sort(),
      );

      const indexArns = Object.values(tableDeclaration.design.indexes).map(
        (index) => `${tableArn()}/index/${index.indexName}`,
      );
      const reads = resourcesAllowing(statements, "dynamodb:Query");
      const writes = resourcesAllowing(statements, "dynamodb:PutItem");
      expect(reads).toEqual(fn.access.table ? [tableArn(), ...indexArns].sort() : []);
      expect(writes).toEqual(fn.access.table === "readWrite" ? [tableArn()] : []);

      const documentKeys = `\${${bucketLogicalId()}.Arn}/orders/*`;
      expect(resourcesAllowing(statements, "s3:GetObject")).toEqual(
        fn.access.documents ? [documentKeys] : [],
      );
      expect(resourcesAllowing(statements, "s3:PutObject")).toEqual(
        fn.access.documents === "readWrite" ? [documentKeys] : [],
      );
    },
  );

  it("no statement allows a wildcard action, and Resource * only for actions without resource-level permissions", () => {
    const resourceless =
      /^(xray:|logs:(Create|Delete|Get|List|Update)LogDelivery|logs:(DescribeLogGroups|DescribeResourcePolicies|PutResourcePolicy|ListLogDeliveries)$|dynamodb:ListStreams$)/;
    for (const policyId of logicalIdsOf("AWS::IAM::Policy")) {
      for (const statement of (propsOf(policyId).PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of asArray(statement.Action)) expect(action, policyId).not.toContain("*");
        if (asArray(statement.Resource).includes("*")) {
          for (const action of asArray(statement.Action)) expect(action, policyId).toMatch(resourceless);
        }
      }
    }
  });
});

describe("cdk-nag AwsSolutions", () => {
  it("synthesis reports no unacknowledged finding (errors or warnings)", () => {
    const app = new App({ context: CONTEXT });
    const stack = new OmsStack(app, "Oms");
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it("the same check fails synthesis on an unacknowledged finding", () => {
    const app = new App({ context: CONTEXT });
    // A queue without dead-letter queue and without TLS enforcement: AwsSolutions-SQS3 and SQS4.
    new Queue(new Stack(app, "Bad"), "Queue");
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
  });
});
