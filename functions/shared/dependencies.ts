// The use cases' dependencies as handlers build them: real adapters over the module-scope clients.

import { randomBytes } from "node:crypto";
import { ApprovalRepository } from "../../adapters/dynamodb/approval-repository.ts";
import { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { DynamoDbReservationHolds } from "../../adapters/dynamodb/reservation-hold-repository.ts";
import { RoutingRepository } from "../../adapters/dynamodb/routing-repository.ts";
import { SubmissionRepository } from "../../adapters/dynamodb/submission-repository.ts";
import { SubscriptionRepository } from "../../adapters/dynamodb/subscription-repository.ts";
import { EventBridgeSubscriptionRules } from "../../adapters/subscriptions/eventbridge-rules.ts";
import { HttpWebhookSender } from "../../adapters/subscriptions/http-webhook-sender.ts";
import { SqsDeliveryQueue } from "../../adapters/subscriptions/sqs-delivery-queue.ts";
import { StepFunctionsApprovalWorkflow } from "../../adapters/workflow/approval-workflows.ts";
import { StepFunctionsWorkflowStarter } from "../../adapters/workflow/step-functions-starter.ts";
import { StepFunctionsTaskCallbacks } from "../../adapters/workflow/task-callbacks.ts";
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

/** Rule sets, capacity, traces and routing tasks; routing serves rule sets from memory like channels. */
export function routingRepository(): RoutingRepository {
  const env = environment();
  return new RoutingRepository(dynamodb, env.TABLE_NAME, { ruleSetCacheMs: env.CONFIG_CACHE_SECONDS * 1000 });
}

export function useCaseDeps() {
  const env = environment();
  return {
    repo: orderRepository(),
    inventory: inventoryRepository(),
    routing: routingRepository(),
    workflows: new StepFunctionsWorkflowStarter(stepFunctions, {
      HOME_DELIVERY: env.STATE_MACHINE_ARN_HOME_DELIVERY,
    }),
    holds: new DynamoDbReservationHolds(dynamodb, env.TABLE_NAME),
    submissions: new SubmissionRepository(dynamodb, env.TABLE_NAME),
    sender: new HttpWebhookSender(env.WEBHOOK_TIMEOUT_MS),
    clock: systemClock,
    ids: systemIds,
  };
}

/** What the inventory handlers need: the channel reader, the inventory repository and the clock. */
export function inventoryDeps() {
  return { repo: orderRepository(), inventory: inventoryRepository(), clock: systemClock };
}

/** What the routing API needs: rule sets, tasks (which reserve stock and resume orders), traces. */
export function routingDeps() {
  const env = environment();
  return {
    repo: orderRepository(),
    inventory: inventoryRepository(),
    routing: routingRepository(),
    workflows: new StepFunctionsWorkflowStarter(stepFunctions, {
      HOME_DELIVERY: env.STATE_MACHINE_ARN_HOME_DELIVERY,
    }),
    clock: systemClock,
    ids: systemIds,
  };
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

/** What the approval use cases need: storage, the approval workflow, task callbacks, resume, hold timer. */
export function approvalDeps() {
  const env = environment();
  return {
    repo: orderRepository(),
    approvals: new ApprovalRepository(dynamodb, env.TABLE_NAME),
    inventory: inventoryRepository(),
    clock: systemClock,
    ids: systemIds,
    callbacks: new StepFunctionsTaskCallbacks(stepFunctions),
    approvalWorkflow: new StepFunctionsApprovalWorkflow(stepFunctions, env.STATE_MACHINE_ARN_ORDER_APPROVAL),
    workflows: new StepFunctionsWorkflowStarter(stepFunctions, {
      HOME_DELIVERY: env.STATE_MACHINE_ARN_HOME_DELIVERY,
    }),
    holds: new DynamoDbReservationHolds(dynamodb, env.TABLE_NAME),
  };
}
