// The facts an order and each of its positions offer to conditions (names in condition.ts
// ORDER_FACTS / POSITION_FACTS). Absent optional attributes stay absent, so `exists` can test them.
// Every fact is computed from the order alone (no reads), so routing and approval stay pure.
import type { Order, Position } from "../order/order.ts";
import type { Facts } from "./condition.ts";

export function orderFacts(order: Order): Facts {
  return {
    "order.channel": order.channelId,
    "order.type": order.orderType,
    "order.country": order.shippingAddress.country,
    "order.customerTier": order.customer.tier,
    "order.totalValue": order.total,
    "order.currency": order.currency,
    "order.paymentMethod": order.paymentMethod,
    "order.tags": order.tags,
    "order.date": order.placedAt,
    "order.positionCount": order.positions.length,
    "order.newDeliveryAddress": isNewDeliveryAddress(order),
  };
}

type Address = Order["shippingAddress"];

/**
 * One part of an address as a place, not as typed: case, accents (and ß), punctuation and runs of
 * white space do not count ("Heidestraße 17" = "heidestrasse  17", "Koeln" != "Köln" though: a
 * transliteration is another spelling). Abbreviations do count ("Heidestr." != "Heidestrasse"): when in
 * doubt the address is new, and an approval asks rather than lets it through.
 */
function placePart(value: string | undefined): string {
  return (value ?? "")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The place an address names: street lines, postal code, city, country (not the name, region, coordinates). */
const placeOf = (a: Address): string =>
  [a.line1, a.line2, a.postalCode, a.city, a.country].map(placePart).join("|");

/**
 * `order.newDeliveryAddress`: the order ships to another place than its billing address (the customer's
 * address as the channel knows it), the "different delivery address" of invoice-payment risk checks.
 * An order without a billing address ships to it by definition (false). The OMS keeps no customer
 * history, so an address the customer used before still counts as new; a channel that knows its
 * customers' addresses can say so with a tag (docs/routing.md#conditions).
 */
export function isNewDeliveryAddress(order: Pick<Order, "shippingAddress" | "billingAddress">): boolean {
  return (
    order.billingAddress !== undefined && placeOf(order.billingAddress) !== placeOf(order.shippingAddress)
  );
}

export function positionFacts(position: Position): Facts {
  return {
    "position.sku": position.sku,
    "position.category": position.category,
    "position.weight": position.weight,
    "position.hazardous": position.hazardous ?? false,
    "position.quantity": position.quantity,
    "position.value": Math.round(position.quantity * position.unitPrice * 100) / 100,
  };
}

/** Order facts and one position's facts together: what a routing rule set's conditions see. */
export function routingFacts(order: Order, position: Position): Facts {
  return { ...orderFacts(order), ...positionFacts(position) };
}
