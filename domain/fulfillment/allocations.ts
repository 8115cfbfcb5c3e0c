// Where a position's units go: the one place the response, the documents and the submission read a
// position's assignment. Today a position goes whole to one location (`locationId`); when routing splits
// positions (allocations [{ locationId, quantity }] per position) only this function changes.
import type { Position } from "../order/order.ts";

export interface Allocation {
  locationId: string;
  quantity: number;
  /** Assigned without a reservation: no visible location had the stock (the channel backorders). */
  backordered: boolean;
}

/** The position's allocations; empty while it is unassigned. */
export function allocationsOf(position: Position): Allocation[] {
  if (!position.locationId) return [];
  return [
    {
      locationId: position.locationId,
      quantity: position.quantity,
      backordered: position.backordered === true,
    },
  ];
}

/** The ids of the locations an order's positions are allocated to, in first-seen order. */
export function allocatedLocationIds(positions: readonly Position[]): string[] {
  return [...new Set(positions.flatMap((p) => allocationsOf(p).map((a) => a.locationId)))];
}
