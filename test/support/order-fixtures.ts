// Order inputs and domain objects for tests, built from the README's sample order.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Channel } from "../../domain/order/channel.ts";
import { createOrder, type Order } from "../../domain/order/order.ts";
import { type OrderInput, orderInputSchema } from "../../domain/order/order-input.ts";

export const sampleBody = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../examples/orders/home-delivery.json"), "utf8"));

export const channel: Channel = {
  channelId: "web-de",
  merchantId: "m1",
  name: "Web DE",
  orderTypes: ["HOME_DELIVERY"],
  defaultLocationId: "wh-1",
  shipToCountries: ["DE"],
  active: true,
};

export const sampleInput = (): OrderInput => orderInputSchema.parse(sampleBody());

export const sampleOrder = (): Order =>
  createOrder(sampleInput(), channel, "01HZZZZZZZZZZZZZZZZZZZZZZZ", "2026-11-23T10:00:00.000Z");
