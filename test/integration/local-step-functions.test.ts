// The local Step Functions through the real AWS SDK over HTTP: API shapes and errors, CDK-style Lambda
// tasks with Retry/Catch, redrive, history, task tokens, stop, timeouts, service integrations (a recording
// EventBridge double, the real DynamoDB Local), Map/Parallel, and resuming executions after a restart.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateStateMachineCommand,
  type CreateStateMachineCommandInput,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  paginateGetExecutionHistory,
  paginateListExecutions,
  paginateListStateMachines,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AwsJsonService } from "../../local/aws-protocol/aws-json-service.ts";
import { close, createEdgeServer, listen } from "../../local/aws-protocol/edge-server.ts";
import { LOCAL_ACCOUNT, lambdaArn, MapLambdaInvoker } from "../../local/functions/lambda-invoker.ts";
import { LocalStepFunctions } from "../../local/stepfunctions/step-functions-service.ts";

// The SDK's Node-version notice, silenced by its own switch (as test/support/test-runtime.ts does).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ROLE = `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-sfn-test`;
const credentials = { accessKeyId: "x", secretAccessKey: "x" };

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A fake neighbour: the local EventBridge's PutEvents, recording what it receives. */
class RecordingEvents implements AwsJsonService {
  readonly targetPrefix = "AWSEvents";
  readonly jsonVersion = "1.1" as const;
  readonly entries: Record<string, unknown>[] = [];
  /** Events AWS services emit themselves (source aws.*), which PutEvents would refuse. */
  readonly serviceEntries: { Source: string; DetailType: string; Detail: string; Resources: string[] }[] = [];
  async putServiceEvents(
    entries: { Source: string; DetailType: string; Detail: string; Resources: string[] }[],
  ) {
    this.serviceEntries.push(...entries);
  }
  statusChanges(executionArn: string): Record<string, unknown>[] {
    return this.serviceEntries
      .filter((e) => e.Source === "aws.states" && e.DetailType === "Step Functions Execution Status Change")
      .map((e) => JSON.parse(e.Detail) as Record<string, unknown>)
      .filter((detail) => detail["executionArn"] === executionArn);
  }
  async handle(operation: string, input: Record<string, unknown>) {
    if (operation !== "PutEvents") throw new Error(`unexpected ${operation}`);
    const entries = input["Entries"] as Record<string, unknown>[];
    this.entries.push(...entries);
    return { Entries: entries.map(() => ({ EventId: crypto.randomUUID() })), FailedEntryCount: 0 };
  }
}

interface Harness {
  sfn: LocalStepFunctions;
  client: SFNClient;
  shutdown(): Promise<void>;
}

async function serve(sfn: LocalStepFunctions): Promise<Harness> {
  const server = createEdgeServer({ services: [sfn] });
  const port = await listen(server, 0);
  const client = new SFNClient({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", credentials });
  await sfn.start();
  return {
    sfn,
    client,
    shutdown: async () => {
      client.destroy();
      await close(server);
      await sfn.stop();
    },
  };
}

/** A Task as CDK's LambdaInvoke emits it (with its default Retry on Lambda service errors). */
function lambdaTask(functionName: string, extra: Record<string, unknown> = {}) {
  return {
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: lambdaArn(functionName), "Payload.$": "$" },
    OutputPath: "$.Payload",
    Retry: [
      {
        ErrorEquals: [
          "Lambda.ClientExecutionTimeoutException",
          "Lambda.ServiceException",
          "Lambda.AWSLambdaException",
          "Lambda.SdkClientException",
        ],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
      },
    ],
    ...extra,
  };
}

/** A callback task: invokes `functionName` with the token and waits for SendTask*. */
function callbackTask(functionName: string, extra: Record<string, unknown> = {}) {
  return {
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
    Parameters: { FunctionName: functionName, Payload: { "token.$": "$$.Task.Token", "input.$": "$" } },
    ...extra,
  };
}

async function createMachine(
  client: SFNClient,
  definition: object,
  options: Partial<CreateStateMachineCommandInput> = {},
): Promise<string> {
  const out = await client.send(
    new CreateStateMachineCommand({
      name: unique("sm"),
      definition: JSON.stringify(definition),
      roleArn: ROLE,
      ...options,
    }),
  );
  return out.stateMachineArn ?? "";
}

async function start(client: SFNClient, stateMachineArn: string, input: unknown = {}, name?: string) {
  const out = await client.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) }),
  );
  return out.executionArn ?? "";
}

const describeExecution = (
  client: SFNClient,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput> => client.send(new DescribeExecutionCommand({ executionArn }));

async function runToEnd(h: Harness, stateMachineArn: string, input: unknown = {}) {
  const executionArn = await start(h.client, stateMachineArn, input);
  await h.sfn.whenIdle();
  return describeExecution(h.client, executionArn);
}

async function historyOf(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client, pageSize: 7 }, { executionArn })) {
    events.push(...(page.events ?? []));
  }
  return events;
}

const types = (events: HistoryEvent[]) => events.map((e) => e.type);

/** Registers a callback function that records the task tokens it receives; `next()` yields them in order. */
function tokenCatcher(invoker: MapLambdaInvoker, name: string) {
  const tokens: string[] = [];
  let taken = 0;
  let notify: (() => void) | undefined;
  invoker.register(name, (payload) => {
    tokens.push((payload as { token: string }).token);
    notify?.();
    return { accepted: true };
  });
  return {
    tokens,
    next: async (): Promise<string> => {
      while (tokens.length <= taken) await new Promise<void>((resolve) => (notify = resolve));
      taken++;
      return tokens[taken - 1] ?? "";
    },
  };
}

describe("local Step Functions over the AWS SDK", () => {
  const invoker = new MapLambdaInvoker();
  const events = new RecordingEvents();
  const dynamodb = new DynamoDBClient({
    endpoint: inject("dynamodbEndpoint"),
    region: "us-east-1",
    credentials,
  });
  let h: Harness;

  beforeAll(async () => {
    h = await serve(new LocalStepFunctions({ invoker, events, dynamodb, retryIntervalScale: 0.001 }));
  });
  afterAll(async () => {
    await h.shutdown();
    dynamodb.destroy();
  });

  describe("state machines", () => {
    it("creates, describes, updates and lists them; the paginator terminates", async () => {
      const definition = { StartAt: "P", States: { P: { Type: "Pass", End: true } } };
      const arns = [
        await createMachine(h.client, definition),
        await createMachine(h.client, definition, { type: "EXPRESS" }),
        await createMachine(h.client, definition),
      ];
      const described = await h.client.send(new DescribeStateMachineCommand({ stateMachineArn: arns[1] }));
      expect(described).toMatchObject({
        stateMachineArn: arns[1],
        status: "ACTIVE",
        type: "EXPRESS",
        roleArn: ROLE,
      });
      expect(JSON.parse(described.definition ?? "")).toEqual(definition);
      expect(Math.abs((described.creationDate?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);

      const listed: string[] = [];
      for await (const page of paginateListStateMachines({ client: h.client, pageSize: 1 }, {})) {
        listed.push(...(page.stateMachines ?? []).map((m) => m.stateMachineArn ?? ""));
      }
      expect(listed).toEqual(expect.arrayContaining(arns));
      expect(new Set(listed).size).toBe(listed.length);

      const updated = { StartAt: "Q", States: { Q: { Type: "Pass", Result: 1, End: true } } };
      await h.client.send(
        new UpdateStateMachineCommand({ stateMachineArn: arns[0], definition: JSON.stringify(updated) }),
      );
      const after = await h.client.send(new DescribeStateMachineCommand({ stateMachineArn: arns[0] }));
      expect(JSON.parse(after.definition ?? "")).toEqual(updated);

      await h.client.send(new DeleteStateMachineCommand({ stateMachineArn: arns[2] }));
      await expect(
        h.client.send(new DescribeStateMachineCommand({ stateMachineArn: arns[2] })),
      ).rejects.toMatchObject({
        name: "StateMachineDoesNotExist",
      });
    });

    it("is idempotent for the same name and definition, and refuses a different one", async () => {
      const name = unique("idem");
      const definition = { StartAt: "P", States: { P: { Type: "Pass", End: true } } };
      const first = await createMachine(h.client, definition, { name });
      expect(await createMachine(h.client, definition, { name })).toBe(first);
      await expect(
        createMachine(h.client, { StartAt: "X", States: { X: { Type: "Succeed" } } }, { name }),
      ).rejects.toMatchObject({ name: "StateMachineAlreadyExists" });
    });

    it("rejects invalid definitions, names, ARNs and missing parameters with AWS's error types", async () => {
      const reject = (definition: string) =>
        h.client.send(new CreateStateMachineCommand({ name: unique("bad"), definition, roleArn: ROLE }));
      await expect(reject("{not json")).rejects.toMatchObject({ name: "InvalidDefinition" });
      await expect(
        reject(
          JSON.stringify({
            StartAt: "A",
            States: { A: { Type: "Pass", End: true }, B: { Type: "Pass", End: true } },
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidDefinition" });
      await expect(
        reject(
          JSON.stringify({
            QueryLanguage: "JSONata",
            StartAt: "A",
            States: { A: { Type: "Pass", End: true } },
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidDefinition", message: expect.stringContaining("JSONata") });
      await expect(
        createMachine(
          h.client,
          { StartAt: "P", States: { P: { Type: "Pass", End: true } } },
          { name: "has space" },
        ),
      ).rejects.toMatchObject({ name: "InvalidName" });
      await expect(
        h.client.send(
          new DescribeStateMachineCommand({ stateMachineArn: "arn:aws:states:us-east-1:1:nope" }),
        ),
      ).rejects.toMatchObject({ name: "InvalidArn" });
      await expect(
        h.client.send(new CreateStateMachineCommand({} as CreateStateMachineCommandInput)),
      ).rejects.toMatchObject({ name: "ValidationException" });
    });
  });

  describe("executions", () => {
    it("runs to SUCCEEDED with the output, passing the context object", async () => {
      invoker.register("greet", (p) => ({ greeting: `hello ${(p as { who: string }).who}` }));
      const machine = await createMachine(h.client, {
        StartAt: "Prepare",
        States: {
          Prepare: {
            Type: "Pass",
            Parameters: { "who.$": "$.name", "execution.$": "$$.Execution.Name", "state.$": "$$.State.Name" },
            Next: "Greet",
          },
          Greet: lambdaTask("greet", {
            ResultSelector: { "greeting.$": "$.Payload.greeting" },
            ResultPath: "$.result",
            OutputPath: "$",
            End: true,
          }),
        },
      });
      const executionArn = await start(h.client, machine, { name: "Ada" }, "exec-context");
      await h.sfn.whenIdle();
      const execution = await describeExecution(h.client, executionArn);
      expect(execution.status).toBe("SUCCEEDED");
      expect(JSON.parse(execution.output ?? "")).toEqual({
        who: "Ada",
        execution: "exec-context",
        state: "Prepare",
        result: { greeting: "hello Ada" },
      });
      expect(execution.stopDate?.getTime()).toBeGreaterThanOrEqual(execution.startDate?.getTime() ?? 0);
      expect(execution).toMatchObject({ redriveCount: 0, redriveStatus: "NOT_REDRIVABLE" });
    });

    it("is idempotent on name + input while running, and refuses other reuse of a name", async () => {
      const fn = unique("hold");
      const catcher = tokenCatcher(invoker, fn);
      const machine = await createMachine(h.client, {
        StartAt: "Hold",
        States: { Hold: callbackTask(fn, { End: true }) },
      });
      const name = unique("run");
      const first = await start(h.client, machine, { a: 1 }, name);
      expect(await start(h.client, machine, { a: 1 }, name)).toBe(first);
      await expect(start(h.client, machine, { a: 2 }, name)).rejects.toMatchObject({
        name: "ExecutionAlreadyExists",
      });
      await h.client.send(new SendTaskSuccessCommand({ taskToken: await catcher.next(), output: "{}" }));
      await h.sfn.whenIdle();
      await expect(start(h.client, machine, { a: 1 }, name)).rejects.toMatchObject({
        name: "ExecutionAlreadyExists",
      });
      await expect(
        h.client.send(new StartExecutionCommand({ stateMachineArn: machine, input: "{oops" })),
      ).rejects.toMatchObject({ name: "InvalidExecutionInput" });
    });

    it("retries a custom error name in a CDK-style Lambda task, and the history shows the retry", async () => {
      let calls = 0;
      const fn = unique("flaky");
      invoker.register(fn, () => {
        calls++;
        if (calls === 1) throw new NamedError("OutOfStock", "sku-1 is out of stock");
        return { reserved: true };
      });
      const task = lambdaTask(fn, { End: true });
      task.Retry.unshift({ ErrorEquals: ["OutOfStock"], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 2 });
      const machine = await createMachine(h.client, { StartAt: "Reserve", States: { Reserve: task } });
      const started = Date.now();
      const execution = await runToEnd(h, machine, { sku: "sku-1" });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(execution.status).toBe("SUCCEEDED");
      expect(JSON.parse(execution.output ?? "")).toEqual({ reserved: true });
      expect(calls).toBe(2);
      const history = await historyOf(h.client, execution.executionArn ?? "");
      expect(types(history)).toEqual([
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
      ]);
      const failed = history.find((e) => e.type === "TaskFailed")?.taskFailedEventDetails;
      expect(failed).toMatchObject({ resourceType: "lambda", resource: "invoke", error: "OutOfStock" });
      expect(JSON.parse(failed?.cause ?? "")).toMatchObject({
        errorType: "OutOfStock",
        errorMessage: "sku-1 is out of stock",
      });
      const scheduled = history.find((e) => e.type === "TaskScheduled")?.taskScheduledEventDetails;
      expect(JSON.parse(scheduled?.parameters ?? "")).toEqual({
        FunctionName: lambdaArn(fn),
        Payload: { sku: "sku-1" },
      });
    });

    it("routes a custom error name to a Catch handler with Lambda's JSON cause", async () => {
      const fn = unique("declines");
      invoker.register(fn, () => {
        throw new NamedError("PaymentDeclined", "card expired");
      });
      const machine = await createMachine(h.client, {
        StartAt: "Charge",
        States: {
          Charge: lambdaTask(fn, {
            Catch: [{ ErrorEquals: ["PaymentDeclined"], ResultPath: "$.error", Next: "Compensate" }],
            End: true,
          }),
          Compensate: { Type: "Pass", End: true },
        },
      });
      const execution = await runToEnd(h, machine, { order: 7 });
      expect(execution.status).toBe("SUCCEEDED");
      const output = JSON.parse(execution.output ?? "");
      expect(output).toMatchObject({ order: 7, error: { Error: "PaymentDeclined" } });
      expect(JSON.parse(output.error.Cause)).toMatchObject({ errorMessage: "card expired" });
    });

    it("fails with error and cause, then a redrive after the fix resumes at the failed state", async () => {
      const first = unique("first");
      const second = unique("second");
      const calls = { first: 0, second: 0 };
      let fixed = false;
      invoker.register(first, (p) => {
        calls.first++;
        return { ...(p as object), first: true };
      });
      invoker.register(second, (p) => {
        calls.second++;
        if (!fixed) throw new NamedError("CarrierUnavailable", "no carrier");
        return { ...(p as object), second: true };
      });
      const machine = await createMachine(h.client, {
        StartAt: "First",
        States: {
          First: lambdaTask(first, { Next: "Second" }),
          Second: lambdaTask(second, { Next: "Done" }),
          Done: { Type: "Pass", End: true },
        },
      });
      const failed = await runToEnd(h, machine, { id: 1 });
      expect(failed).toMatchObject({
        status: "FAILED",
        error: "CarrierUnavailable",
        redriveStatus: "REDRIVABLE",
      });
      expect(JSON.parse(failed.cause ?? "")).toMatchObject({ errorMessage: "no carrier" });

      fixed = true;
      const executionArn = failed.executionArn ?? "";
      const redrive = await h.client.send(new RedriveExecutionCommand({ executionArn }));
      expect(redrive.redriveDate).toBeInstanceOf(Date);
      await h.sfn.whenIdle();
      const done = await describeExecution(h.client, executionArn);
      expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
      expect(JSON.parse(done.output ?? "")).toEqual({ id: 1, first: true, second: true });
      expect(calls).toEqual({ first: 1, second: 2 });
      const history = types(await historyOf(h.client, executionArn));
      expect(history).toContain("ExecutionRedriven");
      expect(history.indexOf("ExecutionFailed")).toBeLessThan(history.indexOf("ExecutionRedriven"));
      expect(history.at(-1)).toBe("ExecutionSucceeded");
      await expect(h.client.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({
        name: "ExecutionNotRedrivable",
      });
      // AWS's "Step Functions Execution Status Change" events, as rules on the default bus see them.
      const changes = events.statusChanges(executionArn);
      expect(changes.map((c) => [c["status"], c["redriveCount"]])).toEqual([
        ["RUNNING", 0],
        ["FAILED", 0],
        ["RUNNING", 1],
        ["SUCCEEDED", 1],
      ]);
      expect(changes[1]).toMatchObject({
        stateMachineArn: machine,
        error: "CarrierUnavailable",
        redriveStatus: "REDRIVABLE",
        startDate: expect.any(Number),
        stopDate: expect.any(Number),
      });
    });

    it("reports a Fail state's Error and Cause, and neither when it has none", async () => {
      const failWith = await createMachine(h.client, {
        StartAt: "F",
        States: { F: { Type: "Fail", Error: "OrderRejected", Cause: "no stock" } },
      });
      expect(await runToEnd(h, failWith)).toMatchObject({
        status: "FAILED",
        error: "OrderRejected",
        cause: "no stock",
      });
      const bare = await runToEnd(
        h,
        await createMachine(h.client, { StartAt: "F", States: { F: { Type: "Fail" } } }),
      );
      expect(bare.status).toBe("FAILED");
      expect(bare.error).toBeUndefined();
      expect(bare.cause).toBeUndefined();
    });

    it("redrives a failure inside a Parallel by running the whole Parallel state again", async () => {
      const ok = unique("branch-ok");
      const flaky = unique("branch-flaky");
      const calls = { ok: 0, flaky: 0 };
      invoker.register(ok, () => ++calls.ok);
      invoker.register(flaky, () => {
        calls.flaky++;
        if (calls.flaky === 1) throw new NamedError("Glitch", "first time");
        return "fine";
      });
      const machine = await createMachine(h.client, {
        StartAt: "Both",
        States: {
          Both: {
            Type: "Parallel",
            Branches: [
              { StartAt: "Ok", States: { Ok: lambdaTask(ok, { End: true }) } },
              { StartAt: "Flaky", States: { Flaky: lambdaTask(flaky, { End: true }) } },
            ],
            End: true,
          },
        },
      });
      const failed = await runToEnd(h, machine);
      expect(failed).toMatchObject({ status: "FAILED", error: "Glitch" });
      await h.client.send(new RedriveExecutionCommand({ executionArn: failed.executionArn }));
      await h.sfn.whenIdle();
      const done = await describeExecution(h.client, failed.executionArn ?? "");
      expect(done.status).toBe("SUCCEEDED");
      expect(JSON.parse(done.output ?? "")).toEqual([2, "fine"]);
      expect(calls).toEqual({ ok: 2, flaky: 2 });
    });

    it("lists executions newest first with a status filter and paging", async () => {
      const machine = await createMachine(h.client, {
        StartAt: "P",
        States: { P: { Type: "Pass", End: true } },
      });
      const arns = [
        await start(h.client, machine),
        await start(h.client, machine),
        await start(h.client, machine),
      ];
      await h.sfn.whenIdle();
      const listed: string[] = [];
      for await (const page of paginateListExecutions(
        { client: h.client, pageSize: 2 },
        { stateMachineArn: machine, statusFilter: "SUCCEEDED" },
      )) {
        listed.push(...(page.executions ?? []).map((e) => e.executionArn ?? ""));
      }
      expect(listed).toEqual([...arns].reverse());
      const running = await h.client.send(
        new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: "RUNNING" }),
      );
      expect(running.executions).toEqual([]);
      expect(running.nextToken).toBeUndefined();
    });

    it("records each state's input and output; history pages, reverses and hides data on request", async () => {
      const machine = await createMachine(h.client, {
        StartAt: "A",
        States: {
          A: { Type: "Pass", Result: { step: "a" }, ResultPath: "$.a", Next: "B" },
          B: { Type: "Pass", Result: { step: "b" }, ResultPath: "$.b", End: true },
        },
      });
      const execution = await runToEnd(h, machine, { start: true });
      const executionArn = execution.executionArn ?? "";
      const history = await historyOf(h.client, executionArn);
      expect(types(history)).toEqual([
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
      ]);
      expect(history.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(history.map((e) => e.previousEventId)).toEqual([0, 1, 2, 3, 4, 5]);
      const enteredB = history[3]?.stateEnteredEventDetails;
      expect(enteredB?.name).toBe("B");
      expect(JSON.parse(enteredB?.input ?? "")).toEqual({ start: true, a: { step: "a" } });
      expect(JSON.parse(history[4]?.stateExitedEventDetails?.output ?? "")).toEqual({
        start: true,
        a: { step: "a" },
        b: { step: "b" },
      });
      expect(history[0]?.timestamp).toBeInstanceOf(Date);

      const reversed = await h.client.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }),
      );
      expect(reversed.events?.map((e) => e.id)).toEqual([6, 5]);
      const rest = await h.client.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, nextToken: reversed.nextToken }),
      );
      expect(rest.events?.map((e) => e.id)).toEqual([4, 3, 2, 1]);
      expect(rest.nextToken).toBeUndefined();

      const noData = await h.client.send(
        new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }),
      );
      expect(noData.events?.[1]?.stateEnteredEventDetails).toEqual({
        name: "A",
        inputDetails: { truncated: false },
      });
      await expect(
        h.client.send(new GetExecutionHistoryCommand({ executionArn, nextToken: "garbage" })),
      ).rejects.toMatchObject({ name: "InvalidToken" });
    });

    it("invokes a plain Lambda function ARN with the state input and records LambdaFunction events", async () => {
      const fn = unique("plain");
      invoker.register(fn, (p) => ({ doubled: (p as { n: number }).n * 2 }));
      const machine = await createMachine(h.client, {
        StartAt: "Double",
        States: { Double: { Type: "Task", Resource: lambdaArn(fn), End: true } },
      });
      const execution = await runToEnd(h, machine, { n: 21 });
      expect(JSON.parse(execution.output ?? "")).toEqual({ doubled: 42 });
      expect(types(await historyOf(h.client, execution.executionArn ?? ""))).toEqual([
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
      ]);
    });

    it("fails a state whose resource is not supported with States.TaskFailed", async () => {
      const machine = await createMachine(h.client, {
        StartAt: "Send",
        States: {
          Send: {
            Type: "Task",
            Resource: "arn:aws:states:::sqs:sendMessage",
            Parameters: { QueueUrl: "q" },
            End: true,
          },
        },
      });
      const execution = await runToEnd(h, machine);
      expect(execution).toMatchObject({ status: "FAILED", error: "States.TaskFailed" });
      expect(execution.cause).toContain("sqs:sendMessage");
    });

    it("times out an execution after its TimeoutSeconds", async () => {
      const machine = await createMachine(h.client, {
        TimeoutSeconds: 1,
        StartAt: "Wait",
        States: { Wait: { Type: "Wait", Seconds: 30, End: true } },
      });
      const executionArn = await start(h.client, machine);
      await h.sfn.whenIdle();
      const execution = await describeExecution(h.client, executionArn);
      expect(execution).toMatchObject({ status: "TIMED_OUT", error: "States.Timeout" });
      const history = await historyOf(h.client, executionArn);
      expect(history.at(-1)).toMatchObject({
        type: "ExecutionTimedOut",
        executionTimedOutEventDetails: { error: "States.Timeout" },
      });
    });

    it("runs Map items and Parallel branches with their inner Task handlers", async () => {
      const price = unique("price");
      const stock = unique("stock");
      invoker.register(price, (p) => ({ sku: (p as { sku: string }).sku, price: 10 }));
      invoker.register(stock, () => ({ available: 3 }));
      const machine = await createMachine(h.client, {
        StartAt: "Lines",
        States: {
          Lines: {
            Type: "Map",
            ItemsPath: "$.lines",
            ItemProcessor: { StartAt: "Price", States: { Price: lambdaTask(price, { End: true }) } },
            ResultPath: "$.priced",
            Next: "Checks",
          },
          Checks: {
            Type: "Parallel",
            Branches: [
              { StartAt: "Stock", States: { Stock: lambdaTask(stock, { End: true }) } },
              { StartAt: "Echo", States: { Echo: { Type: "Pass", Result: "ok", End: true } } },
            ],
            ResultPath: "$.checks",
            End: true,
          },
        },
      });
      const execution = await runToEnd(h, machine, { lines: [{ sku: "a" }, { sku: "b" }] });
      expect(execution.status).toBe("SUCCEEDED");
      expect(JSON.parse(execution.output ?? "")).toEqual({
        lines: [{ sku: "a" }, { sku: "b" }],
        priced: [
          { sku: "a", price: 10 },
          { sku: "b", price: 10 },
        ],
        checks: [{ available: 3 }, "ok"],
      });
      const history = await historyOf(h.client, execution.executionArn ?? "");
      expect(history.find((e) => e.type === "MapStateStarted")?.mapStateStartedEventDetails).toEqual({
        length: 2,
      });
      expect(history.filter((e) => e.type === "MapIterationSucceeded")).toHaveLength(2);
      expect(history.filter((e) => e.type === "TaskSucceeded")).toHaveLength(3);
      expect(types(history)).toContain("ParallelStateSucceeded");
    });

    it("matches type tests set to false as AWS does (IsPresent: false is true for a missing field)", async () => {
      const machine = await createMachine(h.client, {
        StartAt: "Which",
        States: {
          Which: {
            Type: "Choice",
            Choices: [
              { Variable: "$.resumeAt", IsPresent: false, Next: "Fresh" },
              { And: [{ Variable: "$.resumeAt", IsString: false }], Next: "Odd" },
            ],
            Default: "Resumed",
          },
          Fresh: { Type: "Pass", Result: "fresh", End: true },
          Odd: { Type: "Pass", Result: "odd", End: true },
          Resumed: { Type: "Pass", Result: "resumed", End: true },
        },
      });
      expect((await runToEnd(h, machine, {})).output).toBe('"fresh"');
      expect((await runToEnd(h, machine, { resumeAt: 7 })).output).toBe('"odd"');
      expect((await runToEnd(h, machine, { resumeAt: "Route" })).output).toBe('"resumed"');
    });

    it("ends a runaway loop at AWS's history limit of 25,000 events", async () => {
      const machine = await createMachine(h.client, {
        StartAt: "Again",
        States: {
          Again: { Type: "Pass", Next: "Loop" },
          Loop: {
            Type: "Choice",
            Choices: [{ Variable: "$.stop", IsPresent: true, Next: "End" }],
            Default: "Again",
          },
          End: { Type: "Succeed" },
        },
      });
      const execution = await runToEnd(h, machine);
      expect(execution).toMatchObject({ status: "FAILED", error: "States.Runtime" });
      expect(execution.cause).toContain("25000");
    });

    it("answers StartSyncExecution for EXPRESS machines only", async () => {
      const express = await createMachine(
        h.client,
        { StartAt: "P", States: { P: { Type: "Pass", Result: { fast: true }, End: true } } },
        { type: "EXPRESS" },
      );
      const sync = new SFNClient({
        endpoint: await h.client.config.endpoint?.().then((e) => `${e.protocol}//${e.hostname}:${e.port}`),
        region: "us-east-1",
        credentials,
        disableHostPrefix: true,
      });
      const out = await sync.send(new StartSyncExecutionCommand({ stateMachineArn: express, input: "{}" }));
      expect(out).toMatchObject({ status: "SUCCEEDED", output: '{"fast":true}' });
      const standard = await createMachine(h.client, {
        StartAt: "P",
        States: { P: { Type: "Pass", End: true } },
      });
      await expect(
        sync.send(new StartSyncExecutionCommand({ stateMachineArn: standard, input: "{}" })),
      ).rejects.toMatchObject({ name: "StateMachineTypeNotSupported" });
      sync.destroy();
    });
  });

  describe("task tokens", () => {
    it("parks on waitForTaskToken, then SendTaskSuccess resumes it with the output", async () => {
      const fn = unique("approve");
      const catcher = tokenCatcher(invoker, fn);
      const machine = await createMachine(h.client, {
        StartAt: "Approval",
        States: { Approval: callbackTask(fn, { ResultPath: "$.approval", End: true }) },
      });
      const executionArn = await start(h.client, machine, { order: 1 });
      const token = await catcher.next();
      await h.sfn.whenIdle();
      expect((await describeExecution(h.client, executionArn)).status).toBe("RUNNING");

      await h.client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
      await h.sfn.whenIdle();
      const execution = await describeExecution(h.client, executionArn);
      expect(execution.status).toBe("SUCCEEDED");
      expect(JSON.parse(execution.output ?? "")).toEqual({ order: 1, approval: { approved: true } });
      expect(types(await historyOf(h.client, executionArn))).toEqual([
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
      ]);
      await expect(
        h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })),
      ).rejects.toMatchObject({ name: "TaskTimedOut" });
    });

    it("fails the task with SendTaskFailure's error and cause", async () => {
      const fn = unique("reject");
      const catcher = tokenCatcher(invoker, fn);
      const machine = await createMachine(h.client, {
        StartAt: "Approval",
        States: { Approval: callbackTask(fn, { End: true }) },
      });
      const executionArn = await start(h.client, machine);
      await h.client.send(
        new SendTaskFailureCommand({
          taskToken: await catcher.next(),
          error: "Rejected",
          cause: "over budget",
        }),
      );
      await h.sfn.whenIdle();
      expect(await describeExecution(h.client, executionArn)).toMatchObject({
        status: "FAILED",
        error: "Rejected",
        cause: "over budget",
      });
    });

    it("gives each retry of a callback task a fresh token", async () => {
      const fn = unique("retrycb");
      const catcher = tokenCatcher(invoker, fn);
      const machine = await createMachine(h.client, {
        StartAt: "Approval",
        States: {
          Approval: callbackTask(fn, { Retry: [{ ErrorEquals: ["Busy"], IntervalSeconds: 1 }], End: true }),
        },
      });
      const executionArn = await start(h.client, machine);
      const first = await catcher.next();
      await h.client.send(new SendTaskFailureCommand({ taskToken: first, error: "Busy" }));
      const second = await catcher.next();
      expect(second).not.toBe(first);
      await h.client.send(new SendTaskSuccessCommand({ taskToken: second, output: '"done"' }));
      await h.sfn.whenIdle();
      expect(await describeExecution(h.client, executionArn)).toMatchObject({
        status: "SUCCEEDED",
        output: '"done"',
      });
    });

    it("answers TaskDoesNotExist for unknown tokens and InvalidToken for garbage, and validates output", async () => {
      const fn = unique("unknown");
      const catcher = tokenCatcher(invoker, fn);
      const machine = await createMachine(h.client, {
        StartAt: "W",
        States: { W: callbackTask(fn, { End: true }) },
      });
      const executionArn = await start(h.client, machine);
      const token = await catcher.next();
      const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
      await expect(
        h.client.send(new SendTaskSuccessCommand({ taskToken: forged, output: "{}" })),
      ).rejects.toMatchObject({ name: "TaskDoesNotExist" });
      await expect(
        h.client.send(new SendTaskSuccessCommand({ taskToken: "garbage", output: "{}" })),
      ).rejects.toMatchObject({ name: "InvalidToken" });
      await expect(
        h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: "{not json" })),
      ).rejects.toMatchObject({ name: "InvalidOutput" });
      await h.client.send(new StopExecutionCommand({ executionArn }));
    });

    it("times a callback out with States.Timeout, which a States.TaskFailed catcher does not match", async () => {
      const fn = unique("slowpoke");
      tokenCatcher(invoker, fn);
      const machine = await createMachine(h.client, {
        StartAt: "Approval",
        States: {
          Approval: callbackTask(fn, {
            TimeoutSeconds: 1,
            Catch: [{ ErrorEquals: ["States.TaskFailed"], Next: "Caught" }],
            End: true,
          }),
          Caught: { Type: "Pass", End: true },
        },
      });
      const executionArn = await start(h.client, machine);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      await h.sfn.whenIdle();
      expect(await describeExecution(h.client, executionArn)).toMatchObject({
        status: "FAILED",
        error: "States.Timeout",
      });
      expect(types(await historyOf(h.client, executionArn))).toContain("TaskTimedOut");
    });

    it("reads a callback's TimeoutSecondsPath from each Map item's state input (per-item deadlines)", async () => {
      const fn = unique("perItem");
      const catcher = tokenCatcher(invoker, fn);
      const machine = await createMachine(h.client, {
        StartAt: "Each",
        States: {
          Each: {
            Type: "Map",
            ItemsPath: "$.items",
            ItemProcessor: {
              StartAt: "Wait4",
              States: {
                Wait4: callbackTask(fn, {
                  TimeoutSecondsPath: "$.timeoutSeconds",
                  Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.error", Next: "TimedOut" }],
                  ResultPath: "$.answer",
                  End: true,
                }),
                TimedOut: { Type: "Pass", Result: "timed out", ResultPath: "$.answer", End: true },
              },
            },
            End: true,
          },
        },
      });
      const executionArn = await start(h.client, machine, {
        items: [
          { name: "quick", timeoutSeconds: 1 },
          { name: "patient", timeoutSeconds: 60 },
        ],
      });
      const tokens = [await catcher.next(), await catcher.next()];
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      // The 1-second item timed out; the 60-second one still takes an answer.
      const answers = await Promise.allSettled(
        tokens.map((taskToken) => h.client.send(new SendTaskSuccessCommand({ taskToken, output: '"yes"' }))),
      );
      expect(answers.map((a) => a.status).sort()).toEqual(["fulfilled", "rejected"]);
      await h.sfn.whenIdle();
      const execution = await describeExecution(h.client, executionArn);
      expect(execution.status).toBe("SUCCEEDED");
      const output = JSON.parse(execution.output ?? "[]") as { name: string; answer: string }[];
      expect(output.map((o) => [o.name, o.answer])).toEqual([
        ["quick", "timed out"],
        ["patient", "yes"],
      ]);
      const scheduled = (await historyOf(h.client, executionArn)).filter((e) => e.type === "TaskScheduled");
      expect(scheduled.map((e) => e.taskScheduledEventDetails?.timeoutInSeconds).sort()).toEqual([1, 60]);
    });

    it("stops a parked execution: ABORTED with error and cause; its token is closed", async () => {
      const fn = unique("stopme");
      const catcher = tokenCatcher(invoker, fn);
      const machine = await createMachine(h.client, {
        StartAt: "W",
        States: { W: callbackTask(fn, { End: true }) },
      });
      const executionArn = await start(h.client, machine);
      const token = await catcher.next();
      const stopped = await h.client.send(
        new StopExecutionCommand({ executionArn, error: "Cancelled", cause: "by user" }),
      );
      expect(stopped.stopDate).toBeInstanceOf(Date);
      await h.sfn.whenIdle();
      expect(await describeExecution(h.client, executionArn)).toMatchObject({
        status: "ABORTED",
        error: "Cancelled",
        cause: "by user",
        redriveStatus: "REDRIVABLE",
      });
      const history = await historyOf(h.client, executionArn);
      expect(history.at(-1)).toMatchObject({
        type: "ExecutionAborted",
        executionAbortedEventDetails: { error: "Cancelled", cause: "by user" },
      });
      await expect(
        h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })),
      ).rejects.toMatchObject({ name: "TaskTimedOut" });
    });
  });

  describe("service integrations", () => {
    it("puts events to the local EventBridge, and waits for a token passed in an event", async () => {
      const machine = await createMachine(h.client, {
        StartAt: "Announce",
        States: {
          Announce: {
            Type: "Task",
            Resource: "arn:aws:states:::events:putEvents",
            Parameters: {
              Entries: [
                { Source: "oms.orders", DetailType: "OrderPlaced", "Detail.$": "$", EventBusName: "orders" },
              ],
            },
            ResultPath: "$.put",
            Next: "AwaitPick",
          },
          AwaitPick: {
            Type: "Task",
            Resource: "arn:aws:states:::events:putEvents.waitForTaskToken",
            Parameters: {
              Entries: [
                {
                  Source: "oms.orders",
                  DetailType: "PickRequested",
                  Detail: { "taskToken.$": "$$.Task.Token" },
                },
              ],
            },
            ResultPath: "$.picked",
            End: true,
          },
        },
      });
      const before = events.entries.length;
      const executionArn = await start(h.client, machine, { orderId: "o-1" });
      await h.sfn.whenIdle();
      const [placed, pick] = events.entries.slice(before);
      expect(placed).toMatchObject({
        Source: "oms.orders",
        DetailType: "OrderPlaced",
        EventBusName: "orders",
      });
      expect(JSON.parse(String(placed?.["Detail"]))).toEqual({ orderId: "o-1" });
      expect(placed?.["Resources"]).toEqual([machine, executionArn]);
      const { taskToken } = JSON.parse(String(pick?.["Detail"])) as { taskToken: string };
      await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{"picker":"p-9"}' }));
      await h.sfn.whenIdle();
      const execution = await describeExecution(h.client, executionArn);
      expect(execution.status).toBe("SUCCEEDED");
      const output = JSON.parse(execution.output ?? "");
      expect(output.put).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
      expect(output.picked).toEqual({ picker: "p-9" });
    });

    it("puts and gets items in DynamoDB Local, mapping SDK errors to DynamoDB.<Name>", async () => {
      const table = unique("sfn-items");
      await dynamodb.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      try {
        const put = (next: string) => ({
          Type: "Task",
          Resource: "arn:aws:states:::dynamodb:putItem",
          Parameters: {
            TableName: table,
            Item: { pk: { "S.$": "$.id" }, blob: { B: "aGVsbG8=" } },
            ConditionExpression: "attribute_not_exists(pk)",
          },
          ResultPath: null,
          Next: next,
        });
        const machine = await createMachine(h.client, {
          StartAt: "Put",
          States: {
            Put: put("Get"),
            Get: {
              Type: "Task",
              Resource: "arn:aws:states:::dynamodb:getItem",
              Parameters: { TableName: table, Key: { pk: { "S.$": "$.id" } } },
              ResultSelector: { "item.$": "$.Item" },
              Next: "PutAgain",
            },
            PutAgain: {
              ...put("Unreachable"),
              Parameters: {
                TableName: table,
                Item: { pk: { "S.$": "$.item.pk.S" } },
                ConditionExpression: "attribute_not_exists(pk)",
              },
              Catch: [
                {
                  ErrorEquals: ["DynamoDB.ConditionalCheckFailedException"],
                  ResultPath: "$.conflict",
                  Next: "Done",
                },
              ],
            },
            Unreachable: { Type: "Fail", Error: "ShouldNotHappen" },
            Done: { Type: "Succeed" },
          },
        });
        const execution = await runToEnd(h, machine, { id: "item-1" });
        expect(execution.status).toBe("SUCCEEDED");
        const output = JSON.parse(execution.output ?? "");
        expect(output.item).toEqual({ pk: { S: "item-1" }, blob: { B: "aGVsbG8=" } });
        expect(output.conflict.Error).toBe("DynamoDB.ConditionalCheckFailedException");
      } finally {
        await dynamodb.send(new DeleteTableCommand({ TableName: table }));
      }
    });
  });
});

describe("restarts", () => {
  it("resumes parked and mid-way executions from the journal, keeping histories and tokens", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "local-sfn-"));
    try {
      // Service A: one execution parks on a token, another is inside a slow function when A stops.
      const invokerA = new MapLambdaInvoker();
      const approvals = tokenCatcher(invokerA, "approval");
      let slowStarted: () => void = () => {};
      const slowIsRunning = new Promise<void>((resolve) => (slowStarted = resolve));
      invokerA.register("slow", () => {
        slowStarted();
        return new Promise(() => {});
      });
      invokerA.register("prepare", (p) => ({ ...(p as object), prepared: true }));
      const a = await serve(new LocalStepFunctions({ dataDir, invoker: invokerA }));
      const parkedMachine = await createMachine(a.client, {
        StartAt: "Approval",
        States: { Approval: callbackTask("approval", { ResultPath: "$.approval", End: true }) },
      });
      const slowMachine = await createMachine(a.client, {
        StartAt: "Prepare",
        States: {
          Prepare: lambdaTask("prepare", { Next: "Slow" }),
          Slow: lambdaTask("slow", { Next: "After" }),
          After: { Type: "Pass", Result: "after", ResultPath: "$.after", End: true },
        },
      });
      const parked = await start(a.client, parkedMachine, { order: "p" });
      const midway = await start(a.client, slowMachine, { order: "m" });
      const token = await approvals.next();
      await slowIsRunning;
      const historyBefore = await historyOf(a.client, midway);
      await a.shutdown();

      // Service B on the same folder: both executions continue; the old token still works.
      const invokerB = new MapLambdaInvoker();
      const approvalsB = tokenCatcher(invokerB, "approval");
      const calls = { prepare: 0, slow: 0 };
      invokerB.register("prepare", (p) => {
        calls.prepare++;
        return { ...(p as object), prepared: true };
      });
      invokerB.register("slow", (p) => {
        calls.slow++;
        return { ...(p as object), slow: "done" };
      });
      const b = await serve(new LocalStepFunctions({ dataDir, invoker: invokerB }));
      try {
        await b.sfn.whenIdle();
        expect(approvalsB.tokens).toEqual([]);
        expect((await describeExecution(b.client, parked)).status).toBe("RUNNING");
        await b.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
        await b.sfn.whenIdle();

        const parkedDone = await describeExecution(b.client, parked);
        expect(parkedDone.status).toBe("SUCCEEDED");
        expect(JSON.parse(parkedDone.output ?? "")).toEqual({ order: "p", approval: { ok: true } });
        const midwayDone = await describeExecution(b.client, midway);
        expect(midwayDone.status).toBe("SUCCEEDED");
        expect(JSON.parse(midwayDone.output ?? "")).toEqual({
          order: "m",
          prepared: true,
          slow: "done",
          after: "after",
        });
        expect(calls).toEqual({ prepare: 0, slow: 1 });

        const historyAfter = await historyOf(b.client, midway);
        expect(historyAfter.slice(0, historyBefore.length)).toEqual(historyBefore);
        expect(historyAfter.map((e) => e.id)).toEqual(historyAfter.map((_, i) => i + 1));
        expect(types(historyAfter).filter((t) => t === "TaskStateEntered")).toHaveLength(2);
        expect(historyAfter.at(-1)?.type).toBe("ExecutionSucceeded");
      } finally {
        await b.shutdown();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("resumes parked Map iterations on their own tokens, and a Wait only for its remaining time", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "local-sfn-"));
    try {
      const invokerA = new MapLambdaInvoker();
      const picks = tokenCatcher(invokerA, "pick");
      const a = await serve(new LocalStepFunctions({ dataDir, invoker: invokerA }));
      const mapMachine = await createMachine(a.client, {
        StartAt: "Lines",
        States: {
          Lines: {
            Type: "Map",
            ItemsPath: "$.lines",
            ItemProcessor: { StartAt: "Pick", States: { Pick: callbackTask("pick", { End: true }) } },
            End: true,
          },
        },
      });
      const waitMachine = await createMachine(a.client, {
        StartAt: "Pause",
        States: { Pause: { Type: "Wait", Seconds: 2, End: true } },
      });
      const mapped = await start(a.client, mapMachine, { lines: ["a", "b"] });
      const waiting = await start(a.client, waitMachine);
      const waitStarted = Date.now();
      const tokens = [await picks.next(), await picks.next()];
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await a.shutdown();

      const invokerB = new MapLambdaInvoker();
      const picksB = tokenCatcher(invokerB, "pick");
      const b = await serve(new LocalStepFunctions({ dataDir, invoker: invokerB }));
      try {
        const restarted = Date.now();
        await b.sfn.whenIdle();
        expect(Date.now() - restarted).toBeLessThan(1_500);
        expect(Date.now() - waitStarted).toBeGreaterThanOrEqual(1_900);
        expect((await describeExecution(b.client, waiting)).status).toBe("SUCCEEDED");

        expect(picksB.tokens).toEqual([]);
        for (const [i, taskToken] of tokens.entries()) {
          await b.client.send(
            new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ picked: i }) }),
          );
        }
        await b.sfn.whenIdle();
        const done = await describeExecution(b.client, mapped);
        expect(done.status).toBe("SUCCEEDED");
        expect(JSON.parse(done.output ?? "")).toEqual([{ picked: 0 }, { picked: 1 }]);
      } finally {
        await b.shutdown();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("re-arms a long callback wait in place, keeping the same token", async () => {
    const invoker = new MapLambdaInvoker();
    const approvals = tokenCatcher(invoker, "approval");
    const h = await serve(new LocalStepFunctions({ invoker, runRefreshSeconds: 0.2 }));
    try {
      const machine = await createMachine(h.client, {
        StartAt: "Approval",
        States: { Approval: callbackTask("approval", { End: true }) },
      });
      const executionArn = await start(h.client, machine);
      const token = await approvals.next();
      await new Promise((resolve) => setTimeout(resolve, 600));
      await h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '"approved"' }));
      await h.sfn.whenIdle();
      expect(await describeExecution(h.client, executionArn)).toMatchObject({
        status: "SUCCEEDED",
        output: '"approved"',
      });
      expect(approvals.tokens).toHaveLength(1);
    } finally {
      await h.shutdown();
    }
  });
});
