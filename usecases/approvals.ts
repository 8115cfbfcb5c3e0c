// Approval over the order's life: a channel's approval reasons (read, replace), the plan after routing
// (no reason applies -> the order goes on; otherwise AWAITING_APPROVAL, the reservation hold timer and
// the `order-approval` workflow), the workflow's tasks (request a reason with its task token, escalate
// or time out at the reason's deadline, approve or decline the order), and decisions from the API or a
// third party's callback, which settle the waiting task. Every step reads, decides with the pure core
// (domain/approval) and writes approval + order + event in one conditional transaction; a repeat finds
// its effect recorded and changes nothing twice.
import { randomBytes } from "node:crypto";
import type { ApprovalRepository, ApprovalWrite } from "../adapters/dynamodb/approval-repository.ts";
import {
  type Approval,
  applyApprovalCommand,
  approvalOutcome,
  type DecisionInput,
  decisionCommand,
  decisionStatus,
  isOpen,
  rankGate,
} from "../domain/approval/approval.ts";
import {
  decidedBody,
  escalatedBody,
  noteApprovalEvent,
  requestedBody,
} from "../domain/approval/approval-events.ts";
import { planApproval } from "../domain/approval/approval-planner.ts";
import {
  type ApprovalConfig,
  type ApprovalReason,
  approvalReasonsSchema,
} from "../domain/approval/approval-reasons.ts";
import type { StatusChangeEvent } from "../domain/events/order-events.ts";
import { isActive } from "../domain/inventory/reservation.ts";
import { channelInventory } from "../domain/order/channel.ts";
import { applyCommand, type OrderCommand } from "../domain/order/lifecycle.ts";
import type { Order, OrderStatus } from "../domain/order/order.ts";
import {
  ApprovalDeclinedError,
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
} from "../domain/shared/errors.ts";
import { toValidationError } from "../domain/shared/zod-issues.ts";
import type {
  Clock,
  IdSource,
  InventoryRepository,
  OrderRepository,
  ReservationHoldTimer,
  WorkflowStarter,
} from "./ports.ts";
import { releaseOrderReservations } from "./reservations.ts";
import { withRetries } from "./retry-on-conflict.ts";

/** Settles a waiting workflow task; false when the task had already ended. */
export interface TaskCallbacks {
  succeed(taskToken: string, output: unknown): Promise<boolean>;
  fail(taskToken: string, error: string, cause: string): Promise<boolean>;
}

/** Starts the `order-approval` workflow of an order; a repeat (same order, same attempt) is a no-op. */
export interface ApprovalWorkflow {
  startApproval(orderId: string, attempt: number, input: ApprovalWorkflowInput): Promise<void>;
}

export interface ApprovalDeps {
  repo: OrderRepository;
  approvals: ApprovalRepository;
  inventory: InventoryRepository;
  clock: Clock;
  ids: IdSource;
}

export interface ApprovalFlowDeps extends ApprovalDeps {
  callbacks: TaskCallbacks;
  approvalWorkflow: ApprovalWorkflow;
  /** Continues the order's own workflow at a resume point once approval is through. */
  workflows: Pick<WorkflowStarter, "resumeOrder">;
  holds: ReservationHoldTimer;
}

/** The Step Functions error a declined (or timed-out) reason fails its task with. */
export const APPROVAL_DECLINED = "ApprovalDeclined";

/** What the `order-approval` workflow iterates: ranks in order, each with its reasons (in parallel). */
export interface ApprovalWorkflowInput {
  orderId: string;
  steps: {
    rank: number;
    reasons: { orderId: string; reasonId: string; timeoutSeconds: number; onTimeout: string }[];
  }[];
}

async function loadOrder(repo: OrderRepository, orderId: string): Promise<Order> {
  const order = await repo.getOrder(orderId);
  if (!order) throw new NotFoundError("ORDER_NOT_FOUND", `order ${orderId} does not exist`, "orderId");
  return order;
}

async function loadApproval(deps: ApprovalDeps, orderId: string, reasonId: string): Promise<Approval> {
  const approval = await deps.approvals.getApproval(orderId, reasonId);
  if (!approval) {
    throw new NotFoundError(
      "APPROVAL_NOT_FOUND",
      `order ${orderId} has no approval for reason ${reasonId}`,
      "reasonId",
      { orderId, reasonId },
    );
  }
  return approval;
}

const plannedReasons = (order: Order): ApprovalReason[] =>
  order.approval?.steps.flatMap((s) => s.reasons) ?? [];

// ---------------------------------------------------------------------------------------------------
// Configuration

export interface ApprovalReasonsView {
  channelId: string;
  reasons: ApprovalReason[];
  /** 0 until reasons are stored; PUT with `expectedVersion` refuses a change made meanwhile. */
  version: number;
  updatedAt?: string;
}

async function requireChannel(deps: Pick<ApprovalDeps, "repo">, channelId: string): Promise<void> {
  if (!(await deps.repo.getChannel(channelId))) {
    throw new NotFoundError("CHANNEL_NOT_FOUND", `channel ${channelId} does not exist`, "channelId");
  }
}

export async function getApprovalReasons(
  deps: Pick<ApprovalDeps, "repo" | "approvals">,
  channelId: string,
): Promise<ApprovalReasonsView> {
  await requireChannel(deps, channelId);
  const config = await deps.approvals.getApprovalConfig(channelId);
  return config ?? { channelId, reasons: [], version: 0 };
}

/** Replaces a channel's approval reasons (validated whole; nothing stored when one is wrong). */
export async function putApprovalReasons(
  deps: Pick<ApprovalDeps, "repo" | "approvals" | "clock">,
  channelId: string,
  body: unknown,
): Promise<ApprovalReasonsView> {
  const parsed = approvalReasonsSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  await requireChannel(deps, channelId);
  const current = await deps.approvals.getApprovalConfig(channelId);
  const config: ApprovalConfig = {
    channelId,
    reasons: parsed.data.reasons,
    version: (current?.version ?? 0) + 1,
    updatedAt: deps.clock.now(),
  };
  await deps.approvals.putApprovalConfig(config, current?.version ?? 0);
  return config;
}

// ---------------------------------------------------------------------------------------------------
// The order's workflow: plan after routing

export interface PlanResult {
  orderId: string;
  status: OrderStatus;
  /** NOT_REQUIRED: the order goes on; AWAITING: the approval workflow runs, the order's workflow ends. */
  approval: "NOT_REQUIRED" | "AWAITING";
}

function workflowInput(order: Order): ApprovalWorkflowInput {
  return {
    orderId: order.orderId,
    steps: (order.approval?.steps ?? []).map((step) => ({
      rank: step.rank,
      reasons: step.reasons.map((r) => ({
        orderId: order.orderId,
        reasonId: r.reasonId,
        timeoutSeconds: r.timeoutSeconds,
        onTimeout: r.onTimeout,
      })),
    })),
  };
}

const awaitingSince = (order: Order): string =>
  order.timeline.findLast((t) => t.action === "request-approval")?.at ?? order.updatedAt;

/**
 * After routing: which approval reasons apply. None (or the order was approved already, and this is the
 * routing that approval asked for) -> NOT_REQUIRED. Otherwise the order waits in AWAITING_APPROVAL, its
 * reservations are held for the channel's hold time, and the `order-approval` workflow starts.
 */
export async function planOrderApproval(deps: ApprovalFlowDeps, orderId: string): Promise<PlanResult> {
  let order = await loadOrder(deps.repo, orderId);
  // A retry after a failure (POST /orders/{id}/retry resumes here): the status the exception struck in.
  const struckIn = order.status === "EXCEPTION" ? order.exception?.previousStatus : undefined;
  // Approved already, or submitted before (this routing is a re-allocation after a location's rejection):
  // approval is not asked again.
  const approved = order.timeline.some((t) => t.action === "approve" || t.action === "submit");
  if (approved && order.status !== "AWAITING_APPROVAL" && struckIn !== "AWAITING_APPROVAL") {
    return { orderId, status: order.status, approval: "NOT_REQUIRED" };
  }
  const stored = order;
  const events: StatusChangeEvent[] = [];
  const apply = (command: OrderCommand) => {
    const applied = applyCommand(order, command, deps.clock.now(), deps.ids.eventId());
    events.push(applied.event);
    order = applied.order;
  };
  if (order.status === "ROUTED" || struckIn === "ROUTED") {
    const config = await deps.approvals.getApprovalConfig(order.channelId);
    const plan = planApproval(order, config?.reasons ?? []);
    // Nothing to approve: no write (a failed order's next step lifts its exception with its own effect).
    if (plan.steps.length === 0) return { orderId, status: order.status, approval: "NOT_REQUIRED" };
    if (struckIn) apply({ action: "recover" });
    apply({ action: "request-approval", steps: plan.steps });
    await deps.repo.saveTransition(stored.version, order, events);
  } else if (struckIn === "AWAITING_APPROVAL") {
    // The approval workflow failed: lift the exception and start the approval again (below).
    apply({ action: "recover" });
    await deps.repo.saveTransition(stored.version, order, events);
  }
  if (order.status !== "AWAITING_APPROVAL")
    return { orderId, status: order.status, approval: "NOT_REQUIRED" };
  // A repeat after a crash lands here too: both starts are no-ops when already done.
  const channel = await deps.repo.getChannel(order.channelId);
  const holdMinutes = channel ? channelInventory(channel).reservationHoldMinutes : 60;
  await deps.holds.startHold(orderId, awaitingSince(order), holdMinutes * 60);
  // One approval execution per attempt: a retry after a failed one starts afresh (decided reasons stay).
  const attempt = order.timeline.filter((t) => t.action === "recover").length;
  await deps.approvalWorkflow.startApproval(orderId, attempt, workflowInput(order));
  return { orderId, status: order.status, approval: "AWAITING" };
}

// ---------------------------------------------------------------------------------------------------
// The approval workflow's tasks

export interface ReasonTaskInput {
  orderId: string;
  reasonId: string;
  taskToken: string;
}

/** Settles a task token with an approval's recorded outcome (a decision that came first). */
async function settleWithOutcome(deps: ApprovalFlowDeps, approval: Approval, taskToken: string) {
  if (approval.status === "APPROVED") {
    await deps.callbacks.succeed(taskToken, { reasonId: approval.reasonId, decision: "APPROVED" });
  } else {
    await deps.callbacks.fail(
      taskToken,
      APPROVAL_DECLINED,
      `approval ${approval.reasonId} is ${approval.status}${approval.actor ? ` (${approval.actor})` : ""}`,
    );
  }
}

/** Updates the waiting token of an open approval (a retried task got a new one). */
async function replaceToken(deps: ApprovalDeps, approval: Approval, taskToken: string) {
  if (approval.taskToken === taskToken) return;
  const order = await loadOrder(deps.repo, approval.orderId);
  await deps.approvals.saveApprovalChange(
    order.version,
    order,
    [],
    [
      {
        approval: { ...approval, taskToken, version: approval.version + 1 },
        previousVersion: approval.version,
      },
    ],
  );
}

/**
 * The request of one reason (a `.waitForTaskToken` task): records the approval REQUESTED with the task
 * token (and, for a third party, its callback id) and emits order.approval-requested. The task then
 * waits for a decision, or for its TimeoutSeconds.
 */
export async function requestApproval(deps: ApprovalFlowDeps, input: ReasonTaskInput): Promise<Approval> {
  return withRetries(async () => {
    const existing = await deps.approvals.getApproval(input.orderId, input.reasonId);
    if (existing) {
      if (isOpen(existing)) await replaceToken(deps, existing, input.taskToken);
      else await settleWithOutcome(deps, existing, input.taskToken);
      return existing;
    }
    const order = await loadOrder(deps.repo, input.orderId);
    const reason = plannedReasons(order).find((r) => r.reasonId === input.reasonId);
    if (!reason || order.status !== "AWAITING_APPROVAL") {
      throw new IllegalTransitionError(
        order.orderId,
        order.status,
        `request approval ${input.reasonId}`,
        reason ? "the order is not awaiting approval" : "the reason was not planned for this order",
      );
    }
    // The engine runs a rank only after the previous one approved; this guard makes sure of it (a decline
    // stops the chain even if a later rank's task was started anyway).
    const gate = rankGate(
      await deps.approvals.listApprovals(order.orderId),
      plannedReasons(order),
      reason.rank,
    );
    if (gate === "declined") {
      throw new ApprovalDeclinedError(`order ${order.orderId}: an earlier approval was declined`, {
        orderId: order.orderId,
        reasonId: reason.reasonId,
      });
    }
    if (gate === "waiting") {
      throw new IllegalTransitionError(
        order.orderId,
        order.status,
        `request approval ${reason.reasonId}`,
        `the reasons of lower ranks are not all approved`,
      );
    }
    const at = deps.clock.now();
    const callbackId = reason.thirdParty ? randomBytes(24).toString("base64url") : undefined;
    const approval: Approval = {
      orderId: order.orderId,
      reasonId: reason.reasonId,
      rank: reason.rank,
      status: "REQUESTED",
      ...(reason.description === undefined ? {} : { description: reason.description }),
      ...(reason.thirdParty ? { thirdParty: reason.thirdParty } : {}),
      timeoutSeconds: reason.timeoutSeconds,
      onTimeout: reason.onTimeout,
      rerouteAfterApproval: reason.rerouteAfterApproval,
      requestedAt: at,
      dueAt: new Date(Date.parse(at) + reason.timeoutSeconds * 1000).toISOString(),
      ...(callbackId ? { callbackId } : {}),
      taskToken: input.taskToken,
      history: [{ status: "REQUESTED", at }],
      version: 1,
    };
    const noted = noteApprovalEvent(order, requestedBody(approval, order), at, deps.ids.eventId());
    await deps.approvals.saveApprovalChange(
      order.version,
      noted.order,
      [noted.event],
      [{ approval }],
      callbackId ? [{ callbackId, orderId: order.orderId, reasonId: reason.reasonId }] : [],
    );
    return approval;
  });
}

/** Writes an approval's change with the event that records it (and bumps the order). */
async function saveNoted(
  deps: ApprovalDeps,
  before: Approval,
  after: Approval,
  body: Parameters<typeof noteApprovalEvent>[1],
) {
  const order = await loadOrder(deps.repo, before.orderId);
  const noted = noteApprovalEvent(order, body, deps.clock.now(), deps.ids.eventId());
  await deps.approvals.saveApprovalChange(
    order.version,
    noted.order,
    [noted.event],
    [{ approval: after, previousVersion: before.version }],
  );
}

/**
 * A reason configured to ESCALATE reached its timeout (a `.waitForTaskToken` task): the approval turns
 * ESCALATED (an operator task: GET /approvals?status=ESCALATED), order.approval-escalated is emitted, and
 * the reason keeps waiting on this task's token. A decision that raced the timeout settles it at once.
 */
export async function escalateApproval(deps: ApprovalFlowDeps, input: ReasonTaskInput): Promise<Approval> {
  return withRetries(async () => {
    const approval = await loadApproval(deps, input.orderId, input.reasonId);
    if (approval.status === "ESCALATED") {
      await replaceToken(deps, approval, input.taskToken);
      return approval;
    }
    if (!isOpen(approval)) {
      await settleWithOutcome(deps, approval, input.taskToken);
      return approval;
    }
    const escalated = applyApprovalCommand(
      approval,
      { action: "escalate", taskToken: input.taskToken },
      deps.clock.now(),
    );
    await saveNoted(deps, approval, escalated, escalatedBody(escalated));
    return escalated;
  });
}

/**
 * A reason configured to DECLINE reached its timeout: TIMED_OUT (which declines the order), unless a
 * decision arrived first. Returns the reason's outcome for the workflow's Choice.
 */
export async function timeOutApproval(
  deps: ApprovalFlowDeps,
  input: { orderId: string; reasonId: string },
): Promise<{ orderId: string; reasonId: string; decision: "APPROVED" | "DECLINED" }> {
  return withRetries(async () => {
    const approval = await loadApproval(deps, input.orderId, input.reasonId);
    const result = (decision: "APPROVED" | "DECLINED") => ({ ...input, decision });
    if (approval.status === "APPROVED") return result("APPROVED");
    if (!isOpen(approval)) return result("DECLINED");
    const timedOut = applyApprovalCommand(approval, { action: "time-out" }, deps.clock.now());
    await saveNoted(deps, approval, timedOut, decidedBody(timedOut));
    return result("DECLINED");
  });
}

/**
 * Every rank approved: the order is approved. It goes on to submission (resume at AfterApproval), or,
 * when an applied reason asks for it or reservations expired while it waited, back to routing (its
 * reservations are released first, then resume at Route).
 */
export async function approveOrder(deps: ApprovalFlowDeps, orderId: string): Promise<PlanResult> {
  let order = await withRetries(async () => {
    const current = await loadOrder(deps.repo, orderId);
    if (current.status !== "AWAITING_APPROVAL") return current;
    const planned = plannedReasons(current);
    const approvals = await deps.approvals.listApprovals(orderId);
    const outcome = approvalOutcome(
      approvals,
      planned.map((r) => r.reasonId),
    );
    if (outcome !== "APPROVED") {
      throw new IllegalTransitionError(orderId, current.status, "approve", `the approval is ${outcome}`);
    }
    const reservations = await deps.inventory.listReservations(orderId);
    const lost = current.positions.some(
      (p) =>
        !p.backordered &&
        !reservations.some((r) => r.lineId === p.lineId && r.locationId === p.locationId && isActive(r)),
    );
    const reroute = lost || planned.some((r) => r.rerouteAfterApproval);
    const applied = applyCommand(
      current,
      { action: "approve", reasonIds: planned.map((r) => r.reasonId), reroute },
      deps.clock.now(),
      deps.ids.eventId(),
    );
    await deps.repo.saveTransition(current.version, applied.order, [applied.event]);
    return applied.order;
  });
  if (!order.timeline.some((t) => t.action === "approve")) {
    throw new IllegalTransitionError(orderId, order.status, "approve", "the order is not awaiting approval");
  }
  // A repeat after a crash finishes what the first run left: both steps below are idempotent, and the
  // reservations are released only while the order still waits to be routed again.
  if (order.status === "VALIDATED" && order.timeline.at(-1)?.action === "approve") {
    await releaseOrderReservations(deps, orderId, "SUPERSEDED");
    await deps.workflows.resumeOrder(orderId, "Route", order.orderType);
  } else if (order.timeline.at(-1)?.action === "approve") {
    await deps.workflows.resumeOrder(orderId, "AfterApproval", order.orderType);
  }
  order = await loadOrder(deps.repo, orderId);
  return { orderId, status: order.status, approval: "NOT_REQUIRED" };
}

/**
 * A reason declined (or timed out with DECLINE): the order is DECLINED (naming the reason, who and why),
 * the other open approvals are withdrawn, and the order's reservations are released.
 */
export async function declineOrder(deps: ApprovalFlowDeps, orderId: string): Promise<PlanResult> {
  const order = await withRetries(async () => {
    const current = await loadOrder(deps.repo, orderId);
    if (current.status !== "AWAITING_APPROVAL") return current;
    const approvals = await deps.approvals.listApprovals(orderId);
    const declining = approvals
      .filter((a) => a.status === "DECLINED" || a.status === "TIMED_OUT")
      .sort((a, b) => (a.decidedAt ?? "").localeCompare(b.decidedAt ?? ""))[0];
    if (!declining) {
      throw new IllegalTransitionError(orderId, current.status, "decline", "no reason was declined");
    }
    const at = deps.clock.now();
    const applied = applyCommand(
      current,
      {
        action: "decline",
        reasonId: declining.reasonId,
        actor: declining.actor ?? "system",
        comment: declining.comment,
      },
      at,
      deps.ids.eventId(),
    );
    const withdrawn: ApprovalWrite[] = approvals.filter(isOpen).map((a) => ({
      approval: applyApprovalCommand(a, { action: "withdraw" }, at),
      previousVersion: a.version,
    }));
    await deps.approvals.saveApprovalChange(current.version, applied.order, [applied.event], withdrawn);
    return applied.order;
  });
  if (order.status === "DECLINED") await releaseOrderReservations(deps, orderId, "DECLINED");
  return { orderId, status: order.status, approval: "NOT_REQUIRED" };
}

// ---------------------------------------------------------------------------------------------------
// Decisions (API, third-party callback)

/** An approval without its secrets (the task token, a third party's callback id). */
export const publicView = ({ taskToken: _t, callbackId: _c, ...rest }: Approval): ApprovalView => rest;

export interface DecisionResult {
  approval: Approval;
  /** True when the same decision was recorded before (nothing changed). */
  repeated: boolean;
}

async function settleDecision(deps: Pick<ApprovalFlowDeps, "callbacks">, approval: Approval) {
  if (!approval.taskToken) return;
  if (approval.status === "APPROVED") {
    await deps.callbacks.succeed(approval.taskToken, { reasonId: approval.reasonId, decision: "APPROVED" });
  } else if (approval.status === "DECLINED") {
    await deps.callbacks.fail(
      approval.taskToken,
      APPROVAL_DECLINED,
      `approval ${approval.reasonId} declined by ${approval.actor ?? "?"}${approval.comment ? `: ${approval.comment}` : ""}`,
    );
  }
}

/**
 * Approve or decline one reason of an order. The decision is recorded (with order.approval-decided) and
 * then settles the workflow's waiting task. The same decision again answers the same (and settles the
 * task again, should a crash have struck in between); a different one after a decision is a conflict.
 */
export async function decideApproval(
  deps: ApprovalDeps & Pick<ApprovalFlowDeps, "callbacks">,
  orderId: string,
  reasonId: string,
  input: DecisionInput,
): Promise<DecisionResult> {
  const result = await withRetries(async (): Promise<DecisionResult> => {
    const approval = await loadApproval(deps, orderId, reasonId);
    if (!isOpen(approval)) {
      if (approval.status === decisionStatus(input.decision)) return { approval, repeated: true };
      throw new ConflictError(
        "APPROVAL_NOT_OPEN",
        `approval ${reasonId} of order ${orderId} is ${approval.status}`,
        "decision",
        { orderId, reasonId },
      );
    }
    const decided = applyApprovalCommand(approval, decisionCommand(input), deps.clock.now());
    await saveNoted(deps, approval, decided, decidedBody(decided));
    return { approval: decided, repeated: false };
  });
  await settleDecision(deps, result.approval);
  return result;
}

/** A third party's answer through its callback id (the capability it was sent with the request). */
export async function decideByCallback(
  deps: ApprovalDeps & Pick<ApprovalFlowDeps, "callbacks">,
  callbackId: string,
  input: DecisionInput,
): Promise<DecisionResult> {
  const target = await deps.approvals.getCallback(callbackId);
  if (!target) throw new NotFoundError("CALLBACK_NOT_FOUND", "unknown callback id", "callbackId");
  return decideApproval(deps, target.orderId, target.reasonId, input);
}

export type ApprovalView = Omit<Approval, "taskToken" | "callbackId">;

/** An order's approvals (operators' and channels' view), without task tokens and callback ids. */
export async function listOrderApprovals(
  deps: Pick<ApprovalDeps, "repo" | "approvals">,
  orderId: string,
): Promise<{ orderId: string; status: OrderStatus; approvals: ApprovalView[] }> {
  const order = await loadOrder(deps.repo, orderId);
  const approvals = (await deps.approvals.listApprovals(orderId)).map(publicView);
  return { orderId, status: order.status, approvals };
}
