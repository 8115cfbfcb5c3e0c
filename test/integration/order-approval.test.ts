// Approval with the real engines (local Step Functions with task tokens, DynamoDB Local, the HTTP API):
// sequential ranks, parallel reasons with one decline (stock released), a third party's callback,
// timeouts that escalate or decline, re-routing after approval, and repeats that change nothing.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApprovalRepository } from "../../adapters/dynamodb/approval-repository.ts";
import { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { DynamoDbReservationHolds } from "../../adapters/dynamodb/reservation-hold-repository.ts";
import { StepFunctionsApprovalWorkflow } from "../../adapters/workflow/approval-workflows.ts";
import { StepFunctionsWorkflowStarter } from "../../adapters/workflow/step-functions-starter.ts";
import { StepFunctionsTaskCallbacks } from "../../adapters/workflow/task-callbacks.ts";
import type { Runtime } from "../../local/runtime.ts";
import {
  type ApprovalFlowDeps,
  approveOrder,
  planOrderApproval,
  requestApproval,
} from "../../usecases/approvals.ts";
import { expireDueHolds } from "../../usecases/reservations.ts";
import { systemClock, systemIds } from "../../usecases/system-ports.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;
let deps: ApprovalFlowDeps;
let holds: DynamoDbReservationHolds;

const aws = (endpoint: string) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
});

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
  const db = DynamoDBDocumentClient.from(new DynamoDBClient(aws(runtime.awsEndpoint)), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sfn = new SFNClient(aws(runtime.awsEndpoint));
  holds = new DynamoDbReservationHolds(db, runtime.tableName);
  deps = {
    repo: new OrderRepository(db, runtime.tableName),
    approvals: new ApprovalRepository(db, runtime.tableName),
    inventory: new InventoryRepository(db, runtime.tableName),
    clock: systemClock,
    ids: systemIds,
    callbacks: new StepFunctionsTaskCallbacks(sfn),
    approvalWorkflow: new StepFunctionsApprovalWorkflow(sfn, runtime.stateMachineArn("order-approval")),
    workflows: new StepFunctionsWorkflowStarter(sfn, {
      HOME_DELIVERY: runtime.stateMachineArn("home-delivery"),
    }),
    holds,
  };
});

afterAll(async () => {
  await runtime?.stop();
});

const put = (path: string, body: unknown) =>
  api.raw("PUT", path, JSON.stringify(body), { "content-type": "application/json" });

/** A reason that applies only to orders tagged `tag`, so each test's reasons leave the others' orders alone. */
const reason = (reasonId: string, rank: number, tag: string, extra: Record<string, unknown> = {}) => ({
  reasonId,
  rank,
  condition: { fact: "order.tags", op: "contains", value: tag },
  timeoutSeconds: 600,
  onTimeout: "ESCALATE",
  ...extra,
});

/** Adds reasons to the web-de channel's configuration (keeping the other tests' reasons). */
async function addReasons(...reasons: Record<string, unknown>[]): Promise<void> {
  const current = await api.get("/channels/web-de/approval-reasons");
  const kept = (current.body.reasons as { reasonId: string }[]).filter(
    (r) => !reasons.some((n) => n.reasonId === r.reasonId),
  );
  const res = await put("/channels/web-de/approval-reasons", { reasons: [...kept, ...reasons] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function placeOrder(tag: string): Promise<string> {
  const res = await api.post("/orders", uniqueOrder({ ...sampleBody(), tags: [tag] }));
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return String(res.body.orderId);
}

interface ApprovalView {
  reasonId: string;
  status: string;
  actor?: string;
  comment?: string;
}

async function approvalsOf(orderId: string): Promise<ApprovalView[]> {
  const res = await api.get(`/orders/${orderId}/approvals`);
  expect(res.status).toBe(200);
  return res.body.approvals as ApprovalView[];
}

/** Polls the order's approvals until `reasonId` has `status`. */
async function waitForApproval(orderId: string, reasonId: string, status: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last: ApprovalView[] = [];
  while (Date.now() < deadline) {
    last = await approvalsOf(orderId);
    if (last.some((a) => a.reasonId === reasonId && a.status === status)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`approval ${reasonId} of ${orderId} did not reach ${status}: ${JSON.stringify(last)}`);
}

const decide = (orderId: string, reasonId: string, decision: "APPROVE" | "DECLINE", comment?: string) =>
  api.post(`/orders/${orderId}/approvals/${reasonId}/decision`, {
    decision,
    actor: "ops@example.com",
    ...(comment ? { comment } : {}),
  });

async function eventTypes(orderId: string): Promise<string[]> {
  const res = await api.get(`/orders/${orderId}/events`);
  return (res.body.items as { type: string }[]).map((e) => e.type);
}

/** Polls `read` until `done` holds for its value (the hold timer's execution keeps the engine busy). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

async function activeReservations(orderId: string) {
  return (await deps.inventory.listReservations(orderId)).filter((r) => r.status === "ACTIVE");
}

describe("approval reasons of a channel", () => {
  it("stores them validated (400 at the field, 404 for an unknown channel) and versions them", async () => {
    const bad = await put("/channels/web-de/approval-reasons", {
      reasons: [
        { reasonId: "x", rank: 1, timeoutSeconds: 0, onTimeout: "ESCALATE" },
        {
          reasonId: "y",
          rank: 1,
          timeoutSeconds: 5,
          onTimeout: "DECLINE",
          condition: { fact: "order.colour", op: "eq", value: "red" },
        },
      ],
    });
    expect(bad.status).toBe(400);
    const fields = (bad.body.issues as { path: string }[]).map((i) => i.path);
    expect(fields).toEqual(expect.arrayContaining(["reasons.0.timeoutSeconds", "reasons.1.condition.fact"]));
    expect((await put("/channels/nope/approval-reasons", { reasons: [] })).status).toBe(404);

    const before = await api.get("/channels/web-de/approval-reasons");
    await addReasons(reason("cfg", 1, "cfg-only"));
    const after = await api.get("/channels/web-de/approval-reasons");
    expect(after.body.version).toBe(Number(before.body.version) + 1);
    expect(after.body.reasons).toEqual(
      expect.arrayContaining([expect.objectContaining({ reasonId: "cfg", rerouteAfterApproval: false })]),
    );
  });

  it("lets an order no reason applies to go straight through to SUBMITTED", async () => {
    const orderId = await placeOrder("no-approval");
    const order = await api.waitForStatus(orderId, "SUBMITTED");
    expect((order.timeline as { action: string }[]).map((t) => t.action)).not.toContain("request-approval");
    expect(await approvalsOf(orderId)).toEqual([]);
  });
});

describe("sequential and parallel approval", () => {
  it("asks rank 2 only after rank 1 approved, then submits; a repeated decision changes nothing", async () => {
    await addReasons(reason("seq-credit", 1, "seq"), reason("seq-manager", 2, "seq"));
    const orderId = await placeOrder("seq");
    await api.waitForStatus(orderId, "AWAITING_APPROVAL");
    const first = await waitForApproval(orderId, "seq-credit", "REQUESTED");
    expect(first.map((a) => a.reasonId)).toEqual(["seq-credit"]);
    expect(await activeReservations(orderId)).toHaveLength(2);

    const approved = await decide(orderId, "seq-credit", "APPROVE", "limit ok");
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      repeated: false,
      approval: { status: "APPROVED", actor: "ops@example.com" },
    });
    await waitForApproval(orderId, "seq-manager", "REQUESTED");

    const eventsBefore = await eventTypes(orderId);
    const again = await decide(orderId, "seq-credit", "APPROVE");
    expect(again.body).toMatchObject({
      repeated: true,
      approval: { status: "APPROVED", comment: "limit ok" },
    });
    const other = await decide(orderId, "seq-credit", "DECLINE");
    expect(other.status).toBe(409);
    expect(other.body.code).toBe("APPROVAL_NOT_OPEN");
    expect(await eventTypes(orderId)).toEqual(eventsBefore);

    expect((await decide(orderId, "seq-manager", "APPROVE")).status).toBe(200);
    await api.waitForStatus(orderId, "SUBMITTED");
    const types = await eventTypes(orderId);
    expect(types.filter((t) => t.startsWith("order.approval") || t === "order.approved")).toEqual([
      "order.approval-requested",
      "order.approval-decided",
      "order.approval-requested",
      "order.approval-decided",
      "order.approved",
    ]);
    expect(types.at(-1)).toBe("order.submitted");
  });

  it("asks equal ranks at once; one decline (from a third party's callback) declines the order and frees its stock", async () => {
    await addReasons(
      reason("par-risk", 1, "par"),
      reason("par-credit", 1, "par", { thirdParty: { name: "Credit Bureau" } }),
      reason("par-later", 2, "par"),
    );
    const orderId = await placeOrder("par");
    await waitForApproval(orderId, "par-risk", "REQUESTED");
    await waitForApproval(orderId, "par-credit", "REQUESTED");
    expect(await activeReservations(orderId)).toHaveLength(2);

    // The third party learns its callback from order.approval-requested.
    const events = (await api.get(`/orders/${orderId}/events`)).body.items as {
      type: string;
      data: { reasonId: string; callback?: { callbackId: string; path: string } };
    }[];
    const request = events.find(
      (e) => e.type === "order.approval-requested" && e.data.reasonId === "par-credit",
    );
    expect(request?.data.callback?.path).toMatch(/^\/approval-callbacks\//);
    expect(events.find((e) => e.data.reasonId === "par-risk")?.data.callback).toBeUndefined();

    expect((await decide(orderId, "par-risk", "APPROVE")).status).toBe(200);
    const callback = await api.post(request?.data.callback?.path ?? "", {
      decision: "DECLINE",
      actor: "Credit Bureau",
      comment: "score too low",
    });
    expect(callback.status, JSON.stringify(callback.body)).toBe(200);
    const order = await api.waitForStatus(orderId, "DECLINED");
    expect(order.decline).toEqual({
      reasonId: "par-credit",
      actor: "Credit Bureau",
      comment: "score too low",
    });
    expect(
      await eventually(
        () => activeReservations(orderId),
        (r) => r.length === 0,
      ),
    ).toEqual([]);
    const released = await deps.inventory.listReservations(orderId);
    expect(released.map((r) => r.releaseReason)).toEqual(["DECLINED", "DECLINED"]);
    const approvals = await approvalsOf(orderId);
    expect(approvals.map((a) => [a.reasonId, a.status]).sort()).toEqual([
      ["par-credit", "DECLINED"],
      ["par-risk", "APPROVED"],
    ]);
    expect(await eventTypes(orderId)).toContain("order.declined");
    // A callback id is not a key to anything else.
    expect(
      (await api.post("/approval-callbacks/AAAAAAAAAAAAAAAAAAAAAAAA", { decision: "APPROVE", actor: "x" }))
        .status,
    ).toBe(404);
  });
});

describe("timeouts", () => {
  it("escalates an unanswered reason (event + operator task) and keeps waiting for the decision", async () => {
    await addReasons(reason("esc", 1, "esc", { timeoutSeconds: 1, onTimeout: "ESCALATE" }));
    const orderId = await placeOrder("esc");
    await waitForApproval(orderId, "esc", "ESCALATED", 20_000);
    const tasks = await api.get("/approvals?status=ESCALATED");
    expect(tasks.status).toBe(200);
    expect(tasks.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ orderId, reasonId: "esc", status: "ESCALATED" })]),
    );
    expect(await eventTypes(orderId)).toContain("order.approval-escalated");
    expect((await decide(orderId, "esc", "APPROVE", "checked by hand")).status).toBe(200);
    await api.waitForStatus(orderId, "SUBMITTED");
    const after = await api.get("/approvals?status=ESCALATED");
    expect((after.body.items as { orderId: string }[]).some((i) => i.orderId === orderId)).toBe(false);
  });

  it("declines an order whose reason times out with onTimeout DECLINE", async () => {
    await addReasons(reason("tod", 1, "tod", { timeoutSeconds: 1, onTimeout: "DECLINE" }));
    const orderId = await placeOrder("tod");
    const order = await api.waitForStatus(orderId, "DECLINED", 20_000);
    expect(order.decline).toMatchObject({ reasonId: "tod", actor: "system" });
    expect((await approvalsOf(orderId))[0]).toMatchObject({ status: "TIMED_OUT" });
    expect(
      await eventually(
        () => activeReservations(orderId),
        (r) => r.length === 0,
      ),
    ).toEqual([]);
    // Too late: the reason is closed.
    expect((await decide(orderId, "tod", "APPROVE")).status).toBe(409);
  });
});

describe("after approval", () => {
  it("routes again when a reason asks for it, then submits (reserved once, not twice)", async () => {
    await addReasons(reason("rr", 1, "rr", { rerouteAfterApproval: true }));
    const orderId = await placeOrder("rr");
    await waitForApproval(orderId, "rr", "REQUESTED");
    expect((await decide(orderId, "rr", "APPROVE")).status).toBe(200);
    const order = await api.waitForStatus(orderId, "SUBMITTED");
    const actions = (order.timeline as { action: string }[]).map((t) => t.action);
    expect(actions.filter((a) => a === "route")).toHaveLength(2);
    expect(actions.indexOf("approve")).toBeLessThan(actions.lastIndexOf("route"));
    const events = (await api.get(`/orders/${orderId}/events`)).body.items as {
      type: string;
      data: { reroute?: boolean };
    }[];
    expect(events.find((e) => e.type === "order.approved")?.data.reroute).toBe(true);
    const reservations = await deps.inventory.listReservations(orderId);
    expect(reservations.filter((r) => r.status !== "RELEASED")).toHaveLength(2);
  });

  it("repeats nothing when a step runs again after a crash (plan, request, approve)", async () => {
    await addReasons(reason("crash", 1, "crash"));
    const orderId = await placeOrder("crash");
    await waitForApproval(orderId, "crash", "REQUESTED");
    const waiting = await eventTypes(orderId);
    // The Approve? step again: the order already waits; the workflow start is a no-op.
    expect(await planOrderApproval(deps, orderId)).toMatchObject({ approval: "AWAITING" });
    // The request task again with its token: the same approval, no second event.
    const stored = await deps.approvals.getApproval(orderId, "crash");
    const again = await requestApproval(deps, {
      orderId,
      reasonId: "crash",
      taskToken: stored?.taskToken ?? "",
    });
    expect(again).toEqual(stored);
    expect(await eventTypes(orderId)).toEqual(waiting);

    expect((await decide(orderId, "crash", "APPROVE")).status).toBe(200);
    await api.waitForStatus(orderId, "SUBMITTED");
    const done = await eventTypes(orderId);
    // The approve task and the Approve? step once more (a retry after a crash that struck after their
    // writes): nothing is written, nothing started twice.
    expect(await approveOrder(deps, orderId)).toMatchObject({ status: "SUBMITTED" });
    expect(await planOrderApproval(deps, orderId)).toMatchObject({ approval: "NOT_REQUIRED" });
    await new Promise((r) => setTimeout(r, 500));
    expect(await eventTypes(orderId)).toEqual(done);
    expect(done.filter((t) => t === "order.submitted")).toHaveLength(1);
  });

  it("shows a failed approval as EXCEPTION; a retry starts the approval again and it completes", async () => {
    await addReasons(reason("flaky", 1, "flaky"));
    runtime.functions.injectFault("approval-step", {
      times: 1,
      errorType: "ApproverSystemDown",
      message: "the approval store refused",
    });
    const orderId = await placeOrder("flaky");
    const failed = await api.waitForStatus(orderId, "EXCEPTION");
    expect(failed.exception).toMatchObject({
      previousStatus: "AWAITING_APPROVAL",
      error: "ApproverSystemDown",
      cause: "the approval store refused",
    });
    const retried = await api.post(`/orders/${orderId}/retry`, {});
    expect(retried.status, JSON.stringify(retried.body)).toBe(202);
    expect(retried.body).toMatchObject({ resumeAt: "AfterRouting" });
    await api.waitForStatus(orderId, "AWAITING_APPROVAL");
    await waitForApproval(orderId, "flaky", "REQUESTED");
    expect((await decide(orderId, "flaky", "APPROVE")).status).toBe(200);
    const done = await api.waitForStatus(orderId, "SUBMITTED");
    expect((done.timeline as { action: string }[]).map((t) => t.action)).toEqual([
      "capture",
      "validate",
      "route",
      "request-approval",
      "raise-exception",
      "recover",
      "approve",
      "respond",
      "submit",
    ]);
  });

  it("costs one reason's approval: 4 Standard transitions, 2 task Lambdas, one more Express execution", async () => {
    await addReasons(reason("cost", 1, "cost"));
    const orderId = await placeOrder("cost");
    await waitForApproval(orderId, "cost", "REQUESTED");
    expect((await decide(orderId, "cost", "APPROVE")).status).toBe(200);
    const done = await api.waitForStatus(orderId, "SUBMITTED");
    const sfn = new SFNClient(aws(runtime.awsEndpoint));
    const approval = await eventually(
      () =>
        sfn.send(
          new DescribeExecutionCommand({
            executionArn: runtime.executionArn("order-approval", `${orderId}-approval`),
          }),
        ),
      (e) => e.status === "SUCCEEDED",
    );
    expect(approval.status).toBe("SUCCEEDED");
    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: approval.executionArn, maxResults: 1000 }),
    );
    const entered = (history.events ?? []).flatMap((e) => e.stateEnteredEventDetails?.name ?? []);
    // Standard bills a transition per state entered: Ranks, Reasons (per rank), Request (per reason), Approve.
    expect(entered).toEqual(["Ranks", "Reasons", "Request", "Approve"]);
    const lambdas = (history.events ?? []).filter((e) => e.type === "TaskScheduled").length;
    expect(lambdas).toBe(2);
    // The order's own workflow: the first Express execution ends at AwaitingApproval, a second one
    // (AfterApproval) submits it.
    expect(String(done.executionArn)).toContain(`${orderId}-AfterApproval-`);
  });

  it("holds the stock of a waiting order until the channel's hold time (the hold sweep), then routes it again on approval", async () => {
    await addReasons(reason("hold", 1, "hold"));
    const orderId = await placeOrder("hold");
    await waitForApproval(orderId, "hold", "REQUESTED");
    const awaitingSince = (await deps.repo.getOrder(orderId))?.timeline.findLast(
      (t) => t.action === "request-approval",
    )?.at;
    if (!awaitingSince) throw new Error("the order never began to wait");
    // The sweep as the schedule runs it, `minutes` from now (web-de holds stock for 60 minutes).
    const sweepIn = (minutes: number) => {
      const at = new Date(Date.now() + minutes * 60_000).toISOString();
      return expireDueHolds({ ...deps, holds, clock: { now: () => at } });
    };
    // Half-way through the hold time nothing of this file's orders is due: the stock stays reserved.
    expect(await sweepIn(30)).toEqual({ expired: 0, released: 0, failed: 0 });
    expect(await activeReservations(orderId)).toHaveLength(2);

    // Past it: released as EXPIRED, the order still waits for its decision.
    const swept = await sweepIn(61);
    expect(swept.failed).toBe(0);
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    expect(swept.released).toBeGreaterThanOrEqual(2);
    const expired = await deps.inventory.listReservations(orderId);
    expect(expired.map((r) => [r.status, r.releaseReason])).toEqual([
      ["RELEASED", "EXPIRED"],
      ["RELEASED", "EXPIRED"],
    ]);
    expect((await api.get(`/orders/${orderId}`)).body.status).toBe("AWAITING_APPROVAL");
    // A repeated start of the same episode's hold and a repeated sweep change nothing.
    await holds.startHold(orderId, awaitingSince, 3600);
    expect(await sweepIn(61)).toEqual({ expired: 0, released: 0, failed: 0 });

    expect((await decide(orderId, "hold", "APPROVE")).status).toBe(200);
    await api.waitForStatus(orderId, "SUBMITTED");
    const events = (await api.get(`/orders/${orderId}/events`)).body.items as {
      type: string;
      data: { reroute?: boolean };
    }[];
    expect(events.find((e) => e.type === "order.approved")?.data.reroute).toBe(true);
    expect(await activeReservations(orderId)).toHaveLength(2);
  });
});
