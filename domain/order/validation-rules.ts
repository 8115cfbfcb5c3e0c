// Order validation rules. Synchronous rules run at capture and refuse the request at once; asynchronous
// rules run in the workflow's validation step and reject an accepted order with reasons (IOM's split).
import { ValidationError } from "../shared/errors.ts";
import type { Channel } from "./channel.ts";
import type { Order } from "./order.ts";
import type { OrderInput } from "./order-input.ts";

/** Capture-time checks against the channel: throws a ValidationError naming the offending field. */
export function assertCapturable(input: OrderInput, channel: Channel): void {
  if (!channel.active) {
    throw ValidationError.single(
      "channelId",
      "CHANNEL_INACTIVE",
      `channel ${channel.channelId} is not active`,
    );
  }
  if (!channel.orderTypes.includes(input.orderType)) {
    throw ValidationError.single(
      "orderType",
      "ORDER_TYPE_NOT_ALLOWED",
      `channel ${channel.channelId} does not accept ${input.orderType} orders`,
    );
  }
}

const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Reasons to reject a captured order (empty when it is valid). `now` is ISO-8601. */
export function rejectionReasons(order: Order, channel: Channel, now: string): string[] {
  const reasons: string[] = [];
  if (!channel.shipToCountries.includes(order.shippingAddress.country)) {
    reasons.push(`channel ${channel.channelId} does not deliver to ${order.shippingAddress.country}`);
  }
  if (Date.parse(order.placedAt) - Date.parse(now) > FUTURE_TOLERANCE_MS) {
    reasons.push(`placedAt ${order.placedAt} lies in the future`);
  }
  if (!channel.active) reasons.push(`channel ${channel.channelId} was deactivated`);
  return reasons;
}
