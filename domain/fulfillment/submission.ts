// Submission of an order's parts to the locations that fulfil them (IOM: order transmission + order
// response): a location's interface settings (how its part reaches it and whether its system answers),
// the submission record of one part (what was sent, until when an answer is due, the answer per line),
// and the pure decisions over it: which parts an order has, how an answer applies, when a part is due.
import { z } from "zod";
import type { Order } from "../order/order.ts";
import { ConflictError, ValidationError } from "../shared/errors.ts";
import { allocationsOf } from "./allocations.ts";

/**
 * EVENTBRIDGE: the part is an `order.submission-requested` event on the order bus (the location's
 * system has an EventBridge rule); WEBHOOK: the OMS POSTs it, signed, to the location's URL; PULL: the
 * location polls GET /locations/{locationId}/submissions?status=OPEN.
 */
export const SUBMISSION_CHANNELS = ["EVENTBRIDGE", "WEBHOOK", "PULL"] as const;
/**
 * EXPLICIT: the location answers accept/reject per line (POST .../answer) within `answerWithinMinutes`;
 * ON_DISPATCH: handing the part over is the acceptance (an interface without an order response: the
 * event is on the bus, or the webhook answered 2xx).
 */
export const ACKNOWLEDGEMENTS = ["EXPLICIT", "ON_DISPATCH"] as const;
/** What happens to an unanswered part: ESCALATE (event + operators' list), REALLOCATE (as a rejection). */
export const OVERDUE_ACTIONS = ["ESCALATE", "REALLOCATE"] as const;

export const locationSubmissionSchema = z
  .strictObject({
    channel: z.enum(SUBMISSION_CHANNELS).default("EVENTBRIDGE"),
    acknowledgement: z.enum(ACKNOWLEDGEMENTS).default("ON_DISPATCH"),
    webhook: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }),
        /** HMAC-SHA256 key of the OMS-Signature header (never returned by the API). */
        secret: z.string().min(32).max(256),
      })
      .optional(),
    answerWithinMinutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 14)
      .default(240),
    onOverdue: z.enum(OVERDUE_ACTIONS).default("ESCALATE"),
  })
  .superRefine((s, ctx) => {
    if (s.channel === "WEBHOOK" && !s.webhook)
      ctx.addIssue({
        code: "custom",
        path: ["webhook"],
        message: "a WEBHOOK location needs webhook.url and .secret",
      });
    if (s.channel !== "WEBHOOK" && s.webhook)
      ctx.addIssue({ code: "custom", path: ["webhook"], message: "webhook is only for the WEBHOOK channel" });
    if (s.channel === "PULL" && s.acknowledgement !== "EXPLICIT")
      ctx.addIssue({
        code: "custom",
        path: ["acknowledgement"],
        message: "a PULL location answers explicitly (acknowledgement EXPLICIT)",
      });
  });
export type LocationSubmission = z.infer<typeof locationSubmissionSchema>;

/** A location without submission settings: its part is an event on the bus, accepted as dispatched. */
export const DEFAULT_SUBMISSION: LocationSubmission = {
  channel: "EVENTBRIDGE",
  acknowledgement: "ON_DISPATCH",
  answerWithinMinutes: 240,
  onOverdue: "ESCALATE",
};

export const submissionSettings = (location: { submission?: LocationSubmission | undefined }) =>
  location.submission ?? DEFAULT_SUBMISSION;

/** The part is accepted in the same write that submits it (no answer, no delivery to wait for). */
export const acceptedOnSubmit = (s: LocationSubmission): boolean =>
  s.acknowledgement === "ON_DISPATCH" && s.channel === "EVENTBRIDGE";

export const SUBMISSION_STATUSES = ["OPEN", "OVERDUE", "ANSWERED", "WITHDRAWN"] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];
export const LINE_DECISIONS = ["ACCEPTED", "REJECTED", "WITHDRAWN"] as const;

export const submissionLineSchema = z.object({
  lineId: z.string(),
  sku: z.string(),
  name: z.string().optional(),
  quantity: z.number().int().positive(),
  unitPrice: z.number().nonnegative(),
  decision: z.enum(LINE_DECISIONS).optional(),
  reason: z.string().optional(),
  answeredAt: z.string().optional(),
  actor: z.string().optional(),
});
export type SubmissionLine = z.infer<typeof submissionLineSchema>;

/** One part of an order at one location: what it was sent and how it answered. */
export const submissionSchema = z.object({
  orderId: z.string(),
  locationId: z.string(),
  /** Which submit of the order sent it (1 first; a re-allocation round submits again). */
  round: z.number().int().positive(),
  merchantId: z.string(),
  channelId: z.string(),
  channelOrderRef: z.string(),
  status: z.enum(SUBMISSION_STATUSES),
  channel: z.enum(SUBMISSION_CHANNELS),
  acknowledgement: z.enum(ACKNOWLEDGEMENTS),
  onOverdue: z.enum(OVERDUE_ACTIONS),
  lines: z.array(submissionLineSchema).min(1),
  currency: z.string(),
  shippingAddress: z.record(z.string(), z.unknown()),
  customer: z.object({ name: z.string(), email: z.string() }),
  sentAt: z.string(),
  dueAt: z.string(),
  /** WEBHOOK: when the location's endpoint took it (2xx), and the attempts so far. */
  deliveredAt: z.string().optional(),
  deliveryAttempts: z.number().int().nonnegative().optional(),
  lastDeliveryError: z.string().optional(),
  overdueAt: z.string().optional(),
  answeredAt: z.string().optional(),
  version: z.number().int().positive(),
});
export type Submission = z.infer<typeof submissionSchema>;

export const submissionKey = (s: Pick<Submission, "orderId" | "locationId" | "round">): string =>
  `${s.orderId}/${s.locationId}/${s.round}`;

/** Open for an answer: sent and not yet answered or withdrawn (an overdue part may still answer). */
export const isAwaitingAnswer = (s: Submission): boolean => s.status === "OPEN" || s.status === "OVERDUE";

/** The order's parts to submit now: the ASSIGNED positions' allocations grouped by location. */
export function submissionParts(order: Order): { locationId: string; lines: SubmissionLine[] }[] {
  const parts = new Map<string, SubmissionLine[]>();
  for (const p of order.positions) {
    if (p.status !== "ASSIGNED") continue;
    for (const a of allocationsOf(p)) {
      const lines = parts.get(a.locationId) ?? [];
      lines.push({
        lineId: p.lineId,
        sku: p.sku,
        ...(p.name === undefined ? {} : { name: p.name }),
        quantity: a.quantity,
        unitPrice: p.unitPrice,
      });
      parts.set(a.locationId, lines);
    }
  }
  return [...parts.entries()].map(([locationId, lines]) => ({ locationId, lines }));
}

export function newSubmission(
  order: Order,
  part: { locationId: string; lines: SubmissionLine[] },
  settings: LocationSubmission,
  round: number,
  at: string,
): Submission {
  return {
    orderId: order.orderId,
    locationId: part.locationId,
    round,
    merchantId: order.merchantId,
    channelId: order.channelId,
    channelOrderRef: order.channelOrderRef,
    status: "OPEN",
    channel: settings.channel,
    acknowledgement: settings.acknowledgement,
    onOverdue: settings.onOverdue,
    lines: part.lines,
    currency: order.currency,
    shippingAddress: order.shippingAddress,
    customer: { name: order.customer.name, email: order.customer.email },
    sentAt: at,
    dueAt: new Date(Date.parse(at) + settings.answerWithinMinutes * 60_000).toISOString(),
    version: 1,
  };
}

/** A location's answer: a decision per line (lines left out stay open), or one for all open lines. */
export const answerInputSchema = z
  .strictObject({
    decision: z.enum(["ACCEPT", "REJECT"]).optional(),
    reason: z.string().min(1).max(500).optional(),
    lines: z
      .array(
        z.strictObject({
          lineId: z.string().min(1).max(64),
          decision: z.enum(["ACCEPT", "REJECT"]),
          reason: z.string().min(1).max(500).optional(),
        }),
      )
      .min(1)
      .max(1000)
      .optional(),
    actor: z.string().min(1).max(200).default("location"),
  })
  .superRefine((a, ctx) => {
    if ((a.decision === undefined) === (a.lines === undefined))
      ctx.addIssue({ code: "custom", path: ["lines"], message: "send either decision (all lines) or lines" });
    if (a.lines && new Set(a.lines.map((l) => l.lineId)).size !== a.lines.length)
      ctx.addIssue({ code: "custom", path: ["lines"], message: "a line may be answered once per request" });
  });
export type AnswerInput = z.infer<typeof answerInputSchema>;

/** How a line records a location's ACCEPT / REJECT. */
export const recordedDecision = (decision: "ACCEPT" | "REJECT"): "ACCEPTED" | "REJECTED" =>
  decision === "ACCEPT" ? "ACCEPTED" : "REJECTED";

export interface LineAnswer {
  lineId: string;
  decision: "ACCEPTED" | "REJECTED";
  reason?: string | undefined;
}

/** The answer per line for the location's open submissions of the order (validated against them). */
export function lineAnswers(open: readonly Submission[], input: AnswerInput): LineAnswer[] {
  const openLines = open.flatMap((s) => s.lines.filter((l) => l.decision === undefined).map((l) => l.lineId));
  const asked =
    input.lines ??
    openLines.map((lineId) => ({ lineId, decision: input.decision ?? "ACCEPT", reason: input.reason }));
  const unknown = asked.filter((l) => !open.some((s) => s.lines.some((x) => x.lineId === l.lineId)));
  if (unknown.length > 0) {
    throw ValidationError.single(
      "lines",
      "UNKNOWN_LINE",
      `lines ${unknown.map((l) => l.lineId).join(", ")} were not submitted to this location`,
    );
  }
  return asked.map((l) => ({
    lineId: l.lineId,
    decision: recordedDecision(l.decision),
    ...(l.decision === "REJECT" ? { reason: l.reason ?? "rejected by the location" } : {}),
  }));
}

/**
 * Applies answers to one submission: lines decided before keep their decision (the same decision again is
 * a repeat; another one is a conflict). The part is ANSWERED once every line is decided.
 */
export function applyAnswers(
  s: Submission,
  answers: readonly LineAnswer[],
  actor: string,
  at: string,
): { submission: Submission; fresh: LineAnswer[] } {
  const fresh: LineAnswer[] = [];
  const lines = s.lines.map((line) => {
    const answer = answers.find((a) => a.lineId === line.lineId);
    // Withdrawn here (re-routed): the line may have come back to this location in a later part.
    if (!answer || line.decision === "WITHDRAWN") return line;
    if (line.decision !== undefined) {
      if (line.decision === answer.decision) return line;
      throw new ConflictError(
        "LINE_ALREADY_ANSWERED",
        `line ${line.lineId} of order ${s.orderId} at ${s.locationId} is ${line.decision}`,
        "lines",
        { orderId: s.orderId, locationId: s.locationId, lineId: line.lineId },
      );
    }
    fresh.push(answer);
    return {
      ...line,
      decision: answer.decision,
      ...(answer.reason === undefined ? {} : { reason: answer.reason }),
      answeredAt: at,
      actor,
    };
  });
  if (fresh.length === 0) return { submission: s, fresh };
  const done = lines.every((l) => l.decision !== undefined);
  return {
    submission: {
      ...s,
      lines,
      ...(done ? { status: "ANSWERED" as const, answeredAt: at } : {}),
      version: s.version + 1,
    },
    fresh,
  };
}

/**
 * Withdraws lines of a part whose position went back to routing because another location rejected its
 * share (a split position is routed again whole): open lines, and accepted ones too (the location is
 * told by order.submission-answered's `withdrawn`).
 */
export function withdrawLines(s: Submission, lineIds: readonly string[], at: string): Submission {
  let changed = false;
  const lines = s.lines.map((l) => {
    if (l.decision === "WITHDRAWN" || l.decision === "REJECTED" || !lineIds.includes(l.lineId)) return l;
    changed = true;
    return { ...l, decision: "WITHDRAWN" as const, answeredAt: at, actor: "oms" };
  });
  if (!changed) return s;
  const done = lines.every((l) => l.decision !== undefined);
  const status = done ? (lines.some((l) => l.decision === "ACCEPTED") ? "ANSWERED" : "WITHDRAWN") : s.status;
  return { ...s, lines, status, ...(done ? { answeredAt: at } : {}), version: s.version + 1 };
}

/** The submission as the API and the webhook show it (with the answer path). */
export function submissionView(s: Submission) {
  return {
    submissionId: submissionKey(s),
    ...s,
    answer: { method: "POST", path: `/locations/${s.locationId}/submissions/${s.orderId}/answer` },
  };
}
