// The facts an order and each of its positions offer to conditions (names in condition.ts
// ORDER_FACTS / POSITION_FACTS). Absent optional attributes stay absent, so `exists` can test them.
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
  };
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
