// Submission to locations with the real engines (DynamoDB Local, local Step Functions and EventBridge, the
// HTTP API): locations that answer get their part (pulled, or POSTed signed to a webhook), the order waits
// in AWAITING_ACCEPTANCE, answers per line complete it; a rejection releases the reservation there and
// re-allocates the position to another location; answers of several locations at once all count; an
// unanswered part is escalated or re-allocated by the overdue sweep; bad answers get 4xx.
import { SFNClient } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubmissionRepository } from "../../adapters/dynamodb/submission-repository.ts";
import { HttpWebhookSender } from "../../adapters/subscriptions/http-webhook-sender.ts";
import { StepFunctionsWorkflowStarter } from "../../adapters/workflow/step-functions-starter.ts";
import type { Runtime } from "../../local/runtime.ts";
import { type SubmissionFlowDeps, sweepOverdueSubmissions } from "../../usecases/submissions.ts";
import { systemIds } from "../../usecases/system-ports.ts";
import {
  count,
  createLocation,
  documentClient,
  putChannel,
  repositories,
  stockAt,
  uid,
} from "../support/inventory-fixtures.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-subscriber.ts";

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;
let receiver: WebhookReceiver;

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await runtime?.stop();
});

const PULL = { channel: "PULL", acknowledgement: "EXPLICIT" };
const SECRET = "s3cr3t-for-the-location-webhook-0123456789";

interface Setup {
  channelId: string;
  sku: string;
  locations: string[];
}

/** A channel seeing the given locations (first = default), each with stock of one fresh SKU. */
async function setup(
  locations: { priority: number; submission?: Record<string, unknown>; units?: number }[],
  skus = 1,
): Promise<Setup & { skus: string[] }> {
  const channelId = uid("ch-sub");
  const ids = locations.map(() => uid("loc-sub"));
  const skuIds = Array.from({ length: skus }, () => uid("SKU-SUB"));
  for (const [i, l] of locations.entries()) {
    await createLocation(api, ids[i] ?? "", {
      priority: l.priority,
      networks: [channelId],
      ...(l.submission ? { submission: l.submission } : {}),
    });
  }
  await putChannel(runtime, {
    channelId,
    defaultLocationId: ids[0] ?? "",
    inventory: {
      locationIds: [],
      networks: [channelId],
      whenOutOfStock: "NOT_ANNOUNCED",
      reservationHoldMinutes: 60,
    },
  });
  const lines = locations.flatMap((l, i) =>
    skuIds.map((sku) => ({ sku, locationId: ids[i], onHand: l.units ?? 5 })),
  );
  await count(api, lines);
  return { channelId, sku: skuIds[0] ?? "", skus: skuIds, locations: ids };
}

async function placeOrder(channelId: string, positions: { sku: string; quantity: number }[]) {
  const body = {
    ...uniqueOrder(sampleBody()),
    channelId,
    positions: positions.map((p) => ({ ...p, unitPrice: 10 })),
  };
  const res = await api.post("/orders", body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return String(res.body.orderId);
}

const answer = (locationId: string, orderId: string, body: unknown) =>
  api.post(`/locations/${locationId}/submissions/${orderId}/answer`, body);

async function eventTypes(orderId: string): Promise<string[]> {
  const res = await api.get(`/orders/${orderId}/events`);
  return (res.body.items as { type: string }[]).map((e) => e.type);
}

describe("submission to locations that answer", () => {
  it("waits for a polling location's answer; its rejection re-allocates the line to another location", async () => {
    const { channelId, sku, locations } = await setup([
      { priority: 1, submission: PULL },
      { priority: 50, submission: PULL },
    ]);
    const [first = "", second = ""] = locations;
    const orderId = await placeOrder(channelId, [{ sku, quantity: 2 }]);
    const waiting = await api.waitForStatus(orderId, "AWAITING_ACCEPTANCE");
    expect((waiting.positions as { status: string; locationId: string }[])[0]).toMatchObject({
      status: "AWAITING_ACCEPTANCE",
      locationId: first,
    });

    // A repeated Submit (a retry after a crash, a duplicate execution) sends and records nothing twice.
    const eventsBefore = await eventTypes(orderId);
    const repeat = await runtime.functions.invoke(runtime.functions.arnOf("submit-order"), { orderId });
    expect(repeat).toMatchObject({ status: "AWAITING_ACCEPTANCE", changed: false });
    expect(await eventTypes(orderId)).toEqual(eventsBefore);

    // The first location polls its work list and finds the part.
    const open = await api.get(`/locations/${first}/submissions?status=OPEN`);
    expect(open.status).toBe(200);
    const parts = open.body.items as { orderId: string; lines: { lineId: string; quantity: number }[] }[];
    expect(parts.map((p) => p.orderId)).toEqual([orderId]);
    expect(parts[0]?.lines).toMatchObject([{ lineId: "1", sku, quantity: 2 }]);
    expect((await stockAt(api, sku, first))?.reserved).toBe(2);

    // It rejects: the reservation there goes back, routing runs again without it.
    const rejected = await answer(first, orderId, {
      lines: [{ lineId: "1", decision: "REJECT", reason: "damaged stock" }],
      actor: "wms-1",
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body.repeated).toBe(false);
    const rerouted = await api.waitForStatus(orderId, "AWAITING_ACCEPTANCE");
    await expect
      .poll(async () => (await api.get(`/orders/${orderId}`)).body.positions)
      .toMatchObject([{ status: "AWAITING_ACCEPTANCE", locationId: second }]);
    expect(rerouted.status).toBe("AWAITING_ACCEPTANCE");
    expect((await stockAt(api, sku, first))?.reserved).toBe(0);
    expect((await stockAt(api, sku, second))?.reserved).toBe(2);
    const order = (await api.get(`/orders/${orderId}`)).body;
    expect((order.positions as { rejections: unknown[] }[])[0]?.rejections).toMatchObject([
      { locationId: first, reason: "damaged stock" },
    ]);
    // The trace of the second routing names why the first location was left out.
    const routing = await api.get(`/orders/${orderId}/routing`);
    expect(JSON.stringify(routing.body)).toContain("REJECTED");

    // The second location accepts everything open: the order is SUBMITTED.
    const accepted = await answer(second, orderId, { decision: "ACCEPT" });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.status).toBe("SUBMITTED");
    await api.waitForStatus(orderId, "SUBMITTED");
    expect(await eventTypes(orderId)).toEqual([
      "order.created",
      "order.validated",
      "order.routed",
      "order.response",
      "order.submission-requested",
      "order.awaiting-acceptance",
      "order.submission-answered",
      "order.routed",
      "order.response",
      "order.submission-requested",
      "order.awaiting-acceptance",
      "order.submission-answered",
      "order.submitted",
    ]);

    // The same answer again is a repeat; another answer now is a conflict; the order's parts are listed.
    const again = await answer(second, orderId, { decision: "ACCEPT" });
    expect(again.status).toBe(200);
    expect(again.body.repeated).toBe(true);
    const changed = await answer(second, orderId, { lines: [{ lineId: "1", decision: "REJECT" }] });
    expect(changed.status).toBe(409);
    expect(changed.body.code).toBe("SUBMISSION_NOT_OPEN");
    const listed = await api.get(`/orders/${orderId}/submissions`);
    expect(
      (listed.body.items as { locationId: string; status: string; round: number }[])
        .sort((x, y) => x.round - y.round)
        .map((s) => [s.locationId, s.status, s.round]),
    ).toEqual([
      [first, "ANSWERED", 1],
      [second, "ANSWERED", 2],
    ]);
    expect((await api.get(`/locations/${first}/submissions?status=OPEN`)).body.items).toEqual([]);
  });

  it("re-routes a split position whole when one location rejects its share; the other share is withdrawn", async () => {
    const { channelId, sku, locations } = await setup([
      { priority: 1, submission: PULL, units: 2 },
      { priority: 2, submission: PULL, units: 2 },
      { priority: 3, submission: PULL, units: 2 },
    ]);
    const ruleSetId = uid("split");
    const created = await api.post("/routing/rule-sets", {
      ruleSetId,
      name: "split positions",
      rank: 1,
      conditions: { fact: "order.channel", op: "eq", value: channelId },
      splitPositions: true,
      maxSplit: 2,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await api.post(`/routing/rule-sets/${ruleSetId}/versions/1/publish`, {})).status).toBe(200);

    const orderId = await placeOrder(channelId, [{ sku, quantity: 4 }]);
    const waiting = await api.waitForStatus(orderId, "AWAITING_ACCEPTANCE");
    const first = (waiting.positions as { allocations: { locationId: string; quantity: number }[] }[])[0]
      ?.allocations;
    expect(first?.map((a) => a.quantity)).toEqual([2, 2]);
    const [rejecting = "", other = ""] = first?.map((a) => a.locationId) ?? [];

    // The other location accepts its share first; then the first one rejects its share.
    expect((await answer(other, orderId, { decision: "ACCEPT" })).status).toBe(200);
    const rejected = await answer(rejecting, orderId, { decision: "REJECT", reason: "short" });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);

    // Routed again whole, without the rejecting location; the accepting one's share was withdrawn.
    await expect
      .poll(
        async () => {
          const order = (await api.get(`/orders/${orderId}`)).body;
          const p = (order.positions as { status: string; allocations?: { locationId: string }[] }[])[0];
          return p?.status === "AWAITING_ACCEPTANCE"
            ? p.allocations?.map((a) => a.locationId).sort()
            : undefined;
        },
        { timeout: 10_000 },
      )
      .toEqual(locations.filter((l) => l !== rejecting).sort());
    const parts = (await api.get(`/orders/${orderId}/submissions`)).body.items as {
      locationId: string;
      round: number;
      status: string;
      lines: { decision?: string }[];
    }[];
    const earlier = parts.find((p) => p.locationId === other && p.round === 1);
    expect(earlier?.status).toBe("WITHDRAWN");
    expect(earlier?.lines[0]?.decision).toBe("WITHDRAWN");
    // Reservations follow the allocations: nothing left at the rejecting location, 2 at each of the others.
    expect((await stockAt(api, sku, rejecting))?.reserved).toBe(0);
    for (const l of locations.filter((x) => x !== rejecting))
      expect((await stockAt(api, sku, l))?.reserved).toBe(2);

    // Both answer the new round (the accepting one's withdrawn round-1 line does not block it).
    for (const l of locations.filter((x) => x !== rejecting)) {
      const res = await answer(l, orderId, { decision: "ACCEPT" });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    await api.waitForStatus(orderId, "SUBMITTED");
  });

  it("counts the answers of several locations arriving at once", async () => {
    // Two SKUs, each stocked at one location only: the order is split over three locations' parts.
    const a = await setup([{ priority: 1, submission: PULL }]);
    const b = await setup([{ priority: 1, submission: PULL }]);
    const c = await setup([{ priority: 1, submission: PULL }]);
    const channelId = uid("ch-multi");
    await putChannel(runtime, {
      channelId,
      defaultLocationId: a.locations[0] ?? "",
      inventory: {
        locationIds: [...a.locations, ...b.locations, ...c.locations],
        networks: [],
        whenOutOfStock: "NOT_ANNOUNCED",
        reservationHoldMinutes: 60,
      },
    });
    const orderId = await placeOrder(channelId, [
      { sku: a.sku, quantity: 1 },
      { sku: b.sku, quantity: 1 },
      { sku: c.sku, quantity: 1 },
    ]);
    await api.waitForStatus(orderId, "AWAITING_ACCEPTANCE");
    const answers = await Promise.all(
      [a, b, c].map((s) => answer(s.locations[0] ?? "", orderId, { decision: "ACCEPT" })),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    const order = await api.waitForStatus(orderId, "SUBMITTED", 5000);
    expect((order.positions as { status: string }[]).map((p) => p.status)).toEqual([
      "SUBMITTED",
      "SUBMITTED",
      "SUBMITTED",
    ]);
    const types = await eventTypes(orderId);
    expect(types.filter((t) => t === "order.submission-answered")).toHaveLength(3);
    expect(types.filter((t) => t === "order.submitted")).toHaveLength(1);
  });

  it("POSTs the part, signed, to a webhook location, which answers through the API", async () => {
    receiver.setSecret(SECRET);
    receiver.answerWith(() => 200);
    const { channelId, sku, locations } = await setup([
      {
        priority: 1,
        submission: {
          channel: "WEBHOOK",
          acknowledgement: "EXPLICIT",
          webhook: { url: receiver.url, secret: SECRET },
        },
      },
    ]);
    const location = locations[0] ?? "";
    // The API never shows the secret.
    const shown = await api.get(`/locations/${location}`);
    expect(JSON.stringify(shown.body)).not.toContain(SECRET);

    const orderId = await placeOrder(channelId, [{ sku, quantity: 1 }]);
    await api.waitForStatus(orderId, "AWAITING_ACCEPTANCE");
    const mine = () => receiver.requests.filter((r) => r.rawBody.includes(orderId));
    await receiver.waitFor(() => mine().length > 0);
    const request = mine()[0];
    expect(request?.signatureValid).toBe(true);
    expect(request?.headers["oms-event-type"]).toBe("order.submission-requested");
    const body = JSON.parse(request?.rawBody ?? "{}") as {
      submission: { answer: { path: string }; lines: { sku: string }[] };
    };
    expect(body.submission.lines.map((l) => l.sku)).toEqual([sku]);
    const listed = await api.get(`/orders/${orderId}/submissions`);
    expect((listed.body.items as { deliveredAt?: string }[])[0]?.deliveredAt).toBeDefined();

    const res = await api.post(body.submission.answer.path, { decision: "ACCEPT", actor: "erp" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await api.waitForStatus(orderId, "SUBMITTED");
  });

  it("retries a failing webhook and accepts on delivery where the location does not answer", async () => {
    receiver.setSecret(SECRET);
    const { channelId, sku, locations } = await setup([
      {
        priority: 1,
        submission: {
          channel: "WEBHOOK",
          acknowledgement: "ON_DISPATCH",
          webhook: { url: receiver.url, secret: SECRET },
        },
      },
    ]);
    let failures = 0;
    receiver.answerWith((r) => {
      if (!r.rawBody.includes(locations[0] ?? "")) return 200;
      failures += 1;
      return failures <= 2 ? 500 : 200;
    });
    const orderId = await placeOrder(channelId, [{ sku, quantity: 1 }]);
    const order = await api.waitForStatus(orderId, "SUBMITTED", 20_000);
    const attempts = receiver.requests
      .filter((r) => r.rawBody.includes(orderId))
      .map((r) => [r.headers["oms-delivery-attempt"], r.status]);
    expect(attempts).toEqual([
      ["1", 500],
      ["2", 500],
      ["3", 200],
    ]);
    expect((order.positions as { status: string }[])[0]?.status).toBe("SUBMITTED");
    const answered = (await api.get(`/orders/${orderId}/events`)).body.items as {
      type: string;
      data: { actor?: string };
    }[];
    expect(answered.find((e) => e.type === "order.submission-answered")?.data.actor).toBe("oms-delivery");
    receiver.answerWith(() => 200);
  });

  it("escalates an unanswered part, or re-allocates it where the location says so", async () => {
    const escalate = await setup([{ priority: 1, submission: { ...PULL, answerWithinMinutes: 1 } }]);
    const reallocate = await setup([
      { priority: 1, submission: { ...PULL, answerWithinMinutes: 1, onOverdue: "REALLOCATE" } },
      { priority: 50 },
    ]);
    const first = await placeOrder(escalate.channelId, [{ sku: escalate.sku, quantity: 1 }]);
    const second = await placeOrder(reallocate.channelId, [{ sku: reallocate.sku, quantity: 1 }]);
    await api.waitForStatus(first, "AWAITING_ACCEPTANCE");
    await api.waitForStatus(second, "AWAITING_ACCEPTANCE");

    // The sweep as the schedule runs it, two minutes later.
    const db = documentClient(runtime);
    const later = new Date(Date.now() + 2 * 60_000).toISOString();
    const deps: SubmissionFlowDeps = {
      ...(({ orders, inventory }) => ({ repo: orders, inventory }))(repositories(runtime)),
      submissions: new SubmissionRepository(db, runtime.tableName),
      clock: { now: () => later },
      ids: systemIds,
      sender: new HttpWebhookSender(2000),
      workflows: new StepFunctionsWorkflowStarter(
        new SFNClient({
          endpoint: runtime.awsEndpoint,
          region: "us-east-1",
          credentials: { accessKeyId: "x", secretAccessKey: "x" },
        }),
        { HOME_DELIVERY: runtime.stateMachineArn("home-delivery") },
      ),
    };
    const swept = await sweepOverdueSubmissions(deps);
    expect(swept.escalated).toBeGreaterThanOrEqual(1);
    expect(swept.reallocated).toBeGreaterThanOrEqual(1);
    expect(swept.failed).toBe(0);

    // Escalated: on the operators' list, still answerable.
    const overdue = await api.get(`/locations/${escalate.locations[0]}/submissions?status=OVERDUE`);
    expect((overdue.body.items as { orderId: string }[]).map((s) => s.orderId)).toEqual([first]);
    expect(await eventTypes(first)).toContain("order.submission-overdue");
    expect((await answer(escalate.locations[0] ?? "", first, { decision: "ACCEPT" })).status).toBe(200);
    await api.waitForStatus(first, "SUBMITTED");

    // Re-allocated: the second location (no answer expected) takes it.
    const done = await api.waitForStatus(second, "SUBMITTED");
    expect((done.positions as { locationId: string }[])[0]?.locationId).toBe(reallocate.locations[1]);
    const reallocation = ((await api.get(`/orders/${second}/events`)).body.items as { type: string }[]).map(
      (e) => e.type,
    );
    expect(reallocation).toContain("order.submission-overdue");
    expect(reallocation.filter((t) => t === "order.submitted")).toHaveLength(1);
    // A second sweep finds nothing more to do.
    expect(await sweepOverdueSubmissions(deps)).toEqual({
      escalated: 0,
      reallocated: 0,
      resumed: 0,
      failed: 0,
    });
  });

  it("refuses bad answers and bad submission settings with specific errors", async () => {
    const { channelId, sku, locations } = await setup([{ priority: 1, submission: PULL }]);
    const location = locations[0] ?? "";
    const orderId = await placeOrder(channelId, [{ sku, quantity: 1 }]);
    await api.waitForStatus(orderId, "AWAITING_ACCEPTANCE");

    const unknownLine = await answer(location, orderId, { lines: [{ lineId: "9", decision: "ACCEPT" }] });
    expect(unknownLine.status).toBe(422);
    expect(unknownLine.body.field).toBe("lines");
    expect(unknownLine.body.code).toBe("UNKNOWN_LINE");
    const both = await answer(location, orderId, {
      decision: "ACCEPT",
      lines: [{ lineId: "1", decision: "ACCEPT" }],
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain("lines");
    const badDecision = await answer(location, orderId, { decision: "MAYBE" });
    expect(badDecision.status).toBe(400);
    const elsewhere = await answer(uid("nowhere"), orderId, { decision: "ACCEPT" });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.code).toBe("SUBMISSION_NOT_FOUND");
    // Nothing of that changed the part.
    expect((await api.get(`/orders/${orderId}`)).body.status).toBe("AWAITING_ACCEPTANCE");

    const noUrl = await api.post("/locations", {
      locationId: uid("loc-bad"),
      name: "bad",
      kind: "STORE",
      address: { postalCode: "10115", city: "Berlin", country: "DE" },
      submission: { channel: "WEBHOOK", acknowledgement: "EXPLICIT" },
    });
    expect(noUrl.status).toBe(400);
    expect(JSON.stringify(noUrl.body)).toContain("submission.webhook");
    const pullOnDispatch = await api.post("/locations", {
      locationId: uid("loc-bad"),
      name: "bad",
      kind: "STORE",
      address: { postalCode: "10115", city: "Berlin", country: "DE" },
      submission: { channel: "PULL", acknowledgement: "ON_DISPATCH" },
    });
    expect(pullOnDispatch.status).toBe(400);
    expect(JSON.stringify(pullOnDispatch.body)).toContain("submission.acknowledgement");
  });
});
