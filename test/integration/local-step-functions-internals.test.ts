// The local Step Functions' building blocks without HTTP: Retry arithmetic, task-token deadlines (fake
// timers), resource ARN parsing, paging tokens and definition checks. The API-level behaviour is covered in
// local-step-functions.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AwsServiceError } from "../../local/aws-protocol/aws-json-service.ts";
import { compileDefinition, LIBRARY_TIMER_CAP_SECONDS } from "../../local/stepfunctions/definition.ts";
import { evaluatePlainPath } from "../../local/stepfunctions/history.ts";
import { describeResource } from "../../local/stepfunctions/integrations.ts";
import { page } from "../../local/stepfunctions/paging.ts";
import { errorMatches, RetryPolicy } from "../../local/stepfunctions/retry.ts";
import {
  mintTaskToken,
  type TaskTokenRecord,
  TaskTokenRegistry,
  type TokenOutcome,
} from "../../local/stepfunctions/task-tokens.ts";

const awsError = (type: string) => expect.objectContaining({ type });

describe("RetryPolicy", () => {
  it("backs off per retrier, scaled, and stops after MaxAttempts", () => {
    const policy = new RetryPolicy(
      [{ ErrorEquals: ["Busy"], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3 }],
      0.5,
    );
    expect([policy.nextDelayMs("Busy"), policy.nextDelayMs("Busy"), policy.nextDelayMs("Busy")]).toEqual([
      1000, 3000, 9000,
    ]);
    expect(policy.nextDelayMs("Busy")).toBeUndefined();
  });

  it("lets the first matching retrier decide, even when its attempts are spent", () => {
    const policy = new RetryPolicy([
      { ErrorEquals: ["Busy"], MaxAttempts: 0 },
      { ErrorEquals: ["States.ALL"], MaxAttempts: 5 },
    ]);
    expect(policy.nextDelayMs("Busy")).toBeUndefined();
    expect(policy.nextDelayMs("Other")).toBe(1000);
  });

  it("caps with MaxDelaySeconds and applies full jitter", () => {
    const capped = new RetryPolicy([{ ErrorEquals: ["E"], IntervalSeconds: 10, MaxDelaySeconds: 4 }]);
    expect(capped.nextDelayMs("E")).toBe(4000);
    const jittered = new RetryPolicy([{ ErrorEquals: ["E"], JitterStrategy: "FULL" }], 1, () => 0.25);
    expect(jittered.nextDelayMs("E")).toBe(250);
  });

  it("matches States.TaskFailed to everything but States.Timeout", () => {
    expect(errorMatches("States.TaskFailed", "OutOfStock")).toBe(true);
    expect(errorMatches("States.TaskFailed", "States.Timeout")).toBe(false);
    expect(errorMatches("States.ALL", "States.Timeout")).toBe(true);
    expect(errorMatches("OutOfStock", "OutOfStocks")).toBe(false);
  });
});

describe("TaskTokenRegistry", () => {
  const execution = "arn:aws:states:us-east-1:000000000000:execution:m:e";
  let persisted: TaskTokenRecord[];
  let registry: TaskTokenRegistry;
  const register = (extra: Partial<TaskTokenRecord> = {}) =>
    registry.register({
      token: mintTaskToken(execution),
      executionArn: execution,
      stateName: "Approve",
      scope: 2,
      template: "{}",
      createdAt: Date.now(),
      ...extra,
    });

  beforeEach(() => {
    vi.useFakeTimers();
    persisted = [];
    registry = new TaskTokenRegistry((record) => persisted.push(structuredClone(record)));
  });
  afterEach(() => {
    registry.stopTimers();
    vi.useRealTimers();
  });

  it("settles a waiting task once; later, unknown and malformed tokens get AWS's errors", async () => {
    const { token } = register();
    const outcome = registry.wait(token, new AbortController().signal);
    registry.sendSuccess(token, '{"ok":true}');
    await expect(outcome).resolves.toEqual({ kind: "succeeded", output: '{"ok":true}' });
    expect(() => registry.sendSuccess(token, "{}")).toThrow(awsError("TaskTimedOut"));
    expect(() => registry.sendFailure(mintTaskToken(execution), "E", "c")).toThrow(
      awsError("TaskDoesNotExist"),
    );
    expect(() => registry.sendHeartbeat("not-a-token")).toThrow(awsError("InvalidToken"));
    expect(persisted.at(-1)?.outcome).toEqual({ kind: "succeeded", output: '{"ok":true}' });
  });

  it("times a task out at TimeoutSeconds", async () => {
    const { token } = register({ timeoutAt: Date.now() + 5_000 });
    const outcome = registry.wait(token, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(4_999);
    registry.sendHeartbeat(token);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toEqual({ kind: "timedOut", heartbeat: false });
    expect(() => registry.sendSuccess(token, "{}")).toThrow(awsError("TaskTimedOut"));
  });

  it("times a task out when heartbeats stop, and heartbeats push the deadline", async () => {
    const { token } = register({ heartbeatSeconds: 1 });
    let settled: TokenOutcome | undefined;
    void registry.wait(token, new AbortController().signal).then((o) => (settled = o));
    await vi.advanceTimersByTimeAsync(800);
    registry.sendHeartbeat(token);
    await vi.advanceTimersByTimeAsync(800);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(300);
    expect(settled).toEqual({ kind: "timedOut", heartbeat: true });
  });

  it("expires a deadline that passed while nobody waited (e.g. across a restart)", async () => {
    const { token } = register({ timeoutAt: Date.now() + 1_000 });
    vi.setSystemTime(Date.now() + 2_000);
    expect(() => registry.sendSuccess(token, "{}")).toThrow(awsError("TaskTimedOut"));
    await expect(registry.wait(token, new AbortController().signal)).resolves.toEqual({
      kind: "timedOut",
      heartbeat: false,
    });
  });

  it("keeps a token open when its waiter is interrupted, so a restarted run can wait on it again", async () => {
    const { token } = register();
    const controller = new AbortController();
    const waiting = registry.wait(token, controller.signal);
    controller.abort(new Error("stopping"));
    await expect(waiting).rejects.toThrow("stopping");

    const restored = new TaskTokenRegistry(() => {});
    for (const record of persisted) restored.restore(record);
    const again = restored.wait(token, new AbortController().signal);
    restored.sendFailure(token, "Rejected", "no");
    await expect(again).resolves.toEqual({ kind: "failed", error: "Rejected", cause: "no" });
  });

  it("closes only the tokens of an execution that ended", () => {
    const mine = register();
    const other = registry.register({
      ...mine,
      token: mintTaskToken(`${execution}2`),
      executionArn: `${execution}2`,
    });
    registry.closeExecution(execution);
    expect(() => registry.sendSuccess(mine.token, "{}")).toThrow(awsError("TaskTimedOut"));
    expect(() => registry.sendSuccess(other.token, "{}")).not.toThrow();
    expect(registry.recordsFor(execution, "Approve", 2).map((r) => r.token)).toEqual([mine.token]);
  });
});

describe("describeResource", () => {
  it.each([
    ["arn:aws:states:::lambda:invoke", "lambda-invoke", false, "lambda", "invoke"],
    [
      "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "lambda-invoke",
      true,
      "lambda",
      "invoke.waitForTaskToken",
    ],
    ["arn:aws:states:::events:putEvents", "events-put", false, "events", "putEvents"],
    ["arn:aws:states:::dynamodb:updateItem", "dynamodb", false, "dynamodb", "updateItem"],
    [
      "arn:aws:states:::states:startExecution.sync:2",
      "unsupported",
      false,
      "states",
      "startExecution.sync:2",
    ],
    ["arn:aws:states:::dynamodb:query", "unsupported", false, "dynamodb", "query"],
  ])("%s", (arn, kind, callback, resourceType, resource) => {
    expect(describeResource(arn)).toMatchObject({ kind, callback, resourceType, resource });
  });

  it("treats a Lambda function ARN as a plain function call", () => {
    expect(describeResource("arn:aws:lambda:us-east-1:000000000000:function:reserve:live")).toMatchObject({
      kind: "lambda-function",
      callback: false,
    });
  });
});

describe("page", () => {
  const items = [5, 4, 3, 2, 1].map((key) => ({ key }));

  it("walks descending keys to the end without a final token", () => {
    const first = page(items, (i) => i.key, { maxResults: 2, tag: "t", descending: true });
    expect(first.items.map((i) => i.key)).toEqual([5, 4]);
    const second = page(items, (i) => i.key, {
      maxResults: 2,
      nextToken: first.nextToken,
      tag: "t",
      descending: true,
    });
    const third = page(items, (i) => i.key, {
      maxResults: 2,
      nextToken: second.nextToken,
      tag: "t",
      descending: true,
    });
    expect([second.items.map((i) => i.key), third.items.map((i) => i.key)]).toEqual([[3, 2], [1]]);
    expect(third.nextToken).toBeUndefined();
  });

  it("keeps a token valid when its item leaves a filtered listing", () => {
    const first = page(items, (i) => i.key, { maxResults: 2, tag: "t", descending: true });
    const withoutThree = items.filter((i) => i.key !== 4);
    const next = page(withoutThree, (i) => i.key, { nextToken: first.nextToken, tag: "t", descending: true });
    expect(next.items.map((i) => i.key)).toEqual([3, 2, 1]);
  });

  it("refuses garbage and tokens of another listing", () => {
    const first = page(items, (i) => i.key, { maxResults: 1, tag: "a" });
    expect(() => page(items, (i) => i.key, { nextToken: first.nextToken, tag: "b" })).toThrow(
      AwsServiceError,
    );
    expect(() => page(items, (i) => i.key, { nextToken: "%%%", tag: "a" })).toThrow(awsError("InvalidToken"));
  });
});

describe("definitions", () => {
  it("refuses state names used twice across branches", () => {
    const definition = {
      StartAt: "P",
      States: {
        P: {
          Type: "Parallel",
          Branches: [{ StartAt: "P", States: { P: { Type: "Pass", End: true } } }],
          End: true,
        },
      },
    };
    expect(() => compileDefinition(JSON.stringify(definition), { validate: false })).toThrow(
      awsError("InvalidDefinition"),
    );
  });

  it("refuses distributed Maps that read from S3", () => {
    const definition = {
      StartAt: "M",
      States: {
        M: {
          Type: "Map",
          ItemReader: { Resource: "arn:aws:states:::s3:getObject", Parameters: {} },
          ItemProcessor: { StartAt: "X", States: { X: { Type: "Pass", End: true } } },
          End: true,
        },
      },
    };
    expect(() => compileDefinition(JSON.stringify(definition), { validate: false })).toThrow(/ItemReader|S3/);
  });

  it("indexes nested tasks under their top-level state and runs a copy from another start state", async () => {
    const compiled = compileDefinition(
      JSON.stringify({
        TimeoutSeconds: 5,
        StartAt: "First",
        States: {
          First: { Type: "Pass", Result: "first", Next: "Fan" },
          Fan: {
            Type: "Parallel",
            Branches: [
              {
                StartAt: "Inner",
                States: { Inner: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", End: true } },
              },
            ],
            End: true,
          },
        },
      }),
      { validate: true },
    );
    expect(compiled.states.get("Inner")).toMatchObject({ topLevel: "Fan", type: "Task" });
    expect(compiled.topLevelStates).toEqual(["First", "Fan"]);
    expect(compiled.tasks.map((t) => t.name)).toEqual(["Inner"]);
    expect(compiled.timeoutSeconds).toBe(5);
    const run = compiled
      .machineFor("Fan")
      .run(
        { from: "redrive" },
        { overrides: { taskResourceLocalHandlers: { Inner: (input) => ({ echoed: input }) } } },
      );
    await expect(run.result).resolves.toEqual([{ echoed: { from: "redrive" } }]);
    expect(LIBRARY_TIMER_CAP_SECONDS * 1000).toBeLessThan(2 ** 31);
  });
});

describe("evaluatePlainPath", () => {
  it("reads plain paths and gives up on richer ones", () => {
    const value = { a: { b: [10, { c: "x" }] }, "d e": 1 };
    expect(evaluatePlainPath("$", value)).toBe(value);
    expect(evaluatePlainPath("$.a.b[1].c", value)).toBe("x");
    expect(evaluatePlainPath("$['d e']", value)).toBe(1);
    expect(evaluatePlainPath("$.a.missing", value)).toBeUndefined();
    expect(evaluatePlainPath("$.a.b[*]", value)).toBeUndefined();
  });
});
