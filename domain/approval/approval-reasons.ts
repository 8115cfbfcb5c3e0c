// Approval configuration of a sales channel: its approval reasons, each with a rank (equal rank =
// parallel approvers, ascending ranks = sequential steps), an optional condition over the order's facts
// (the routing rule language), optional locations it is limited to, an optional third party that gets the
// request and answers by callback, a timeout with what happens then, and whether routing runs again
// after approval. Stored per channel; validated here at every boundary.
import { z } from "zod";
import { conditionSchemaFor, type FactCatalogue, ORDER_FACTS } from "../rules/condition.ts";

/** What an approval condition may test: the order's facts plus what routing decided. */
export const APPROVAL_FACTS = {
  ...ORDER_FACTS,
  "order.locations": { type: "string-list", description: "the locations routing assigned the positions to" },
  "order.billingDiffersFromShipping": {
    type: "boolean",
    description: "the order ships to another address than its billing address",
  },
} as const satisfies FactCatalogue;

/** Conditions of approval reasons: the routing rule language over APPROVAL_FACTS. */
export const approvalConditionSchema = conditionSchemaFor(APPROVAL_FACTS);

export const ON_TIMEOUT = ["ESCALATE", "DECLINE"] as const;
export type OnTimeout = (typeof ON_TIMEOUT)[number];

/** 30 days: a Standard workflow waits at most a year; approvals beyond a month are a process problem. */
export const MAX_APPROVAL_TIMEOUT_SECONDS = 30 * 24 * 3600;
export const MAX_APPROVAL_REASONS = 20;

export const reasonIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "reasonId may contain lower-case letters, digits and -");

export const thirdPartySchema = z.strictObject({
  /** Who answers (shown to operators and carried by the request event). */
  name: z.string().min(1).max(100),
  /** Where the merchant's event subscription delivers the request (documentation for operators). */
  description: z.string().max(500).optional(),
});

export const approvalReasonSchema = z.strictObject({
  reasonId: reasonIdSchema,
  description: z.string().max(500).optional(),
  rank: z.number().int().min(1).max(100),
  /** The routing rule language over APPROVAL_FACTS (e.g. payment method, total); absent = always applies. */
  condition: approvalConditionSchema.optional(),
  /** Limits the reason to orders with a position assigned to one of these locations. */
  locationIds: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
  /** Present: the request goes to this third party, which answers through its callback. */
  thirdParty: thirdPartySchema.optional(),
  timeoutSeconds: z.number().int().min(1).max(MAX_APPROVAL_TIMEOUT_SECONDS),
  /** ESCALATE: event + operator task, the reason keeps waiting; DECLINE: the order is declined. */
  onTimeout: z.enum(ON_TIMEOUT),
  /** Route again after approval (stock or prices may have changed meanwhile). */
  rerouteAfterApproval: z.boolean().default(false),
});
export type ApprovalReason = z.infer<typeof approvalReasonSchema>;

export const approvalReasonsSchema = z
  .strictObject({ reasons: z.array(approvalReasonSchema).max(MAX_APPROVAL_REASONS) })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.reasons.forEach((reason, index) => {
      if (seen.has(reason.reasonId)) {
        ctx.addIssue({
          code: "custom",
          path: ["reasons", index, "reasonId"],
          message: `reasonId ${reason.reasonId} appears twice`,
        });
      }
      seen.add(reason.reasonId);
    });
  });
export type ApprovalReasonsInput = z.input<typeof approvalReasonsSchema>;

/** A channel's approval configuration as stored (with its optimistic-lock version). */
export const approvalConfigSchema = z.object({
  channelId: z.string(),
  reasons: z.array(approvalReasonSchema),
  version: z.number().int().positive(),
  updatedAt: z.string(),
});
export type ApprovalConfig = z.infer<typeof approvalConfigSchema>;
