// Merchant event subscriptions: what a merchant may ask for (an EventBridge event pattern and a target),
// the tenant scope the service forces onto every pattern, the stored subscription and its public view,
// the signing secrets (current + previous during a rotation's grace period) and the retry schedule of
// webhook deliveries. Pure: no I/O; the use cases (usecases/subscriptions.ts) store and provision.
import { z } from "zod";
import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
} from "../events/event-pattern.ts";
import { EVENT_SOURCE } from "../events/order-events.ts";
import { ValidationError } from "../shared/errors.ts";

export const SUBSCRIPTION_STATUSES = ["ACTIVE", "PAUSED"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** The field every merchant pattern gets, set by the service; merchants may not mention it. */
export const TENANT_FIELD = "merchantId";
/** EventBridge's limit on a rule's pattern (the scoped pattern must fit). */
export const MAX_PATTERN_CHARS = 4096;
/** Longest grace period of a rotated secret. */
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
/** Longest time range of one redelivery request. */
export const MAX_REDELIVERY_WINDOW_DAYS = 14;

export const merchantIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "not a merchant id");
export const subscriptionIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "not a subscription id");

const EVENT_BUS_ARN = /^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[/.\-_A-Za-z0-9]{1,256}$/;

export const webhookTargetSchema = z.strictObject({
  type: z.literal("WEBHOOK"),
  /** Where signed deliveries are POSTed: HTTPS (plain HTTP only where the deployment allows it). */
  url: z.url().max(2048),
});
export const eventBusTargetSchema = z.strictObject({
  type: z.literal("EVENT_BUS"),
  /** The merchant's own event bus (another account): EventBridge delivers the event as it is. */
  eventBusArn: z.string().regex(EVENT_BUS_ARN, "not an event bus ARN"),
});
export const subscriptionTargetSchema = z.discriminatedUnion("type", [
  webhookTargetSchema,
  eventBusTargetSchema,
]);
export type SubscriptionTarget = z.infer<typeof subscriptionTargetSchema>;

export const subscriptionCreateSchema = z.strictObject({
  description: z.string().max(256).optional(),
  /** An EventBridge event pattern over the order bus's events (see docs/events.md); JSON object. */
  eventPattern: z.record(z.string(), z.unknown()),
  target: subscriptionTargetSchema,
  /** On resume, deliver the events that matched while the subscription was paused. */
  deliverBacklogOnResume: z.boolean().default(false),
});
export type SubscriptionCreate = z.infer<typeof subscriptionCreateSchema>;

export const resumeSchema = z.strictObject({
  /** Overrides the subscription's deliverBacklogOnResume for this resume. */
  deliverBacklog: z.boolean().optional(),
});

export const rotateSecretSchema = z.strictObject({
  /** How long the previous secret keeps signing too (0 = stop at once). Default one day. */
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_GRACE_SECONDS)
    .default(24 * 3600),
});

export const redeliverySchema = z
  .strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), { path: ["to"], message: "to must be after from" })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= MAX_REDELIVERY_WINDOW_DAYS * 86_400_000, {
    path: ["to"],
    message: `the window may span at most ${MAX_REDELIVERY_WINDOW_DAYS} days`,
  });

export const deadLetterRedeliverSchema = z.strictObject({
  /** Dead letters to send again; absent = all of the subscription's. */
  ids: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
});

/** What is stored: the view plus the secrets. */
export const subscriptionSchema = z.object({
  subscriptionId: z.string(),
  merchantId: z.string(),
  description: z.string().optional(),
  /** The pattern as the merchant sent it. */
  eventPattern: z.record(z.string(), z.unknown()),
  /** The rule's pattern: the merchant's with `detail.merchantId` forced to the merchant. */
  scopedPattern: z.string(),
  target: subscriptionTargetSchema,
  status: z.enum(SUBSCRIPTION_STATUSES),
  deliverBacklogOnResume: z.boolean(),
  ruleName: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  pausedAt: z.string().optional(),
  /** While paused: the oldest event the delivery path skipped (the backlog starts there). */
  backlogFrom: z.string().optional(),
  secret: z.string().optional(),
  previousSecret: z.string().optional(),
  previousSecretExpiresAt: z.string().optional(),
  secretRotatedAt: z.string().optional(),
  version: z.number().int().nonnegative(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export const subscriptionViewSchema = subscriptionSchema
  .omit({ secret: true, previousSecret: true, version: true, backlogFrom: true })
  .meta({ id: "Subscription" });
export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;

export function viewOf(subscription: Subscription): SubscriptionView {
  const { secret: _s, previousSecret: _p, version: _v, backlogFrom: _b, ...view } = subscription;
  return view;
}

/** A webhook delivery that ran out of retries (kept 14 days). */
export const deadLetterSchema = z
  .object({
    deadLetterId: z.string(),
    subscriptionId: z.string(),
    merchantId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    event: z.record(z.string(), z.unknown()),
    attempts: z.number().int().nonnegative(),
    firstQueuedAt: z.string(),
    deadLetteredAt: z.string(),
    lastError: z.string(),
  })
  .meta({ id: "DeadLetter" });
export type DeadLetter = z.infer<typeof deadLetterSchema>;

export const ruleNameOf = (subscriptionId: string): string => `oms-sub-${subscriptionId}`;

/**
 * The merchant's pattern scoped to the merchant: refused (422 MERCHANT_SCOPE_FIXED, naming the field)
 * when it mentions merchantId anywhere, including inside `$or`; refused (400 INVALID_EVENT_PATTERN) when
 * it is not a valid EventBridge pattern; otherwise `detail.merchantId: [merchantId]` is added. Top-level
 * fields of a pattern are ANDed with its `$or`, so no alternative can escape the scope.
 */
export function scopePattern(merchantId: string, pattern: Record<string, unknown>): string {
  const mention = findField(pattern, TENANT_FIELD, "eventPattern");
  if (mention) {
    throw ValidationError.single(
      mention,
      "MERCHANT_SCOPE_FIXED",
      `${TENANT_FIELD} is set by the service to your own merchant; remove it from the pattern`,
    );
  }
  const detail = pattern.detail;
  if (detail !== undefined && (typeof detail !== "object" || detail === null || Array.isArray(detail))) {
    throw ValidationError.single(
      "eventPattern.detail",
      "INVALID_EVENT_PATTERN",
      "detail must be an object of field patterns",
    );
  }
  const scoped = {
    ...pattern,
    detail: { ...(detail as Record<string, unknown> | undefined), [TENANT_FIELD]: [merchantId] },
  };
  const text = JSON.stringify(scoped);
  if (text.length > MAX_PATTERN_CHARS) {
    throw ValidationError.single(
      "eventPattern",
      "INVALID_EVENT_PATTERN",
      `the pattern with the merchant scope is ${text.length} characters; the limit is ${MAX_PATTERN_CHARS}`,
    );
  }
  try {
    compileEventPattern(text);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) {
      throw ValidationError.single("eventPattern", "INVALID_EVENT_PATTERN", error.message);
    }
    throw error;
  }
  return text;
}

/** The dotted path of the first key named `field` anywhere in a JSON value, if any. */
function findField(value: unknown, field: string, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findField(item, field, `${path}.${index}`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key === field) return `${path}.${key}`;
    const found = findField(item, field, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * What the delivery path needs of any event in the catalogue (order events of every type and version,
 * including types added later): the envelope every event carries; `data` and unknown fields pass through.
 */
export const deliverableEventSchema = z.looseObject({
  eventId: z.string().min(1),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.string(),
  merchantId: z.string(),
  channelId: z.string(),
  orderId: z.string(),
  sequence: z.number().int().positive(),
});
export type DeliverableEvent = z.infer<typeof deliverableEventSchema>;

/** An OMS order event as the bus carries it (envelope fields the relay sets), for matching on replay. */
export function busEnvelopeOf(event: {
  eventId: string;
  type: string;
  version: number;
  occurredAt: string;
  orderId: string;
}): Record<string, unknown> {
  return {
    version: "0",
    id: event.eventId,
    "detail-type": `${event.type}.v${event.version}`,
    source: EVENT_SOURCE,
    time: event.occurredAt,
    resources: [`oms:order:${event.orderId}`],
    detail: event,
  };
}

/** A compiled scoped pattern's test of a stored event (time-range redelivery, backlog on resume). */
export function eventMatcher(scopedPattern: string): (event: Parameters<typeof busEnvelopeOf>[0]) => boolean {
  const compiled = compileEventPattern(scopedPattern);
  return (event) => matchesEventPattern(compiled, busEnvelopeOf(event));
}

/** The secrets a delivery is signed with at `now`: the current one, and the previous one in its grace. */
export function signingSecrets(subscription: Subscription, now: string): string[] {
  const secrets = subscription.secret ? [subscription.secret] : [];
  if (
    subscription.previousSecret &&
    subscription.previousSecretExpiresAt &&
    subscription.previousSecretExpiresAt > now
  ) {
    secrets.push(subscription.previousSecret);
  }
  return secrets;
}

export interface RetrySchedule {
  /** First retry after this many seconds; doubles with each attempt. */
  baseSeconds: number;
  /** Longest wait between two attempts. */
  maxSeconds: number;
  /** An event still failing after this long since it was queued is dead-lettered. */
  maxAgeSeconds: number;
}

/**
 * After failed attempt `attempt` (1-based) of a delivery queued `ageSeconds` ago: wait this many whole
 * seconds (exponential, "equal jitter" between half and all of base * 2^(attempt-1), capped, never past
 * the age limit) before the next attempt, or undefined when the age limit is reached (dead-letter).
 */
export function nextRetryDelay(
  schedule: RetrySchedule,
  attempt: number,
  ageSeconds: number,
  random: number,
): number | undefined {
  const left = schedule.maxAgeSeconds - ageSeconds;
  if (left <= 0) return undefined;
  const ceiling = Math.min(schedule.maxSeconds, schedule.baseSeconds * 2 ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + random * (ceiling / 2);
  return Math.max(0, Math.min(Math.ceil(jittered), Math.ceil(left)));
}
