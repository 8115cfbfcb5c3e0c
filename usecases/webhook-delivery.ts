// Webhook delivery: one batch of queued deliveries (SQS records) -> signed POSTs. Each message names its
// subscription; the subscription is read (strongly consistent) once per batch, so a pause, a deletion
// or a rotated secret applies to the next delivery. A failure sets the message's next attempt
// (exponential backoff through its visibility timeout) and reports it failed; a delivery older than the
// retry age is dead-lettered into the table. Receivers drop repeats by eventId and order by sequence.

import { z } from "zod";
import type { SubscriptionRepository } from "../adapters/dynamodb/subscription-repository.ts";
import { signatureHeader } from "../domain/shared/webhook-signature.ts";
import {
  deliverableEventSchema,
  nextRetryDelay,
  type RetrySchedule,
  type Subscription,
  signingSecrets,
} from "../domain/subscriptions/subscription.ts";
import type { Clock, WebhookSender } from "./ports.ts";

/** The header names receivers read (docs/events.md). */
export const WEBHOOK_HEADERS = {
  eventId: "OMS-Event-Id",
  eventType: "OMS-Event-Type",
  timestamp: "OMS-Timestamp",
  signature: "OMS-Signature",
  subscriptionId: "OMS-Subscription-Id",
  attempt: "OMS-Delivery-Attempt",
} as const;

export const deliveryMessageSchema = z.object({
  subscriptionId: z.string().min(1),
  merchantId: z.string().min(1),
  event: z.looseObject({ "detail-type": z.string(), detail: deliverableEventSchema }),
});

export interface QueuedDelivery {
  messageId: string;
  body: string;
  /** 1 on the first attempt (SQS ApproximateReceiveCount). */
  attempt: number;
  /** When it was queued, epoch ms (SQS SentTimestamp). */
  queuedAt: number;
}

export type DeliveryOutcome =
  | { messageId: string; outcome: "DELIVERED" | "DROPPED" | "SKIPPED_PAUSED" | "DEAD_LETTERED" }
  | { messageId: string; outcome: "RETRY"; delaySeconds: number };

export interface WebhookDeliveryDeps {
  subscriptions: SubscriptionRepository;
  /**
   * Subscriptions read in the last `cacheMs` are reused (0 = read once per batch). New events of a paused
   * or deleted subscription never reach the queue (its rule is disabled or gone); the cache only decides
   * how soon messages already queued, and a rotated secret, take effect.
   */
  cacheMs?: number;
  cache?: Map<string, { at: number; subscription: Promise<Subscription | undefined> }>;
  sender: WebhookSender;
  clock: Clock;
  schedule: RetrySchedule;
  random?: () => number;
  log?: (message: string, details: Record<string, unknown>) => void;
}

export async function deliverBatch(
  deps: WebhookDeliveryDeps,
  batch: QueuedDelivery[],
): Promise<DeliveryOutcome[]> {
  const cache =
    deps.cacheMs && deps.cache
      ? deps.cache
      : new Map<string, { at: number; subscription: Promise<Subscription | undefined> }>();
  const maxAge = deps.cacheMs ?? 0;
  const now = Date.now();
  const subscriptionOf = (merchantId: string, subscriptionId: string) => {
    const key = `${merchantId}/${subscriptionId}`;
    const cached = cache.get(key);
    if (cached && now - cached.at <= maxAge) return cached.subscription;
    const subscription = deps.subscriptions.getSubscription(merchantId, subscriptionId);
    // A failed read is not cached.
    subscription.catch(() => cache.delete(key));
    cache.set(key, { at: now, subscription });
    return subscription;
  };
  return Promise.all(batch.map((delivery) => deliverOne(deps, delivery, subscriptionOf)));
}

async function deliverOne(
  deps: WebhookDeliveryDeps,
  delivery: QueuedDelivery,
  subscriptionOf: (merchantId: string, subscriptionId: string) => Promise<Subscription | undefined>,
): Promise<DeliveryOutcome> {
  const { messageId } = delivery;
  let parsed: z.infer<typeof deliveryMessageSchema>;
  try {
    parsed = deliveryMessageSchema.parse(JSON.parse(delivery.body));
  } catch (error) {
    // Not one of ours: retrying cannot help; the queue's own DLQ is for messages the function fails on.
    deps.log?.("undeliverable message dropped", { messageId, error: (error as Error).message });
    return { messageId, outcome: "DROPPED" };
  }
  const event = parsed.event.detail;
  const subscription = await subscriptionOf(parsed.merchantId, parsed.subscriptionId);
  // A deleted subscription, or (defence in depth) an event of another merchant: never delivered.
  if (
    !subscription ||
    event.merchantId !== subscription.merchantId ||
    subscription.target.type !== "WEBHOOK"
  ) {
    return { messageId, outcome: "DROPPED" };
  }
  if (subscription.status === "PAUSED") {
    await deps.subscriptions.noteSkipped(
      subscription.merchantId,
      subscription.subscriptionId,
      event.occurredAt,
    );
    return { messageId, outcome: "SKIPPED_PAUSED" };
  }
  const now = deps.clock.now();
  const timestamp = Math.floor(Date.parse(now) / 1000);
  const body = JSON.stringify(event);
  const headers = {
    "content-type": "application/json",
    "user-agent": "OMS-Webhooks/1",
    [WEBHOOK_HEADERS.eventId]: event.eventId,
    [WEBHOOK_HEADERS.eventType]: parsed.event["detail-type"],
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: signatureHeader(signingSecrets(subscription, now), timestamp, body),
    [WEBHOOK_HEADERS.subscriptionId]: subscription.subscriptionId,
    [WEBHOOK_HEADERS.attempt]: String(delivery.attempt),
  };
  const answer = await deps.sender.post(subscription.target.url, body, headers);
  if ("status" in answer && answer.status >= 200 && answer.status < 300)
    return { messageId, outcome: "DELIVERED" };
  const error = "status" in answer ? `HTTP ${answer.status}` : answer.error;
  const ageSeconds = (Date.parse(now) - delivery.queuedAt) / 1000;
  const delaySeconds = nextRetryDelay(
    deps.schedule,
    delivery.attempt,
    ageSeconds,
    (deps.random ?? Math.random)(),
  );
  if (delaySeconds !== undefined) return { messageId, outcome: "RETRY", delaySeconds };
  await deps.subscriptions.putDeadLetter({
    deadLetterId: `${now}_${event.eventId}`,
    subscriptionId: subscription.subscriptionId,
    merchantId: subscription.merchantId,
    eventId: event.eventId,
    eventType: parsed.event["detail-type"],
    event: parsed.event,
    attempts: delivery.attempt,
    firstQueuedAt: new Date(delivery.queuedAt).toISOString(),
    deadLetteredAt: now,
    lastError: error,
  });
  deps.log?.("webhook delivery dead-lettered", {
    subscriptionId: subscription.subscriptionId,
    eventId: event.eventId,
    attempts: delivery.attempt,
    error,
  });
  return { messageId, outcome: "DEAD_LETTERED" };
}
