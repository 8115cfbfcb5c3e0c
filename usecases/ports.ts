// The ports use cases depend on: storage (orders, inventory), workflow start and the clock/id source.
// Adapters implement them; tests pass real adapters against DynamoDB Local or plain objects for the clock.
import type { OrderType } from "../domain/order/order-input.ts";

export type { InventoryRepository } from "../adapters/dynamodb/inventory-repository.ts";
export type { OrderRepository } from "../adapters/dynamodb/order-repository.ts";
export type { RoutingRepository } from "../adapters/dynamodb/routing-repository.ts";

export interface WorkflowStarter {
  /** Starts the order type's workflow for an order; starting it twice is a no-op. */
  startOrderWorkflow(orderType: OrderType, orderId: string): Promise<{ executionArn: string }>;
}

/** Releases a stuck order's reservations after its hold time, unless it moved on meanwhile. */
export interface ReservationHoldTimer {
  /** Starting it twice for the same order and exception is a no-op. */
  startHold(orderId: string, exceptionAt: string, holdSeconds: number): Promise<void>;
}

export interface Clock {
  now(): string;
}

export interface IdSource {
  orderId(): string;
  eventId(): string;
}

/** Continues an order whose workflow ended at a waiting status (an operator or a third party answered). */
export interface OrderWorkflow {
  /** Starts the order's state machine at `resumeAt` (a state name such as "AfterRouting"). */
  resumeOrder(orderId: string, resumeAt: string): Promise<void>;
}
