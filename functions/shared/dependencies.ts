// The use cases' dependencies as handlers build them: real adapters over the module-scope clients.

import { randomBytes } from "node:crypto";
import { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { SubscriptionRepository } from "../../adapters/dynamodb/subscription-repository.ts";
import { EventBridgeSubscriptionRules } from "../../adapters/subscriptions/eventbridge-rules.ts";
import { HttpWebhookSender } from "../../adapters/subscriptions/http-webhook-sender.ts";
import { SqsDeliveryQueue } from "../../adapters/subscriptions/sqs-delivery-queue.ts";
import { StepFunctionsHoldTimer } from "../../adapters/workflow/reservation-hold-timer.ts";
import { StepFunctionsWorkflowStarter } from "../../adapters/workflow/step-functions-starter.ts";
import { ulid } from "../../domain/shared/ids.ts";
import type { SubscriptionDeps } from "../../usecases/subscriptions.ts";
import { systemClock, systemIds } from "../../usecases/system-ports.ts";
import type { WebhookDeliveryDeps } from "../../usecases/webhook-delivery.ts";
import { dynamodb, eventBridge, sqs, stepFunctions } from "./aws-clients.ts";
import { environment } from "./environment.ts";

export function orderRepository(): OrderRepository {
  const env = environment();
  return new OrderRepository(dynamodb, env.TABLE_NAME, { channelCacheMs: env.CONFIG_CACHE_SECONDS * 1000 });
}

export function inventoryRepository(): InventoryRepository {
  return new InventoryRepository(dynamodb, environment().TABLE_NAME);
}

export function useCaseDeps() {
  const env = environment();
  return {
    repo: orderRepository(),
    inventory: inventoryRepository(),
    workflows: new StepFunctionsWorkflowStarter(stepFunctions, {
      HOME_DELIVERY: env.STATE_MACHINE_ARN_HOME_DELIVERY,
    }),
    holds: new StepFunctionsHoldTimer(stepFunctions, env.STATE_MACHINE_ARN_RESERVATION_HOLD),
    clock: systemClock,
    ids: systemIds,
  };
}

/** What the inventory handlers need: the channel reader, the inventory repository and the clock. */
export function inventoryDeps() {
  return { repo: orderRepository(), inventory: inventoryRepository(), clock: systemClock };
}

export function subscriptionRepository(): SubscriptionRepository {
  return new SubscriptionRepository(dynamodb, environment().TABLE_NAME);
}

function required(name: "QUEUE_URL_WEBHOOK_DELIVERIES" | "QUEUE_ARN_WEBHOOK_DELIVERIES"): string {
  const value = environment()[name];
  if (!value) throw new Error(`${name} is not set (app/app-declaration.ts handlerEnvironment)`);
  return value;
}

/** The subscription API's dependencies: the table, the order bus's rules, the delivery queue. */
export function subscriptionDeps(): SubscriptionDeps {
  const env = environment();
  return {
    subscriptions: subscriptionRepository(),
    rules: new EventBridgeSubscriptionRules(eventBridge, {
      busName: env.EVENT_BUS_NAME,
      deliveryQueueArn: required("QUEUE_ARN_WEBHOOK_DELIVERIES"),
      ...(env.SUBSCRIPTION_BUS_TARGET_ROLE_ARN
        ? { eventBusTargetRoleArn: env.SUBSCRIPTION_BUS_TARGET_ROLE_ARN }
        : {}),
    }),
    queue: new SqsDeliveryQueue(sqs, required("QUEUE_URL_WEBHOOK_DELIVERIES")),
    clock: systemClock,
    ids: { subscriptionId: () => ulid(Date.now(), randomBytes(16)) },
    // 32 random bytes: the HMAC key receivers store.
    secrets: { secret: () => `whsec_${randomBytes(32).toString("base64url")}` },
    allowHttpWebhooks: env.WEBHOOK_ALLOW_HTTP,
  };
}

/** The webhook delivery function's dependencies: subscriptions, the HTTP sender, the retry schedule. */
export function webhookDeliveryDeps(): WebhookDeliveryDeps {
  const env = environment();
  return {
    subscriptions: subscriptionRepository(),
    sender: new HttpWebhookSender(env.WEBHOOK_TIMEOUT_MS),
    cacheMs: env.SUBSCRIPTION_CACHE_SECONDS * 1000,
    cache: new Map(),
    clock: systemClock,
    schedule: {
      baseSeconds: env.WEBHOOK_RETRY_BASE_SECONDS,
      maxSeconds: env.WEBHOOK_RETRY_MAX_SECONDS,
      maxAgeSeconds: env.WEBHOOK_MAX_AGE_SECONDS,
    },
  };
}
