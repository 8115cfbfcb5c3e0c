// Merchant event subscriptions: create (scoped pattern, secret, EventBridge rule), list, get, pause,
// resume (optionally with the backlog), delete, rotate the secret, redeliver a time range, list and
// redeliver dead letters. The record is stored before the rule exists and removed again when the rule
// cannot be created, so nothing is left half-made; the rule's calls are idempotent, so a failed pause or
// delete is finished by repeating it.
import type { z } from "zod";
import type { SubscriptionRepository } from "../adapters/dynamodb/subscription-repository.ts";
import { NotFoundError, UnavailableError, ValidationError } from "../domain/shared/errors.ts";
import { toValidationError } from "../domain/shared/zod-issues.ts";
import {
  busEnvelopeOf,
  type DeadLetter,
  deadLetterRedeliverSchema,
  eventMatcher,
  redeliverySchema,
  resumeSchema,
  rotateSecretSchema,
  ruleNameOf,
  type Subscription,
  type SubscriptionView,
  scopePattern,
  subscriptionCreateSchema,
  viewOf,
} from "../domain/subscriptions/subscription.ts";
import type { Clock, DeliveryMessage, DeliveryQueue, SecretSource, SubscriptionRules } from "./ports.ts";

/** Most events one redelivery call re-sends; the answer says when the window held more. */
export const MAX_REDELIVERY_EVENTS = 10_000;

export interface SubscriptionDeps {
  subscriptions: SubscriptionRepository;
  rules: SubscriptionRules;
  queue: DeliveryQueue;
  clock: Clock;
  ids: { subscriptionId(): string };
  secrets: SecretSource;
  /** Accept http:// webhook URLs (the local home); on AWS only https. */
  allowHttpWebhooks: boolean;
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw toValidationError(result.error);
  return result.data;
}

export async function createSubscription(
  deps: SubscriptionDeps,
  merchantId: string,
  input: unknown,
): Promise<SubscriptionView & { secret?: string }> {
  const request = parseWith(subscriptionCreateSchema, input);
  const scopedPattern = scopePattern(merchantId, request.eventPattern);
  if (request.target.type === "WEBHOOK") {
    const protocol = new URL(request.target.url).protocol;
    if (protocol !== "https:" && !(protocol === "http:" && deps.allowHttpWebhooks)) {
      throw ValidationError.single("target.url", "INVALID_WEBHOOK_URL", "the webhook URL must use https");
    }
  }
  const now = deps.clock.now();
  const subscriptionId = deps.ids.subscriptionId();
  const subscription: Subscription = {
    subscriptionId,
    merchantId,
    ...(request.description ? { description: request.description } : {}),
    eventPattern: request.eventPattern,
    scopedPattern,
    target: request.target,
    status: "ACTIVE",
    deliverBacklogOnResume: request.deliverBacklogOnResume,
    ruleName: ruleNameOf(subscriptionId),
    createdAt: now,
    updatedAt: now,
    // Only webhooks are signed by the OMS; a bus target receives the event as EventBridge sends it.
    ...(request.target.type === "WEBHOOK" ? { secret: deps.secrets.secret(), secretRotatedAt: now } : {}),
    version: 0,
  };
  await deps.subscriptions.createSubscription(subscription);
  try {
    await deps.rules.create({
      ruleName: subscription.ruleName,
      description: `Merchant ${merchantId} subscription ${subscriptionId}`,
      scopedPattern,
      subscriptionId,
      merchantId,
      target: subscription.target,
    });
  } catch (error) {
    // Nothing half-made: no rule (or a partial one, removed) and no record.
    await deps.rules.remove(subscription.ruleName).catch(() => undefined);
    await deps.subscriptions.deleteSubscription(merchantId, subscriptionId);
    throw new UnavailableError(
      "SUBSCRIPTION_NOT_PROVISIONED",
      "the subscription's rule could not be created; repeat",
      {
        cause: error,
      },
    );
  }
  return { ...viewOf(subscription), ...(subscription.secret ? { secret: subscription.secret } : {}) };
}

export async function listSubscriptions(
  deps: SubscriptionDeps,
  merchantId: string,
): Promise<SubscriptionView[]> {
  return (await deps.subscriptions.listSubscriptions(merchantId)).map(viewOf);
}

export async function getSubscription(
  deps: Pick<SubscriptionDeps, "subscriptions">,
  merchantId: string,
  subscriptionId: string,
): Promise<Subscription> {
  const subscription = await deps.subscriptions.getSubscription(merchantId, subscriptionId);
  if (!subscription) {
    throw new NotFoundError(
      "SUBSCRIPTION_NOT_FOUND",
      `merchant ${merchantId} has no subscription ${subscriptionId}`,
      "subscriptionId",
    );
  }
  return subscription;
}

/** PAUSED is stored first (the delivery path stops at once), then the rule is disabled. Idempotent. */
export async function pauseSubscription(
  deps: SubscriptionDeps,
  merchantId: string,
  subscriptionId: string,
): Promise<SubscriptionView> {
  let subscription = await getSubscription(deps, merchantId, subscriptionId);
  if (subscription.status !== "PAUSED") {
    const now = deps.clock.now();
    subscription = await deps.subscriptions.saveSubscription(
      { ...subscription, status: "PAUSED", pausedAt: now, updatedAt: now },
      subscription.version,
    );
  }
  await provision(() => deps.rules.disable(subscription.ruleName));
  return viewOf(subscription);
}

/**
 * The rule is enabled, ACTIVE stored, and (when asked, or configured on the subscription) the events of
 * the paused time are delivered again from the table: from the pause, or from the oldest event the
 * delivery path skipped meanwhile, until now. Receivers drop the repeats at the edges by eventId.
 */
export async function resumeSubscription(
  deps: SubscriptionDeps,
  merchantId: string,
  subscriptionId: string,
  input: unknown,
): Promise<SubscriptionView & { backlog?: RedeliveryResult }> {
  const request = parseWith(resumeSchema, input);
  const subscription = await getSubscription(deps, merchantId, subscriptionId);
  await provision(() => deps.rules.enable(subscription.ruleName));
  if (subscription.status === "ACTIVE") return viewOf(subscription);
  const now = deps.clock.now();
  const { pausedAt, backlogFrom, ...rest } = subscription;
  const resumed = await deps.subscriptions.saveSubscription(
    { ...rest, status: "ACTIVE", updatedAt: now },
    subscription.version,
  );
  const deliverBacklog = request.deliverBacklog ?? subscription.deliverBacklogOnResume;
  if (!deliverBacklog || subscription.target.type !== "WEBHOOK") return viewOf(resumed);
  const from = [pausedAt ?? now, backlogFrom ?? now].sort()[0] as string;
  const backlog = await redeliverWindow(deps, resumed, from, deps.clock.now());
  return { ...viewOf(resumed), backlog };
}

export async function deleteSubscription(
  deps: SubscriptionDeps,
  merchantId: string,
  subscriptionId: string,
): Promise<void> {
  const subscription = await getSubscription(deps, merchantId, subscriptionId);
  await provision(() => deps.rules.remove(subscription.ruleName));
  await deps.subscriptions.deleteSubscription(merchantId, subscriptionId);
}

/** A new secret, returned once; the previous one keeps signing too for the grace period. */
export async function rotateSecret(
  deps: SubscriptionDeps,
  merchantId: string,
  subscriptionId: string,
  input: unknown,
): Promise<{ subscriptionId: string; secret: string; previousSecretExpiresAt?: string }> {
  const { graceSeconds } = parseWith(rotateSecretSchema, input);
  const subscription = await getSubscription(deps, merchantId, subscriptionId);
  if (subscription.target.type !== "WEBHOOK" || !subscription.secret) {
    throw ValidationError.single(
      "target.type",
      "NOT_SIGNED",
      "only webhook subscriptions have a signing secret",
    );
  }
  const now = deps.clock.now();
  const secret = deps.secrets.secret();
  const expires =
    graceSeconds > 0 ? new Date(Date.parse(now) + graceSeconds * 1000).toISOString() : undefined;
  const { previousSecret: _p, previousSecretExpiresAt: _e, ...rest } = subscription;
  await deps.subscriptions.saveSubscription(
    {
      ...rest,
      secret,
      ...(expires ? { previousSecret: subscription.secret, previousSecretExpiresAt: expires } : {}),
      secretRotatedAt: now,
      updatedAt: now,
    },
    subscription.version,
  );
  return { subscriptionId, secret, ...(expires ? { previousSecretExpiresAt: expires } : {}) };
}

export interface RedeliveryResult {
  from: string;
  to: string;
  /** The merchant's events in the window that the subscription's pattern matches, queued for delivery. */
  queued: number;
  /** The merchant's events in the window that were looked at. */
  scanned: number;
  /** The window held more than MAX_REDELIVERY_EVENTS events: ask again from the last one's time. */
  truncated: boolean;
}

/** Sends the merchant's matching events of [from, to) again, from the table (both homes). */
export async function redeliver(
  deps: SubscriptionDeps,
  merchantId: string,
  subscriptionId: string,
  input: unknown,
): Promise<RedeliveryResult> {
  const { from, to } = parseWith(redeliverySchema, input);
  const subscription = await getSubscription(deps, merchantId, subscriptionId);
  requireWebhook(subscription);
  return redeliverWindow(deps, subscription, new Date(from).toISOString(), new Date(to).toISOString());
}

async function redeliverWindow(
  deps: SubscriptionDeps,
  subscription: Subscription,
  from: string,
  to: string,
): Promise<RedeliveryResult> {
  const { events, truncated } = await deps.subscriptions.listMerchantEvents(
    subscription.merchantId,
    from,
    to,
    MAX_REDELIVERY_EVENTS,
  );
  const matches = eventMatcher(subscription.scopedPattern);
  const messages: DeliveryMessage[] = events.filter(matches).map((event) => ({
    subscriptionId: subscription.subscriptionId,
    merchantId: subscription.merchantId,
    event: busEnvelopeOf(event),
  }));
  await provision(() => deps.queue.send(messages));
  return { from, to, queued: messages.length, scanned: events.length, truncated };
}

export async function listDeadLetters(
  deps: SubscriptionDeps,
  merchantId: string,
  subscriptionId: string,
): Promise<DeadLetter[]> {
  await getSubscription(deps, merchantId, subscriptionId);
  return deps.subscriptions.listDeadLetters(subscriptionId);
}

/** Dead letters go back on the delivery path with a fresh retry budget; queued first, then removed. */
export async function redeliverDeadLetters(
  deps: SubscriptionDeps,
  merchantId: string,
  subscriptionId: string,
  input: unknown,
): Promise<{ redelivered: number; ids: string[] }> {
  const { ids } = parseWith(deadLetterRedeliverSchema, input);
  const subscription = await getSubscription(deps, merchantId, subscriptionId);
  requireWebhook(subscription);
  const letters = await deps.subscriptions.listDeadLetters(subscriptionId);
  const chosen = ids ? letters.filter((letter) => ids.includes(letter.deadLetterId)) : letters;
  if (ids) {
    const unknown = ids.find((id) => !letters.some((letter) => letter.deadLetterId === id));
    if (unknown) {
      throw new NotFoundError(
        "DEAD_LETTER_NOT_FOUND",
        `no dead letter ${unknown}`,
        `ids.${ids.indexOf(unknown)}`,
      );
    }
  }
  await provision(() =>
    deps.queue.send(chosen.map((letter) => ({ subscriptionId, merchantId, event: letter.event }))),
  );
  for (const letter of chosen) await deps.subscriptions.deleteDeadLetter(subscriptionId, letter.deadLetterId);
  return { redelivered: chosen.length, ids: chosen.map((letter) => letter.deadLetterId) };
}

function requireWebhook(subscription: Subscription): void {
  if (subscription.target.type !== "WEBHOOK") {
    throw ValidationError.single(
      "target.type",
      "REDELIVERY_NOT_SUPPORTED",
      "redelivery and dead letters are for webhook subscriptions; a bus target has EventBridge archive and replay",
    );
  }
}

/** An EventBridge or SQS call failed: 503, the same request finishes the job. */
async function provision<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new UnavailableError("DEPENDENCY_UNAVAILABLE", `could not complete: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
