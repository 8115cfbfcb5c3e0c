// Where a position's units go: the one place the response, the documents and the submission read a
// position's assignment: one location (`locationId`) or, where routing split it, its allocations.
// Type-only: order.ts imports the response schema, which imports this module.
import type { Position } from "../order/order.ts";

export interface Allocation {
  locationId: string;
  quantity: number;
  /** Assigned without a reservation: no visible location had the stock (the channel backorders). */
  backordered: boolean;
}

/** The position's allocations (one location, or a split); empty while it is unassigned. */
export function allocationsOf(position: Position): Allocation[] {
  const split = position.allocations;
  const whole = position.locationId ? [{ locationId: position.locationId, quantity: position.quantity }] : [];
  return (split ?? whole).map((a) => ({
    locationId: a.locationId,
    quantity: a.quantity,
    backordered: position.backordered === true,
  }));
}

/** The ids of the locations an order's positions are allocated to, in first-seen order. */
export function allocatedLocationIds(positions: readonly Position[]): string[] {
  return [...new Set(positions.flatMap((p) => allocationsOf(p).map((a) => a.locationId)))];
}
