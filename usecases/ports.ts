// The ports use cases depend on: storage (orders, inventory), workflow start and the clock/id source.
// Adapters implement them; tests pass real adapters against DynamoDB Local or plain objects for the clock.
import type { ReservationHold } from "../domain/inventory/reservation-hold.ts";
import type { OrderType } from "../domain/order/order-input.ts";
import type { ResumePoint } from "../domain/order/resume-points.ts";
import type { SubscriptionTarget } from "../domain/subscriptions/subscription.ts";

export type { DocumentRepository } from "../adapters/dynamodb/document-repository.ts";
export type { InventoryRepository } from "../adapters/dynamodb/inventory-repository.ts";
export type { OrderRepository } from "../adapters/dynamodb/order-repository.ts";
export type { RoutingRepository } from "../adapters/dynamodb/routing-repository.ts";

export interface WorkflowStarter {
  /** Starts the order type's workflow for an order; starting it twice is a no-op. */
  startOrderWorkflow(orderType: OrderType, orderId: string): Promise<{ executionArn: string }>;
  /**
   * Continues an order after a wait or an exception: a new execution of its workflow that starts at
   * `resumeAt`. The steps are idempotent, so a duplicate resume changes nothing twice.
   */
  resumeOrder(
    orderId: string,
    resumeAt: ResumePoint,
    orderType?: OrderType,
  ): Promise<{ executionArn: string }>;
}

/** Releases a stuck order's reservations after its hold time, unless it moved on meanwhile. */
export interface ReservationHoldTimer {
  /** Starting it twice for the same order and exception is a no-op. */
  startHold(orderId: string, exceptionAt: string, holdSeconds: number): Promise<void>;
}

/** The stored holds behind the timer, as the scheduled sweep reads and ends them. */
export interface ReservationHolds extends ReservationHoldTimer {
  /** Holds not yet ended that were due strictly before `now`, soonest first, one page. */
  listDue(
    now: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: ReservationHold[]; nextCursor?: string }>;
  /** Takes a hold off the due list; false when it had ended already. */
  endHold(hold: ReservationHold, endedAt: string, released: number): Promise<boolean>;
}

export interface Clock {
  now(): string;
}

export interface IdSource {
  orderId(): string;
  eventId(): string;
}

/** A webhook delivery on its way: the subscription it belongs to and the bus event (envelope + detail). */
export interface DeliveryMessage {
  subscriptionId: string;
  merchantId: string;
  event: Record<string, unknown>;
}

/** The webhook delivery queue (SQS): what redeliveries and dead-letter redrives put back on the path. */
export interface DeliveryQueue {
  send(messages: DeliveryMessage[]): Promise<void>;
}

/** A subscription's EventBridge rule on the order bus (PutRule/PutTargets/Enable/Disable/DeleteRule). */
export interface SubscriptionRules {
  create(rule: {
    ruleName: string;
    description: string;
    scopedPattern: string;
    subscriptionId: string;
    merchantId: string;
    target: SubscriptionTarget;
  }): Promise<void>;
  enable(ruleName: string): Promise<void>;
  disable(ruleName: string): Promise<void>;
  /** Removes the targets and the rule; deleting a missing rule is a no-op. */
  remove(ruleName: string): Promise<void>;
}

/** One signed POST to a webhook: the status it answered, or the network error. */
export interface WebhookSender {
  post(
    url: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number } | { error: string }>;
}

export interface SecretSource {
  /** A new random signing secret. */
  secret(): string;
}

/** Where order documents' files live: S3 on AWS, the data folder locally. Keys are deterministic. */
export interface DocumentStore {
  /** Stores the bytes under the key; storing the same key again replaces it (same content, same file). */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  /** A direct download link (a presigned URL), or undefined when the HTTP API serves the file itself. */
  downloadUrl(key: string, fileName: string): Promise<string | undefined>;
}
