// The pure submission rules: which status submit leads to, how answers move positions (accepted, rejected
// back to routing with the location remembered, a split position's other part withdrawn), the guards, and
// the location settings' and answers' validation.
import { describe, expect, it } from "vitest";
import {
  applyAnswers,
  lineAnswers,
  locationSubmissionSchema,
  newSubmission,
  submissionParts,
  withdrawLines,
} from "../../domain/fulfillment/submission.ts";
import { applyCommand, type OrderCommand, refusal } from "../../domain/order/lifecycle.ts";
import type { Order } from "../../domain/order/order.ts";
import { ConflictError, IllegalTransitionError, ValidationError } from "../../domain/shared/errors.ts";
import { sampleOrder } from "../support/order-fixtures.ts";

const at = "2026-11-23T10:00:00.000Z";
let n = 0;
const apply = (order: Order, command: OrderCommand) => applyCommand(order, command, at, `e${++n}`);

/** The sample order (lines 1 and 2) routed: line 1 split over a and b, line 2 at c. */
function routed(): Order {
  const validated = apply(sampleOrder(), { action: "validate" }).order;
  return apply(validated, {
    action: "route",
    assignments: [
      {
        lineId: "1",
        allocations: [
          { locationId: "a", quantity: 1 },
          { locationId: "b", quantity: 1 },
        ],
      },
      { lineId: "2", locationId: "c" },
    ],
  }).order;
}

describe("submit", () => {
  it("is SUBMITTED when every location counts as accepted on dispatch", () => {
    const { order, event } = apply(routed(), { action: "submit", accepted: ["a", "b", "c"] });
    expect(order.status).toBe("SUBMITTED");
    expect(event.type).toBe("order.submitted");
  });

  it("waits for the locations that answer, and names them", () => {
    const { order, event } = apply(routed(), { action: "submit", accepted: ["a"] });
    expect(order.status).toBe("AWAITING_ACCEPTANCE");
    expect(order.positions.map((p) => p.status)).toEqual(["AWAITING_ACCEPTANCE", "AWAITING_ACCEPTANCE"]);
    expect(event).toMatchObject({
      type: "order.awaiting-acceptance",
      data: { locationIds: ["a", "b", "c"], awaitingLocationIds: ["b", "c"] },
    });
  });

  it("groups the parts per location", () => {
    expect(
      submissionParts(routed()).map((p) => [p.locationId, p.lines.map((l) => [l.lineId, l.quantity])]),
    ).toEqual([
      ["a", [["1", 1]]],
      ["b", [["1", 1]]],
      ["c", [["2", 1]]],
    ]);
  });
});

describe("answers", () => {
  const waiting = () => apply(routed(), { action: "submit", accepted: [] }).order;

  it("completes a position once every location of it accepted", () => {
    let order = apply(waiting(), {
      action: "answer-submission",
      locationId: "a",
      answers: [{ lineId: "1", decision: "ACCEPTED" }],
      actor: "wms",
    }).order;
    expect(order.positions[0]?.status).toBe("AWAITING_ACCEPTANCE");
    order = apply(order, {
      action: "answer-submission",
      locationId: "b",
      answers: [{ lineId: "1", decision: "ACCEPTED" }],
      actor: "wms",
    }).order;
    expect(order.positions[0]?.status).toBe("SUBMITTED");
    expect(refusal(order, { action: "complete-submission" })).toBe("a position is not accepted yet");
    order = apply(order, {
      action: "answer-submission",
      locationId: "c",
      answers: [{ lineId: "2", decision: "ACCEPTED" }],
      actor: "wms",
    }).order;
    expect(order.status).toBe("AWAITING_ACCEPTANCE");
    const done = apply(order, { action: "complete-submission" });
    expect(done.order.status).toBe("SUBMITTED");
    expect(done.event).toMatchObject({ type: "order.submitted", data: { locationIds: ["a", "b", "c"] } });
  });

  it("sends a rejected position back to routing, remembering the location and withdrawing its other part", () => {
    const { order, event } = apply(waiting(), {
      action: "answer-submission",
      locationId: "a",
      answers: [{ lineId: "1", decision: "REJECTED", reason: "damaged" }],
      actor: "wms",
    });
    expect(order.status).toBe("VALIDATED");
    const line = order.positions[0];
    expect(line?.status).toBe("OPEN");
    expect(line?.allocations).toBeUndefined();
    expect(line?.rejections).toEqual([{ locationId: "a", reason: "damaged", at }]);
    expect(order.positions[1]?.status).toBe("AWAITING_ACCEPTANCE");
    expect(event).toMatchObject({
      type: "order.submission-answered",
      data: { rejected: [{ lineId: "1", reason: "damaged" }], withdrawn: [{ lineId: "1", locationId: "b" }] },
    });
    // Routing the open line again keeps the waiting one as it is.
    const rerouted = apply(order, { action: "route", assignments: [{ lineId: "1", locationId: "d" }] }).order;
    expect(rerouted.positions.map((p) => p.status)).toEqual(["ASSIGNED", "AWAITING_ACCEPTANCE"]);
    expect(rerouted.positions[0]?.rejections).toHaveLength(1);
    // Submitting that round leaves the earlier part waiting.
    const again = apply(rerouted, { action: "submit", accepted: ["d"] }).order;
    expect(again.status).toBe("AWAITING_ACCEPTANCE");
    expect(again.positions.map((p) => p.status)).toEqual(["SUBMITTED", "AWAITING_ACCEPTANCE"]);
  });

  it("takes a rejection only while the order waits for answers or is routed again", () => {
    const rejected = apply(waiting(), {
      action: "answer-submission",
      locationId: "a",
      answers: [{ lineId: "1", decision: "REJECTED", reason: "damaged" }],
      actor: "wms",
    }).order;
    // Routed again: line 1 at d, on its way (ROUTED). Location c rejecting line 2 now must wait.
    const routedAgain = apply(rejected, {
      action: "route",
      assignments: [{ lineId: "1", locationId: "d" }],
    }).order;
    const late: OrderCommand = {
      action: "answer-submission",
      locationId: "c",
      answers: [{ lineId: "2", decision: "REJECTED", reason: "closed" }],
      actor: "wms",
    };
    expect(refusal(routedAgain, late)).toMatch(/not while it is ROUTED/);
    // Accepting is fine meanwhile; so is a rejection before the routing wrote (VALIDATED).
    expect(
      refusal(routedAgain, { ...late, answers: [{ lineId: "2", decision: "ACCEPTED" }] }),
    ).toBeUndefined();
    expect(refusal(rejected, late)).toBeUndefined();
  });

  it("withdraws the other shares of a split position, accepted ones too, and lets a later part answer the line", () => {
    const order = routed();
    const settings = locationSubmissionSchema.parse({ channel: "PULL", acknowledgement: "EXPLICIT" });
    const [a, b] = submissionParts(order).map((p) => newSubmission(order, p, settings, 1, at));
    if (!a || !b) throw new Error("no parts");
    const acceptedAtB = applyAnswers(b, [{ lineId: "1", decision: "ACCEPTED" }], "x", at).submission;
    const withdrawn = withdrawLines(acceptedAtB, ["1"], at);
    expect(withdrawn.lines[0]?.decision).toBe("WITHDRAWN");
    expect(withdrawn.status).toBe("WITHDRAWN");
    // Line 1 comes back to location a in round 2 while a's round-1 part still holds it as withdrawn.
    const round1 = withdrawLines(a, ["1"], at);
    const round2 = newSubmission(order, { locationId: "a", lines: a.lines }, settings, 2, at);
    const answers = lineAnswers([round1, round2], {
      lines: [{ lineId: "1", decision: "ACCEPT" }],
      actor: "x",
    });
    expect(applyAnswers(round1, answers, "x", at).fresh).toEqual([]);
    expect(applyAnswers(round2, answers, "x", at).fresh).toHaveLength(1);
  });

  it("refuses an answer from a location the line was not sent to", () => {
    expect(() =>
      apply(waiting(), {
        action: "answer-submission",
        locationId: "c",
        answers: [{ lineId: "1", decision: "ACCEPTED" }],
        actor: "wms",
      }),
    ).toThrow(IllegalTransitionError);
  });

  it("takes an answer per line once: a repeat changes nothing, another decision is a conflict", () => {
    const order = routed();
    const part = submissionParts(order).find((p) => p.locationId === "c");
    if (!part) throw new Error("no part");
    const settings = locationSubmissionSchema.parse({ channel: "PULL", acknowledgement: "EXPLICIT" });
    const s = newSubmission(order, part, settings, 1, at);
    expect(s.dueAt).toBe("2026-11-23T14:00:00.000Z");
    const answers = lineAnswers([s], { decision: "ACCEPT", actor: "x" });
    const first = applyAnswers(s, answers, "x", at);
    expect(first.submission.status).toBe("ANSWERED");
    expect(first.fresh).toHaveLength(1);
    expect(applyAnswers(first.submission, answers, "x", at).fresh).toEqual([]);
    expect(() =>
      applyAnswers(first.submission, [{ lineId: "2", decision: "REJECTED", reason: "r" }], "x", at),
    ).toThrow(ConflictError);
    expect(() => lineAnswers([s], { lines: [{ lineId: "1", decision: "ACCEPT" }], actor: "x" })).toThrow(
      ValidationError,
    );
  });
});

describe("location submission settings", () => {
  it("defaults to an event accepted on dispatch and refuses contradictions with the field", () => {
    expect(locationSubmissionSchema.parse({})).toMatchObject({
      channel: "EVENTBRIDGE",
      acknowledgement: "ON_DISPATCH",
      answerWithinMinutes: 240,
      onOverdue: "ESCALATE",
    });
    const paths = (input: unknown) =>
      locationSubmissionSchema.safeParse(input).error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths({ channel: "WEBHOOK" })).toEqual(["webhook"]);
    expect(paths({ channel: "PULL" })).toEqual(["acknowledgement"]);
    expect(paths({ webhook: { url: "https://x.example", secret: "s".repeat(32) } })).toEqual(["webhook"]);
    expect(
      paths({ channel: "WEBHOOK", webhook: { url: "ftp://x.example", secret: "s".repeat(32) } }),
    ).toEqual(["webhook.url"]);
  });
});
