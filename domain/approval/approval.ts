// One approval reason's approval of one order, and its life as a table: requested -> approved / declined,
// or timed out (declines) / escalated (keeps waiting, an operator is asked) at its timeout; withdrawn
// when the order was declined by another reason first. Pure: the table decides, the workflow acts.
import { z } from "zod";
import { IllegalTransitionError } from "../shared/errors.ts";
import { ON_TIMEOUT, thirdPartySchema } from "./approval-reasons.ts";

export const APPROVAL_STATUSES = [
  "REQUESTED",
  "ESCALATED",
  "APPROVED",
  "DECLINED",
  "TIMED_OUT",
  "WITHDRAWN",
] as const;
export const approvalStatusSchema = z.enum(APPROVAL_STATUSES);
export type ApprovalStatus = z.infer<typeof approvalStatusSchema>;

export const DECISIONS = ["APPROVE", "DECLINE"] as const;
export const decisionSchema = z.enum(DECISIONS);
export type Decision = z.infer<typeof decisionSchema>;

/** Who decided and why: an operator, a third party's callback, or the system at a timeout. */
export const decisionInputSchema = z.strictObject({
  decision: decisionSchema,
  actor: z.string().min(1).max(200),
  comment: z.string().max(2000).optional(),
});
export type DecisionInput = z.infer<typeof decisionInputSchema>;

export const approvalHistoryEntrySchema = z.object({
  status: approvalStatusSchema,
  at: z.string(),
  actor: z.string().optional(),
  comment: z.string().optional(),
});

export const approvalSchema = z.object({
  orderId: z.string(),
  reasonId: z.string(),
  rank: z.number().int(),
  status: approvalStatusSchema,
  description: z.string().optional(),
  thirdParty: thirdPartySchema.optional(),
  timeoutSeconds: z.number().int().positive(),
  onTimeout: z.enum(ON_TIMEOUT),
  rerouteAfterApproval: z.boolean(),
  requestedAt: z.string(),
  /** When the reason times out (requestedAt + timeoutSeconds). */
  dueAt: z.string(),
  escalatedAt: z.string().optional(),
  decidedAt: z.string().optional(),
  actor: z.string().optional(),
  comment: z.string().optional(),
  /** Capability id of a third party's callback (POST /approval-callbacks/{callbackId}). */
  callbackId: z.string().optional(),
  /** The workflow's task token the decision settles (the latest: escalation waits on a new one). */
  taskToken: z.string().optional(),
  history: z.array(approvalHistoryEntrySchema),
  version: z.number().int().positive(),
});
export type Approval = z.infer<typeof approvalSchema>;

export type ApprovalCommand =
  | { action: "escalate"; taskToken: string }
  | { action: "approve"; actor: string; comment?: string | undefined }
  | { action: "decline"; actor: string; comment?: string | undefined }
  | { action: "time-out" }
  | { action: "withdraw" };
export type ApprovalAction = ApprovalCommand["action"];

/** The transition table: from which statuses an action may move an approval, and where to. */
export const APPROVAL_TRANSITIONS: Record<
  ApprovalAction,
  { from: readonly ApprovalStatus[]; to: ApprovalStatus }
> = {
  escalate: { from: ["REQUESTED"], to: "ESCALATED" },
  approve: { from: ["REQUESTED", "ESCALATED"], to: "APPROVED" },
  decline: { from: ["REQUESTED", "ESCALATED"], to: "DECLINED" },
  "time-out": { from: ["REQUESTED"], to: "TIMED_OUT" },
  withdraw: { from: ["REQUESTED", "ESCALATED"], to: "WITHDRAWN" },
};

/** Statuses that wait for a decision. */
export const OPEN_APPROVAL_STATUSES: readonly ApprovalStatus[] = ["REQUESTED", "ESCALATED"];
export const isOpen = (approval: Approval): boolean => OPEN_APPROVAL_STATUSES.includes(approval.status);

/** Why the command may not run on the approval now, or undefined. */
export function approvalRefusal(approval: Approval, command: ApprovalCommand): string | undefined {
  const rule = APPROVAL_TRANSITIONS[command.action];
  return rule.from.includes(approval.status)
    ? undefined
    : `allowed only from ${rule.from.join(", ")}; the approval is ${approval.status}`;
}

/** Applies a command to an approval (pure). Throws IllegalTransitionError with the table's reason. */
export function applyApprovalCommand(approval: Approval, command: ApprovalCommand, at: string): Approval {
  const reason = approvalRefusal(approval, command);
  if (reason) {
    throw new IllegalTransitionError(
      approval.orderId,
      approval.status,
      `${command.action} approval ${approval.reasonId}`,
      reason,
    );
  }
  const status = APPROVAL_TRANSITIONS[command.action].to;
  const entry: Approval["history"][number] = { status, at };
  // The task token stays after a decision: a repeated decision re-sends it (the workflow ignores a repeat).
  const next: Approval = { ...approval, status, version: approval.version + 1, history: [] };
  switch (command.action) {
    case "escalate":
      next.escalatedAt = at;
      next.taskToken = command.taskToken;
      break;
    case "approve":
    case "decline":
      next.decidedAt = at;
      next.actor = entry.actor = command.actor;
      if (command.comment !== undefined) next.comment = entry.comment = command.comment;
      break;
    case "time-out":
      next.decidedAt = at;
      next.actor = entry.actor = "system";
      next.comment = entry.comment = `no answer within ${approval.timeoutSeconds} s`;
      break;
    case "withdraw":
      next.decidedAt = at;
      break;
  }
  next.history = [...approval.history, entry];
  return next;
}

/** The command a decision stands for. */
export const decisionCommand = (input: DecisionInput): ApprovalCommand =>
  input.decision === "APPROVE"
    ? { action: "approve", actor: input.actor, comment: input.comment }
    : { action: "decline", actor: input.actor, comment: input.comment };

/** The status a decision leads to (to tell a repeated decision from a conflicting one). */
export const decisionStatus = (decision: Decision): ApprovalStatus =>
  decision === "APPROVE" ? "APPROVED" : "DECLINED";

export type ApprovalOutcome = "APPROVED" | "DECLINED" | "PENDING";

/**
 * The order's approval as a whole: DECLINED as soon as one reason is declined or timed out (a decline
 * stops the chain), APPROVED when every planned reason is approved, PENDING otherwise.
 */
export function approvalOutcome(approvals: readonly Approval[], plannedReasonIds: readonly string[]) {
  if (approvals.some((a) => a.status === "DECLINED" || a.status === "TIMED_OUT")) return "DECLINED";
  const approved = new Set(approvals.filter((a) => a.status === "APPROVED").map((a) => a.reasonId));
  return plannedReasonIds.every((id) => approved.has(id)) ? "APPROVED" : "PENDING";
}

/**
 * Whether the reasons of `rank` may be asked now: "go" when every planned reason of a lower rank is
 * approved, "declined" when one of them was declined or timed out (a decline stops the chain), "waiting"
 * otherwise.
 */
export function rankGate(
  approvals: readonly Approval[],
  planned: readonly { reasonId: string; rank: number }[],
  rank: number,
): "go" | "declined" | "waiting" {
  const byReason = new Map(approvals.map((a) => [a.reasonId, a]));
  const earlier = planned.filter((r) => r.rank < rank).map((r) => byReason.get(r.reasonId));
  if (approvals.some((a) => a.status === "DECLINED" || a.status === "TIMED_OUT")) return "declined";
  return earlier.every((a) => a?.status === "APPROVED") ? "go" : "waiting";
}
