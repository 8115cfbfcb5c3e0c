// The ports use cases depend on: storage (orders, inventory), workflow start and the clock/id source.
// Adapters implement them; tests pass real adapters against DynamoDB Local or plain objects for the clock.
import type { OrderType } from "../domain/order/order-input.ts";
import type { ResumePoint } from "../domain/order/resume-points.ts";

export type { InventoryRepository } from "../adapters/dynamodb/inventory-repository.ts";
export type { OrderRepository } from "../adapters/dynamodb/order-repository.ts";

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

export interface Clock {
  now(): string;
}

export interface IdSource {
  orderId(): string;
  eventId(): string;
}
