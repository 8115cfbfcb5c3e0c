// Submission: the workflow's last step hands each location its part of the order (an event on the bus,
// a signed webhook, or a part waiting to be pulled) and records it; locations answer accept/reject per
// line through the API; a rejection releases that reservation and sends the position back to routing
// without that location (re-allocation); the order is SUBMITTED once every position is accepted
// somewhere. A scheduled sweep escalates (or re-allocates) parts nobody answered in time. Every change
// is one conditional transaction over the order, its events and its parts; repeats change nothing twice.
import type { SubmissionRepository, SubmissionWrite } from "../adapters/dynamodb/submission-repository.ts";
import { noteEvent } from "../domain/events/note-event.ts";
import type { OrderEvent, SubmissionNoteEvent } from "../domain/events/order-events.ts";
import { allocationsOf } from "../domain/fulfillment/allocations.ts";
import {
  type AnswerInput,
  acceptedOnSubmit,
  answerInputSchema,
  applyAnswers,
  isAwaitingAnswer,
  type LineAnswer,
  lineAnswers,
  newSubmission,
  recordedDecision,
  type Submission,
  submissionKey,
  submissionParts,
  submissionSettings,
  submissionView,
  withdrawLines,
} from "../domain/fulfillment/submission.ts";
import { isActive } from "../domain/inventory/reservation.ts";
import {
  alreadyApplied,
  applyCommand,
  isTerminal,
  type OrderCommand,
  REJECTABLE,
} from "../domain/order/lifecycle.ts";
import type { Order, OrderStatus } from "../domain/order/order.ts";
import { ConflictError, NotFoundError, TransientError } from "../domain/shared/errors.ts";
import { signatureHeader } from "../domain/shared/webhook-signature.ts";
import { toValidationError } from "../domain/shared/zod-issues.ts";
import type {
  Clock,
  IdSource,
  InventoryRepository,
  OrderRepository,
  WebhookSender,
  WorkflowStarter,
} from "./ports.ts";
import { restoreReservations } from "./reservations.ts";
import { withRetries } from "./retry-on-conflict.ts";
import { WEBHOOK_HEADERS } from "./webhook-delivery.ts";

export interface SubmissionDeps {
  repo: OrderRepository;
  inventory: InventoryRepository;
  submissions: SubmissionRepository;
  clock: Clock;
  ids: IdSource;
}

export interface SubmissionFlowDeps extends SubmissionDeps {
  /** POSTs parts to WEBHOOK locations. */
  sender: WebhookSender;
  /** Starts the re-allocation (routing again) after a rejection. */
  workflows: Pick<WorkflowStarter, "resumeOrder">;
}

export interface SubmitResult {
  orderId: string;
  /** SUBMITTED, AWAITING_ACCEPTANCE, or VALIDATED (a rejection arrived meanwhile: route again). */
  status: OrderStatus;
  changed: boolean;
}

async function loadOrder(repo: OrderRepository, orderId: string): Promise<Order> {
  const order = await repo.getOrder(orderId);
  if (!order)
    throw new NotFoundError("ORDER_NOT_FOUND", `order ${orderId} does not exist`, "orderId", { orderId });
  return order;
}

function requestedBody(s: Submission): Pick<SubmissionNoteEvent, "type" | "data"> {
  return {
    type: "order.submission-requested",
    data: {
      locationId: s.locationId,
      round: s.round,
      channel: s.channel,
      acknowledgement: s.acknowledgement,
      channelOrderRef: s.channelOrderRef,
      currency: s.currency,
      lines: s.lines.map(({ lineId, sku, name, quantity, unitPrice }) => ({
        lineId,
        sku,
        ...(name === undefined ? {} : { name }),
        quantity,
        unitPrice,
      })),
      shippingAddress: s.shippingAddress,
      customer: s.customer,
      dueAt: s.dueAt,
      answerPath: submissionView(s).answer.path,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The workflow step

/**
 * The Submit step. A ROUTED order: every location gets its part (one `order.submission-requested` event
 * each, in the same transaction as the status change); parts of locations that answer are stored to be
 * answered; the order is SUBMITTED at once when no location answers, else AWAITING_ACCEPTANCE. Then the
 * parts of WEBHOOK locations not yet delivered are POSTed (a repeat of the step delivers what is left;
 * an endpoint that keeps failing fails the step: TransientError, retried by the workflow, then
 * EXCEPTION with the cause; POST /orders/{orderId}/retry delivers again).
 */
export async function submitOrder(
  deps: SubmissionFlowDeps,
  orderId: string,
  executionArn?: string,
): Promise<SubmitResult> {
  const written = await withRetries(async () => {
    const stored = await loadOrder(deps.repo, orderId);
    const struckIn = stored.status === "EXCEPTION" ? stored.exception?.previousStatus : undefined;
    if (stored.status !== "ROUTED" && struckIn !== "ROUTED" && struckIn !== "AWAITING_ACCEPTANCE") {
      return { order: stored, changed: false };
    }
    let order = stored;
    const events: OrderEvent[] = [];
    const at = deps.clock.now();
    const apply = (command: OrderCommand) => {
      const applied = applyCommand(order, command, at, deps.ids.eventId());
      order = applied.order;
      events.push(applied.event);
    };
    if (struckIn) apply({ action: "recover" });
    const writes: SubmissionWrite[] = [];
    if (order.status === "ROUTED") {
      // An order that was stuck may have lost its reservations to the hold timer: take them again first.
      if (order.timeline.some((t) => t.action === "raise-exception")) await restoreReservations(deps, order);
      const locations = new Map((await deps.inventory.listLocations()).map((l) => [l.locationId, l]));
      const parts = submissionParts(order);
      const round = order.timeline.filter((t) => t.action === "submit").length + 1;
      const settingsOf = (locationId: string) => submissionSettings(locations.get(locationId) ?? {});
      const accepted = parts.map((p) => p.locationId).filter((id) => acceptedOnSubmit(settingsOf(id)));
      const submissions = parts.map((p) => newSubmission(order, p, settingsOf(p.locationId), round, at));
      // The parts first, then the status change they make (order.submitted is the order's last event).
      for (const s of submissions) {
        const noted = noteEvent<SubmissionNoteEvent>(order, requestedBody(s), at, deps.ids.eventId());
        order = noted.order;
        events.push(noted.event);
        // Parts accepted on dispatch need no record: the event is the part, the order holds the outcome.
        if (!accepted.includes(s.locationId)) writes.push({ submission: s });
      }
      apply({ action: "submit", accepted });
    }
    if (executionArn) order = { ...order, executionArn };
    await deps.submissions.saveOrderChange(stored.version, order, events, writes);
    return { order, changed: true };
  });
  // Webhooks to deliver: parts just written for WEBHOOK locations, or whatever a repeat finds undelivered.
  const toDeliver = !written.changed || written.order.status !== "SUBMITTED";
  if (toDeliver) await deliverWebhooks(deps, orderId);
  const order = toDeliver ? await loadOrder(deps.repo, orderId) : written.order;
  // A location rejected a line while this round was on its way: the submit left it for routing (VALIDATED).
  if (order.status === "VALIDATED" && alreadyApplied(order, "submit")) {
    await deps.workflows.resumeOrder(orderId, "Route", order.orderType);
  }
  return { orderId, status: order.status, changed: written.changed };
}

/** POSTs the order's undelivered WEBHOOK parts; throws TransientError naming those that failed. */
async function deliverWebhooks(deps: SubmissionFlowDeps, orderId: string): Promise<void> {
  const awaiting = (await deps.submissions.listSubmissions(orderId)).filter(
    (s) => s.channel === "WEBHOOK" && isAwaitingAnswer(s),
  );
  const pending = awaiting.filter((s) => !s.deliveredAt);
  // Parts accepted on delivery: those delivered now, and those a crash left delivered but not accepted.
  const toAccept = new Set(
    awaiting.filter((s) => s.deliveredAt && s.acknowledgement === "ON_DISPATCH").map((s) => s.locationId),
  );
  if (pending.length === 0 && toAccept.size === 0) return;
  const locations = new Map((await deps.inventory.listLocations()).map((l) => [l.locationId, l]));
  const failures: string[] = [];
  await Promise.all(
    pending.map(async (s) => {
      const webhook = locations.get(s.locationId)?.submission?.webhook;
      const attempt = (s.deliveryAttempts ?? 0) + 1;
      const now = deps.clock.now();
      let error: string | undefined;
      if (!webhook) error = `location ${s.locationId} has no webhook configured any more`;
      else {
        const timestamp = Math.floor(Date.parse(now) / 1000);
        const body = JSON.stringify({ type: "order.submission-requested", submission: submissionView(s) });
        const answer = await deps.sender.post(webhook.url, body, {
          "content-type": "application/json",
          "user-agent": "OMS-Submissions/1",
          [WEBHOOK_HEADERS.eventId]: submissionKey(s),
          [WEBHOOK_HEADERS.eventType]: "order.submission-requested",
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signatureHeader([webhook.secret], timestamp, body),
          [WEBHOOK_HEADERS.attempt]: String(attempt),
        });
        const ok = "status" in answer && answer.status >= 200 && answer.status < 300;
        if (!ok) error = "status" in answer ? `HTTP ${answer.status}` : answer.error;
      }
      const next: Submission = {
        ...s,
        deliveryAttempts: attempt,
        ...(error ? { lastDeliveryError: error } : { deliveredAt: now }),
        version: s.version + 1,
      };
      // A concurrent answer (the location answered before we recorded delivery) wins; nothing is lost.
      await deps.submissions.saveSubmission({ submission: next, previousVersion: s.version });
      if (error) failures.push(`${s.locationId}: ${error}`);
      else if (s.acknowledgement === "ON_DISPATCH") toAccept.add(s.locationId);
    }),
  );
  // One after the other: each is a write on the order (parallel ones would only retry on each other).
  for (const locationId of toAccept) {
    try {
      await answerSubmission(deps, locationId, orderId, { decision: "ACCEPT", actor: "oms-delivery" });
    } catch (error) {
      // Withdrawn or answered meanwhile (a rejection elsewhere re-routed the line): nothing to accept.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  if (failures.length > 0) {
    throw new TransientError(`submission to locations failed: ${failures.join("; ")}`, { orderId });
  }
}

// ---------------------------------------------------------------------------------------------------
// Answers

export interface AnswerResult {
  orderId: string;
  status: OrderStatus;
  submissions: ReturnType<typeof submissionView>[];
  /** True when every answered line had this decision already (nothing changed). */
  repeated: boolean;
}

/**
 * A location answers its part of an order: per line ACCEPT or REJECT (with a reason), or one decision for
 * every open line. Accepted lines are recorded (the order is SUBMITTED when it was the last); a rejected
 * line's reservation there is released and its position goes back to routing without that location
 * (the other parts of a split position are withdrawn). Concurrent answers of several locations retry on
 * the order's version, so each is applied once and the last one completes the order.
 */
export async function answerSubmission(
  deps: SubmissionFlowDeps,
  locationId: string,
  orderId: string,
  body: unknown,
  /** The overdue sweep re-allocating: the part's overdue note is written in the same transaction. */
  overdue?: Pick<Submission, "dueAt" | "onOverdue">,
): Promise<AnswerResult> {
  const parsed = answerInputSchema.safeParse(body ?? {});
  if (!parsed.success) throw toValidationError(parsed.error);
  const input: AnswerInput = parsed.data;
  const result = await withRetries(async () => {
    const stored = await loadOrder(deps.repo, orderId);
    const all = await deps.submissions.listSubmissions(orderId);
    const mine = all.filter((s) => s.locationId === locationId);
    if (mine.length === 0) {
      throw new NotFoundError(
        "SUBMISSION_NOT_FOUND",
        `order ${orderId} was not submitted to location ${locationId}`,
        "orderId",
        { orderId, locationId },
      );
    }
    const open = mine.filter(isAwaitingAnswer);
    if (open.length === 0) {
      // Answered (or withdrawn) before: the same answer again is a repeat; another one is a conflict.
      const repeated = (input.lines ?? []).every((l) =>
        mine.some((s) =>
          s.lines.some((x) => x.lineId === l.lineId && x.decision === recordedDecision(l.decision)),
        ),
      );
      const forAll = input.decision;
      const sameForAll =
        forAll === undefined ||
        mine.every((s) =>
          s.lines.every((x) => x.decision === "WITHDRAWN" || x.decision === recordedDecision(forAll)),
        );
      if (repeated && sameForAll) return { order: stored, submissions: mine, ...REPEAT };
      throw new ConflictError(
        "SUBMISSION_NOT_OPEN",
        `the part of order ${orderId} at location ${locationId} is answered or withdrawn`,
        "orderId",
        { orderId, locationId },
      );
    }
    const answers = lineAnswers(open, input);
    if (answers.some((a) => a.decision === "REJECTED") && !REJECTABLE.includes(stored.status)) {
      throw new ConflictError(
        "ORDER_BUSY",
        `order ${orderId} is ${stored.status}: a rejection is taken while it awaits its locations' answers; answer again shortly (the part stays open)`,
        "lines",
        { orderId, locationId, status: stored.status },
      );
    }
    const at = deps.clock.now();
    const writes: SubmissionWrite[] = [];
    const fresh: LineAnswer[] = [];
    const changed = new Map<string, Submission>();
    for (const s of open) {
      const applied = applyAnswers(s, answers, input.actor, at);
      if (applied.fresh.length === 0) continue;
      fresh.push(...applied.fresh);
      changed.set(submissionKey(s), applied.submission);
      writes.push({ submission: applied.submission, previousVersion: s.version });
    }
    if (fresh.length === 0) return { order: stored, submissions: mine, ...REPEAT };
    let order = stored;
    const events: OrderEvent[] = [];
    const apply = (command: OrderCommand) => {
      const applied = applyCommand(order, command, at, deps.ids.eventId());
      order = applied.order;
      events.push(applied.event);
    };
    if (overdue)
      apply({ action: "mark-overdue", locationId, dueAt: overdue.dueAt, onOverdue: overdue.onOverdue });
    apply({ action: "answer-submission", locationId, answers: fresh, actor: input.actor });
    // A rejected position's other parts (a split) go back to routing with it.
    const rejected = fresh.filter((a) => a.decision === "REJECTED").map((a) => a.lineId);
    for (const s of all) {
      if (s.locationId === locationId || s.status === "WITHDRAWN") continue;
      const withdrawn = withdrawLines(s, rejected, at);
      if (withdrawn !== s) writes.push({ submission: withdrawn, previousVersion: s.version });
    }
    // Their reservations go back right after the write, while no routing runs yet (see below).
    const withdrawnUnits = stored.positions
      .filter((p) => rejected.includes(p.lineId))
      .flatMap((p) =>
        allocationsOf(p)
          .filter((a) => a.locationId !== locationId)
          .map((a) => ({ lineId: p.lineId, locationId: a.locationId })),
      );
    if (order.positions.every((p) => p.status === "SUBMITTED") && order.status !== "SUBMITTED") {
      apply({ action: "complete-submission" });
    }
    await deps.submissions.saveOrderChange(stored.version, order, events, writes);
    return {
      order,
      submissions: mine.map((s) => changed.get(submissionKey(s)) ?? s),
      repeated: false,
      // This answer sent the order back to routing: no routing attempt can hold these units yet.
      reroutes: stored.status === "AWAITING_ACCEPTANCE" && order.status === "VALIDATED",
      withdrawnUnits,
    };
  });
  // After the write (a repeat after a crash does it again): rejected units go back at the locations that
  // rejected them, a split position's withdrawn shares go back while no routing runs yet, routing starts.
  const order = result.order;
  const reroute =
    result.reroutes ||
    // A repeat after a crash between the write and the start starts it again (the steps are idempotent).
    (result.repeated &&
      order.status === "VALIDATED" &&
      order.timeline.at(-1)?.action === "answer-submission");
  await releaseAfterAnswer(deps, order, reroute ? result.withdrawnUnits : []);
  if (reroute) await deps.workflows.resumeOrder(orderId, "Route", order.orderType);
  return {
    orderId,
    status: order.status,
    submissions: result.submissions.map(submissionView),
    repeated: result.repeated,
  };
}

const REPEAT = {
  repeated: true,
  reroutes: false,
  withdrawnUnits: [] as { lineId: string; locationId: string }[],
};

/**
 * One pass over the order's reservations after an answer: a line back in routing (OPEN) gives back what it
 * holds at the locations that rejected it (REJECTED; only there: routing may be reserving elsewhere for
 * it right now), and the withdrawn shares named go back (SUPERSEDED). Reads nothing when neither applies
 * (an acceptance). Idempotent.
 */
async function releaseAfterAnswer(
  deps: SubmissionDeps,
  order: Order,
  withdrawn: readonly { lineId: string; locationId: string }[],
): Promise<void> {
  const rejectedAt = (lineId: string, locationId: string) =>
    order.positions.some(
      (p) =>
        p.lineId === lineId &&
        p.status === "OPEN" &&
        (p.rejections ?? []).some((x) => x.locationId === locationId),
    );
  const reopened = order.positions.some((p) => p.status === "OPEN" && (p.rejections?.length ?? 0) > 0);
  if (!reopened && withdrawn.length === 0) return;
  for (const r of (await deps.inventory.listReservations(order.orderId)).filter(isActive)) {
    if (rejectedAt(r.lineId, r.locationId)) await deps.inventory.release(r, "REJECTED", deps.clock.now());
    else if (withdrawn.some((u) => u.lineId === r.lineId && u.locationId === r.locationId))
      await deps.inventory.release(r, "SUPERSEDED", deps.clock.now());
  }
}

// ---------------------------------------------------------------------------------------------------
// Overdue parts (scheduled sweep)

export interface SweepResult {
  escalated: number;
  reallocated: number;
  /** Re-allocations whose routing never started (a crash after the answer): started again. */
  resumed: number;
  /** Parts whose handling failed this time (each reported to onError); the next sweep tries again. */
  failed: number;
}

/**
 * Parts of EXPLICIT locations whose answer is overdue: ESCALATE marks them OVERDUE (operators' list
 * GET /locations/{locationId}/submissions?status=OVERDUE) with order.submission-overdue; REALLOCATE does
 * the same and then rejects the open lines for the location ("no answer in time"), so they are routed
 * again elsewhere. A late answer to an OVERDUE part is still taken.
 */
export async function sweepOverdueSubmissions(
  deps: SubmissionFlowDeps,
  options: { pageSize?: number; onError?: (s: Submission, error: unknown) => void } = {},
): Promise<SweepResult> {
  const pageSize = options.pageSize ?? 100;
  const now = deps.clock.now();
  const result: SweepResult = { escalated: 0, reallocated: 0, resumed: 0, failed: 0 };
  result.resumed = await resumeStalledReallocations(deps, now);
  const locations = (await deps.inventory.listLocations()).filter(
    (l) => submissionSettings(l).acknowledgement === "EXPLICIT",
  );
  for (const location of locations) {
    let cursor: string | undefined;
    do {
      const page = await deps.submissions.listByLocation(location.locationId, "OPEN", pageSize, {
        cursor,
        dueBefore: now,
      });
      for (const s of page.items) {
        try {
          if (await retireIfEnded(deps, s)) continue;
          if (s.onOverdue === "REALLOCATE") {
            // One transaction: the overdue note and the rejection (the part stays OPEN until it is written).
            const body = {
              lines: s.lines
                .filter((l) => l.decision === undefined)
                .map((l) => ({ lineId: l.lineId, decision: "REJECT", reason: `no answer by ${s.dueAt}` })),
              actor: "oms-overdue",
            };
            const answered = await answerSubmission(deps, s.locationId, s.orderId, body, s);
            if (!answered.repeated) result.reallocated += 1;
          } else if (await markOverdue(deps, s)) result.escalated += 1;
        } catch (error) {
          result.failed += 1;
          options.onError?.(s, error);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return result;
}

/** How long a re-allocated order may sit in VALIDATED before the sweep starts its routing again. */
const STALLED_AFTER_MS = 2 * 60_000;

/**
 * Orders a rejection sent back to routing whose routing never started (the answer was stored, then the
 * process died before StartExecution, and nobody repeated the answer): VALIDATED for minutes after a
 * submit. Their routing starts again (the steps are idempotent, so a slow one running is no harm).
 */
async function resumeStalledReallocations(deps: SubmissionFlowDeps, now: string): Promise<number> {
  const before = new Date(Date.parse(now) - STALLED_AFTER_MS).toISOString();
  const page = await deps.repo.listOrders({ status: "VALIDATED", limit: 100 });
  let resumed = 0;
  for (const summary of page.items.filter((o) => o.updatedAt < before)) {
    const order = await deps.repo.getOrder(summary.orderId);
    if (order?.status !== "VALIDATED" || !order.timeline.some((t) => t.action === "submit")) continue;
    await deps.workflows.resumeOrder(order.orderId, "Route", order.orderType);
    resumed += 1;
  }
  return resumed;
}

/**
 * A part of an order that ended meanwhile (cancelled while it was being re-allocated): nothing to chase;
 * the part is withdrawn and leaves the work lists. True when it was.
 */
async function retireIfEnded(deps: SubmissionDeps, s: Submission): Promise<boolean> {
  const order = await deps.repo.getOrder(s.orderId);
  if (order && !isTerminal(order.status)) return false;
  const at = deps.clock.now();
  const withdrawn = withdrawLines(
    s,
    s.lines.map((l) => l.lineId),
    at,
  );
  await deps.submissions.saveSubmission({
    submission: { ...withdrawn, status: "WITHDRAWN" },
    previousVersion: s.version,
  });
  return true;
}

async function markOverdue(deps: SubmissionDeps, s: Submission): Promise<boolean> {
  return withRetries(async () => {
    const order = await loadOrder(deps.repo, s.orderId);
    const current = (await deps.submissions.listSubmissions(s.orderId)).find(
      (x) => submissionKey(x) === submissionKey(s),
    );
    if (current?.status !== "OPEN") return false;
    const at = deps.clock.now();
    const applied = applyCommand(
      order,
      { action: "mark-overdue", locationId: s.locationId, dueAt: s.dueAt, onOverdue: s.onOverdue },
      at,
      deps.ids.eventId(),
    );
    const overdue: Submission = {
      ...current,
      status: "OVERDUE",
      overdueAt: at,
      version: current.version + 1,
    };
    await deps.submissions.saveOrderChange(
      order.version,
      applied.order,
      [applied.event],
      [{ submission: overdue, previousVersion: current.version }],
    );
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------
// Reading

/** A location's parts in a status (OPEN: its work list when it polls; OVERDUE: operators' escalations). */
export async function listLocationSubmissions(
  deps: Pick<SubmissionDeps, "submissions" | "inventory">,
  locationId: string,
  query: { status: "OPEN" | "OVERDUE"; limit: number; cursor?: string | undefined },
) {
  if (!(await deps.inventory.getLocation(locationId))) {
    throw new NotFoundError("LOCATION_NOT_FOUND", `location ${locationId} does not exist`, "locationId", {
      locationId,
    });
  }
  const page = await deps.submissions.listByLocation(locationId, query.status, query.limit, {
    cursor: query.cursor,
  });
  return {
    items: page.items.map(submissionView),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** An order's parts at every location, every round. */
export async function listOrderSubmissions(
  deps: Pick<SubmissionDeps, "submissions" | "repo">,
  orderId: string,
) {
  const order = await loadOrder(deps.repo, orderId);
  const items = await deps.submissions.listSubmissions(orderId);
  return { orderId, status: order.status, items: items.map(submissionView) };
}
