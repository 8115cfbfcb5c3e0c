// The temporary order response (IOM): what the sales channel learns once the order is routed (and
// approved): per line the location(s) and quantities it was assigned to, whether the units are in stock
// or backordered, when each part ships, and the purchase and sales price. Built purely from the order
// and its locations' configuration, so a repeat builds the same answer.
import { z } from "zod";
import type { Order } from "../order/order.ts";
import { ValidationError } from "../shared/errors.ts";
import { allocationsOf } from "./allocations.ts";
import { plannedShippingDate, type ShippingCalendar } from "./planned-shipping-date.ts";

export const AVAILABILITIES = ["IN_STOCK", "BACKORDERED"] as const;

export const responseAllocationSchema = z.object({
  locationId: z.string(),
  quantity: z.number().int().positive(),
  /** IN_STOCK: reserved at the location; BACKORDERED: assigned without stock (arrival unknown). */
  availability: z.enum(AVAILABILITIES),
  /** YYYY-MM-DD in the location's zone; absent while backordered (it depends on the arrival). */
  plannedShippingDate: z.iso.date().optional(),
  /** Per unit, from the location's price list; absent when the list has no price for the SKU. */
  purchasePrice: z.number().nonnegative().optional(),
});

export const responseLineSchema = z.object({
  lineId: z.string(),
  sku: z.string(),
  quantity: z.number().int().positive(),
  /** Per unit, as the channel sold it. */
  salesPrice: z.number().nonnegative(),
  /** IN_STOCK when every unit is; BACKORDERED when none is; PARTIAL otherwise. */
  availability: z.enum(["IN_STOCK", "PARTIAL", "BACKORDERED"]),
  /** The date the last part of the line ships; absent while any part is backordered. */
  plannedShippingDate: z.iso.date().optional(),
  allocations: z.array(responseAllocationSchema).min(1),
});

export const temporaryResponseSchema = z.object({
  orderId: z.string(),
  channelOrderRef: z.string(),
  currency: z.string(),
  /** The routing the response describes (the planned dates count from it). */
  assignedAt: z.string(),
  lines: z.array(responseLineSchema).min(1),
});
export type TemporaryResponse = z.infer<typeof temporaryResponseSchema>;
export type ResponseLine = z.infer<typeof responseLineSchema>;

/** What the builder reads of a location: its shipping calendar and price list. */
export type ResponseLocation = ShippingCalendar & {
  purchasePrices?: Readonly<Record<string, number>> | undefined;
};

/** When the order's current routing was recorded: its last `route` timeline entry. */
export function assignedAtOf(order: Order): string | undefined {
  for (let i = order.timeline.length - 1; i >= 0; i--) {
    const entry = order.timeline[i];
    // Routed automatically, or assigned by an operator (a CHECK_ANNOUNCED / NOT_ANNOUNCED task).
    if (entry?.action === "route" || entry?.action === "assign-manually") return entry.at;
  }
  return undefined;
}

/** True when the order's last response describes its current routing (it needs no new one). */
export function hasCurrentResponse(order: Order): boolean {
  return order.response !== undefined && order.response.assignedAt === assignedAtOf(order);
}

/**
 * The temporary response of a routed order. Throws ValidationError when the order has no routing or a
 * position is allocated to a location that no longer exists.
 */
export function buildTemporaryResponse(
  order: Order,
  locations: ReadonlyMap<string, ResponseLocation>,
): TemporaryResponse {
  const assignedAt = assignedAtOf(order);
  if (!assignedAt) {
    throw ValidationError.single("status", "NOT_ROUTED", `order ${order.orderId} has not been routed`);
  }
  const lines = order.positions.map((position, index): ResponseLine => {
    const allocations = allocationsOf(position).map((a) => {
      const location = locations.get(a.locationId);
      if (!location) {
        throw ValidationError.single(
          `positions.${index}.locationId`,
          "LOCATION_NOT_FOUND",
          `line ${position.lineId} is assigned to location ${a.locationId}, which does not exist`,
        );
      }
      const purchasePrice = location.purchasePrices?.[position.sku];
      return {
        locationId: a.locationId,
        quantity: a.quantity,
        availability: a.backordered ? ("BACKORDERED" as const) : ("IN_STOCK" as const),
        ...(a.backordered ? {} : { plannedShippingDate: plannedShippingDate({ location, assignedAt }) }),
        ...(purchasePrice === undefined ? {} : { purchasePrice }),
      };
    });
    if (allocations.length === 0) {
      throw ValidationError.single(
        `positions.${index}`,
        "NOT_ROUTED",
        `line ${position.lineId} has no location`,
      );
    }
    const backordered = allocations.filter((a) => a.availability === "BACKORDERED").length;
    const dates = allocations.map((a) => a.plannedShippingDate);
    const latest = dates.every((d) => d !== undefined) ? dates.sort().at(-1) : undefined;
    return {
      lineId: position.lineId,
      sku: position.sku,
      quantity: position.quantity,
      salesPrice: position.unitPrice,
      availability:
        backordered === 0 ? "IN_STOCK" : backordered === allocations.length ? "BACKORDERED" : "PARTIAL",
      ...(latest === undefined ? {} : { plannedShippingDate: latest }),
      allocations,
    };
  });
  return {
    orderId: order.orderId,
    channelOrderRef: order.channelOrderRef,
    currency: order.currency,
    assignedAt,
    lines,
  };
}
