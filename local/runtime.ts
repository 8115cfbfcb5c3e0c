// Boots the whole OMS on one machine from the app declaration: Amazon DynamoDB Local (or any DynamoDB
// endpoint), the local Step Functions and EventBridge services behind one AWS edge endpoint, the
// declared buses, rules and state machines (provisioned through the AWS APIs, as a deploy would), the
// same handler modules as "Lambda", the table-stream relay and the HTTP API.
import "./polyfills.ts";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-eventbridge";
import {
  CreateStateMachineCommand,
  ListStateMachinesCommand,
  SFNClient,
  StateMachineAlreadyExists,
  UpdateStateMachineCommand,
} from "@aws-sdk/client-sfn";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createTableInput } from "../adapters/dynamodb/table-definition.ts";
import { tableDesign } from "../adapters/dynamodb/table-design.ts";
import { executionArnOf } from "../adapters/workflow/execution-arn.ts";
import {
  eventBuses,
  functions,
  handlerEnvironment,
  type QueueConsumerDeclaration,
  type QueueId,
  queueConsumers,
  queues,
  routes,
  rules,
  type StateMachineId,
  schedules,
  stateMachines,
  streamConsumers,
  table,
} from "../app/app-declaration.ts";
import { close, createEdgeServer, listen } from "./aws-protocol/edge-server.ts";
import { type DynamoDbLocalHandle, startDynamoDbLocal } from "./dynamodb/dynamodb-local.ts";
import { LocalEventBridge } from "./eventbridge/event-bridge-service.ts";
import { startSchedules } from "./eventbridge/schedules.ts";
import { FunctionRuntime } from "./functions/function-runtime.ts";
import { LOCAL_ACCOUNT, LOCAL_REGION, lambdaArn } from "./functions/lambda-invoker.ts";
import { createHttpApiServer } from "./http-api/http-api-server.ts";
import { startLocationSimulator } from "./location-simulator.ts";
import { DEMO_CHANNEL, isDemoSeeded, SIMULATED_LOCATIONS, seedDemo } from "./seed/demo-seed.ts";
import { QueuePoller } from "./sqs/queue-poller.ts";
import { LocalSqs } from "./sqs/sqs-service.ts";
import { LocalStepFunctions } from "./stepfunctions/step-functions-service.ts";
import { StreamRelay } from "./streams/stream-relay.ts";

export interface RuntimeOptions {
  /** Repository root: handler modules and ASL files are resolved from here. */
  rootDir?: string;
  /** Where orders, executions and events persist; undefined keeps everything in memory. */
  dataDir?: string;
  /** HTTP API port (0 = any free port). */
  httpPort?: number;
  /** AWS edge port (0 = any free port). */
  awsPort?: number;
  host?: string;
  /** Use this DynamoDB (DynamoDB Local started elsewhere, or AWS) instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  tableName?: string;
  seedDemo?: boolean;
  /** Multiplies Retry intervals of the state machines (tests: 0.01). */
  retryIntervalScale?: number;
  /** Backoff base of EventBridge target retries, ms. */
  eventRetryBaseDelayMs?: number;
  streamPollIntervalMs?: number;
  quiet?: boolean;
  /** Sees every AWS request at the edge (target, body): the benchmark's meter. */
  observer?: (target: string, body: string) => void;
  /** Runs the demo's simulated location systems (seedDemo only); default: OMS_SIMULATE_LOCATIONS != false. */
  simulateLocations?: boolean;
  /** Runs the declared schedules (the routing wave) on their timers; default true. */
  runSchedules?: boolean;
}

export interface Runtime {
  httpUrl: string;
  awsEndpoint: string;
  dynamodbEndpoint: string;
  dataDir: string | undefined;
  tableName: string;
  /** Where order documents' files are kept: `<dataDir>/documents`, or a temporary folder per table. */
  documentsDir: string;
  functions: FunctionRuntime;
  stepFunctions: LocalStepFunctions;
  eventBridge: LocalEventBridge;
  sqs: LocalSqs;
  relay: StreamRelay;
  /** The queue consumers the local event-source mapping polls (as declared). */
  queueConsumers: QueueConsumerDeclaration[];
  /** The routes the HTTP API serves, as API Gateway route keys with their functions. */
  routes: { routeKey: string; functionId: string }[];
  stateMachineArn(id: StateMachineId): string;
  /** The ARN of the execution named `name` (an order id) of a declared state machine. */
  executionArn(id: StateMachineId, name: string): string;
  stop(): Promise<void>;
}

const DUMMY_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export function localStateMachineArn(id: StateMachineId): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${stateMachines[id].name}`;
}

/** Replaces `${Name}` placeholders as CloudFormation's DefinitionSubstitutions do. */
export function substitute(definition: string, values: Record<string, string>): string {
  return definition.replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const rootDir = resolve(options.rootDir ?? process.cwd());
  const host = options.host ?? "127.0.0.1";
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const tableName = options.tableName ?? table.name;
  const log = options.quiet ? () => undefined : (message: string) => console.log(message);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error("stop:", (error as Error).message);
      }
    }
  };

  try {
    // 1. DynamoDB: DynamoDB Local under the data folder, unless an endpoint is given.
    let ddbHandle: DynamoDbLocalHandle | undefined;
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      ddbHandle = await startDynamoDbLocal(dataDir ? { dbPath: join(dataDir, "dynamodb") } : {});
      stops.push(() => ddbHandle?.stop() ?? Promise.resolve());
      dynamodbEndpoint = ddbHandle.endpoint;
    }
    const awsConfig = { region: LOCAL_REGION, credentials: DUMMY_CREDENTIALS };
    const ddb = new DynamoDBClient({ ...awsConfig, endpoint: dynamodbEndpoint });
    await ensureTable(ddb, tableName);

    // 2. The local AWS services behind one edge endpoint.
    const fnRuntime = new FunctionRuntime(rootDir, functions);
    const sqs = new LocalSqs(dataDir ? { dataDir } : {});
    const eventBridge = new LocalEventBridge({
      dataDir,
      invoker: fnRuntime,
      queues: sqs,
      retryBaseDelayMs: options.eventRetryBaseDelayMs ?? 1000,
    });
    const stepFunctions = new LocalStepFunctions({
      dataDir,
      invoker: fnRuntime,
      events: eventBridge,
      dynamodb: ddb,
      retryIntervalScale: options.retryIntervalScale ?? 1,
    });
    const edge: Server = createEdgeServer({
      services: [stepFunctions, eventBridge, sqs],
      dynamodbEndpoint,
      ...(options.observer ? { observer: options.observer } : {}),
      localAdmin: {
        // EventBridge target deliveries that exhausted their retries, and their redelivery.
        "GET /_local/eventbridge/dead-letters": async (q) => ({
          deadLetters: eventBridge.listDeadLetters(deadLetterFilter(q)),
        }),
        "POST /_local/eventbridge/dead-letters/redrive": async (q) => ({
          redriven: await eventBridge.redriveDeadLetters(deadLetterFilter(q)),
        }),
      },
    });
    const awsPort = await listen(edge, options.awsPort ?? 4566, host);
    stops.push(() => close(edge));
    const awsEndpoint = `http://${host}:${awsPort}`;
    sqs.setEndpoint(awsEndpoint);

    // 3. The handlers' environment: same variable names as on AWS, local endpoints; documents in a folder
    // (S3 on AWS).
    const documentsDir = dataDir ? join(dataDir, "documents") : join(tmpdir(), `oms-documents-${tableName}`);
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? DUMMY_CREDENTIALS.secretAccessKey,
      // Handlers reach DynamoDB through the edge too: one place sees (and can meter) all AWS traffic.
      AWS_ENDPOINT_URL_DYNAMODB: awsEndpoint,
      AWS_ENDPOINT_URL_SFN: awsEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: awsEndpoint,
      AWS_ENDPOINT_URL_SQS: awsEndpoint,
      // Merchant webhooks on one machine listen on plain http (loopback); on AWS they must be https.
      WEBHOOK_ALLOW_HTTP: process.env.WEBHOOK_ALLOW_HTTP ?? "true",
      ...handlerEnvironment({
        tableName,
        eventBusName: eventBuses.orders.name,
        stateMachineArns: Object.fromEntries(
          (Object.keys(stateMachines) as StateMachineId[]).map((id) => [id, localStateMachineArn(id)]),
        ) as Record<StateMachineId, string>,
        queues: Object.fromEntries(
          (Object.keys(queues) as QueueId[]).map((id) => [
            id,
            { url: sqs.queueUrlOf(queues[id].name), arn: sqs.queueArnOf(queues[id].name) },
          ]),
        ) as Record<QueueId, { url: string; arn: string }>,
        documents: { directory: documentsDir },
      }),
    });

    // 4. Provision the declared queues, buses, rules and state machines through the AWS APIs.
    await sqs.start();
    stops.push(() => sqs.stop());
    await eventBridge.start();
    stops.push(() => eventBridge.stop());
    const edgeConfig = { ...awsConfig, endpoint: awsEndpoint };
    await provisionQueues(new SQSClient(edgeConfig), sqs);
    await provisionEvents(new EventBridgeClient(edgeConfig));
    await provisionSchedules(new EventBridgeClient(edgeConfig));
    await provisionStateMachines(new SFNClient(edgeConfig), rootDir);
    await fnRuntime.warmUp();

    // 5. Resume executions a previous run left in flight, then start relaying the table stream.
    await stepFunctions.start();
    stops.push(() => stepFunctions.stop());
    const relay = new StreamRelay({
      dynamodb: ddb,
      streams: new DynamoDBStreamsClient({
        ...awsConfig,
        endpoint: awsEndpoint,
      }) /* via the edge: metered like the rest */,
      tableName,
      consumers: streamConsumers,
      invoker: fnRuntime,
      ...(dataDir ? { checkpointFile: join(dataDir, "streams", "checkpoints.json") } : {}),
      pollIntervalMs: options.streamPollIntervalMs ?? 50,
    });
    await relay.start();
    stops.push(() => relay.stop());
    const poller = new QueuePoller({
      sqs,
      invoker: fnRuntime,
      consumers: queueConsumers.map((declaration) => ({
        declaration,
        queueName: queues[declaration.queueId].name,
      })),
      onError: (message, error) => log(`${message}: ${(error as Error).message}`),
    });
    poller.start();
    stops.push(() => poller.stop());

    // 6. Demo configuration on first start.
    const doc = DynamoDBDocumentClient.from(ddb);
    if (options.seedDemo) {
      // Checks the inventory model's location directory, so a data folder from before it is seeded again.
      if (!(await isDemoSeeded(doc, tableName))) {
        await seedDemo(doc, tableName);
        log(`seeded the demo configuration (channel ${DEMO_CHANNEL.channelId})`);
      }
    }

    // The declared schedules (their rules were provisioned above, like on AWS) run on local timers.
    if (options.runSchedules ?? true) {
      const stopSchedules = startSchedules(schedules, fnRuntime, {
        account: LOCAL_ACCOUNT,
        region: LOCAL_REGION,
        onError: (name, error) => console.error(`schedule ${name}:`, (error as Error).message),
      });
      stops.push(async () => stopSchedules());
    }

    // 7. The HTTP API last: once it listens, everything behind it is ready.
    const http = createHttpApiServer({ routes, invoker: fnRuntime });
    const httpPort = await listen(http, options.httpPort ?? 3000, host);
    stops.push(() => close(http));

    // 8. The demo's simulated location systems accept what is submitted to them (through the API).
    if (options.seedDemo && (options.simulateLocations ?? process.env.OMS_SIMULATE_LOCATIONS !== "false")) {
      const stopSimulator = startLocationSimulator({
        httpUrl: `http://${host}:${httpPort}`,
        locationIds: SIMULATED_LOCATIONS,
        onError: (message) => log(`simulated location system: ${message}`),
      });
      // Stops before the HTTP API does (stops run in reverse order).
      stops.push(stopSimulator);
    }

    return {
      httpUrl: `http://${host}:${httpPort}`,
      awsEndpoint,
      dynamodbEndpoint,
      dataDir,
      tableName,
      documentsDir,
      functions: fnRuntime,
      stepFunctions,
      eventBridge,
      sqs,
      relay,
      queueConsumers,
      routes: routes.map((r) => ({ routeKey: `${r.method} ${r.path}`, functionId: r.functionId })),
      stateMachineArn: localStateMachineArn,
      executionArn: (id, name) => executionArnOf(localStateMachineArn(id), name),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function ensureTable(ddb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    await addMissingIndexes(ddb, tableName, new Set(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)));
    return;
  } catch (error) {
    if ((error as Error).name !== "ResourceNotFoundException") throw error;
  }
  await ddb.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists(
    { client: ddb, maxWaitTime: 30, minDelay: 0.2, maxDelay: 1 },
    { TableName: tableName },
  );
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: tableDesign.timeToLiveAttribute, Enabled: true },
    }),
  );
}

/** A data folder from before an index was declared gets it (DynamoDB backfills it from the items). */
async function addMissingIndexes(ddb: DynamoDBClient, tableName: string, existing: Set<string | undefined>) {
  const input = createTableInput(tableName);
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName)) continue;
    const keyNames = new Set(index.KeySchema?.map((k) => k.AttributeName));
    await ddb.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: input.AttributeDefinitions?.filter((a) => keyNames.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}

async function provisionQueues(client: SQSClient, sqs: LocalSqs): Promise<void> {
  for (const queue of Object.values(queues)) {
    await client.send(new CreateQueueCommand({ QueueName: queue.deadLetterQueue.name }));
    await client.send(
      new CreateQueueCommand({
        QueueName: queue.name,
        Attributes: {
          VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: sqs.queueArnOf(queue.deadLetterQueue.name),
            maxReceiveCount: queue.deadLetterQueue.maxReceiveCount,
          }),
        },
      }),
    );
  }
}

async function provisionEvents(client: EventBridgeClient): Promise<void> {
  for (const bus of Object.values(eventBuses)) {
    try {
      await client.send(new CreateEventBusCommand({ Name: bus.name }));
    } catch (error) {
      if (!(error instanceof ResourceAlreadyExistsException)) throw error;
    }
  }
  for (const rule of rules) {
    const busName = rule.bus === "default" ? "default" : eventBuses[rule.bus].name;
    await client.send(
      new PutRuleCommand({
        Name: rule.name,
        EventBusName: busName,
        Description: rule.description,
        EventPattern: JSON.stringify(rule.pattern),
        State: "ENABLED",
      }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: rule.name,
        EventBusName: busName,
        Targets: rule.targets.map((t) => ({ Id: t.id, Arn: lambdaArn(t.functionId) })),
      }),
    );
  }
}

/** Schedule rules on the default bus with their function targets (the local timers run them). */
async function provisionSchedules(client: EventBridgeClient): Promise<void> {
  for (const schedule of schedules) {
    await client.send(
      new PutRuleCommand({
        Name: schedule.name,
        EventBusName: "default",
        Description: schedule.description,
        ScheduleExpression: schedule.expression,
        State: "ENABLED",
      }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: schedule.name,
        EventBusName: "default",
        Targets: [{ Id: schedule.functionId, Arn: lambdaArn(schedule.functionId) }],
      }),
    );
  }
}

async function provisionStateMachines(client: SFNClient, rootDir: string): Promise<void> {
  const existing = await client.send(new ListStateMachinesCommand({}));
  for (const [id, machine] of Object.entries(stateMachines) as [
    StateMachineId,
    (typeof stateMachines)[StateMachineId],
  ][]) {
    const values = Object.fromEntries(
      Object.entries(machine.substitutions).map(([key, ref]) => [key, lambdaArn(ref.functionArn)]),
    );
    const definition = substitute(readFileSync(join(rootDir, machine.definitionFile), "utf8"), values);
    const arn = localStateMachineArn(id);
    const roleArn = `arn:aws:iam::${LOCAL_ACCOUNT}:role/${machine.name}`;
    if (existing.stateMachines?.some((m) => m.stateMachineArn === arn)) {
      await client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition, roleArn }));
      continue;
    }
    try {
      await client.send(
        new CreateStateMachineCommand({ name: machine.name, definition, roleArn, type: machine.type }),
      );
    } catch (error) {
      if (!(error instanceof StateMachineAlreadyExists)) throw error;
    }
  }
}

/** ?ruleName=&targetId=&id= query parameters of the local dead-letter endpoints. */
function deadLetterFilter(q: URLSearchParams) {
  const ruleName = q.get("ruleName") ?? undefined;
  const targetId = q.get("targetId") ?? undefined;
  const ids = q.getAll("id");
  return {
    ...(ruleName ? { ruleName } : {}),
    ...(targetId ? { targetId } : {}),
    ...(ids.length > 0 ? { ids } : {}),
  };
}
