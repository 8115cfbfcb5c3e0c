// Wave planning (domain/routing/wave.ts): the sequence (channel wave priority, then value, then the
// oldest), scarce stock to the first in sequence, later orders see only what is left, and the plan is
// the same for the same input in any order.
import { describe, expect, it } from "vitest";
import { locationSchema } from "../../domain/inventory/location.ts";
import type { Channel } from "../../domain/order/channel.ts";
import type { Order } from "../../domain/order/order.ts";
import { planWave, type WaveOrder, waveSequence } from "../../domain/routing/wave.ts";
import { sampleOrder } from "../support/order-fixtures.ts";

const AT = "2026-11-23T09:00:00.000Z";
const channel = (channelId: string, wavePriority = 0): Channel => ({
  channelId,
  merchantId: "m1",
  name: channelId,
  orderTypes: ["HOME_DELIVERY"],
  defaultLocationId: "wh",
  shipToCountries: ["DE"],
  active: true,
  inventory: {
    locationIds: ["wh"],
    networks: [],
    whenOutOfStock: "NOT_ANNOUNCED",
    reservationHoldMinutes: 60,
  },
  routing: { mode: "WAVE", wavePriority },
});
const wh = locationSchema.parse({
  locationId: "wh",
  name: "wh",
  kind: "WAREHOUSE",
  address: { postalCode: "10115", city: "Berlin", country: "DE" },
  createdAt: AT,
  updatedAt: AT,
  version: 1,
});

function waiting(orderId: string, total: number, placedAt = AT, c = channel("web")): WaveOrder {
  const base = sampleOrder();
  const order: Order = {
    ...base,
    orderId,
    channelId: c.channelId,
    status: "AWAITING_WAVE",
    total,
    placedAt,
    positions: [{ lineId: "1", sku: "A", quantity: 1, unitPrice: total, status: "OPEN" }],
  };
  return { order, channel: c };
}

describe("waveSequence", () => {
  it("ranks by channel wave priority, then value, then the oldest, then id", () => {
    const orders = [
      waiting("o1", 10),
      waiting("o2", 500),
      waiting("o3", 10, "2026-11-23T08:00:00.000Z"),
      waiting("o4", 1, AT, channel("vip", 5)),
    ];
    expect(waveSequence(orders).map((w) => w.order.orderId)).toEqual(["o4", "o2", "o3", "o1"]);
    expect(waveSequence([...orders].reverse()).map((w) => w.order.orderId)).toEqual(["o4", "o2", "o3", "o1"]);
  });
});

describe("planWave", () => {
  it("gives scarce stock to the most valuable order; the others see what is left", () => {
    const plans = planWave({
      orders: [waiting("cheap", 10), waiting("dear", 900), waiting("mid", 100)],
      locations: [wh],
      stock: { A: [{ locationId: "wh", available: 2 }] },
      capacityUsed: {},
      ruleSets: [],
      at: AT,
    });
    expect(plans.map((p) => [p.orderId, p.decision.positions[0]?.outcome])).toEqual([
      ["dear", "ASSIGNED"],
      ["mid", "ASSIGNED"],
      ["cheap", "NOT_ANNOUNCED"],
    ]);
  });

  it("respects daily capacity across the wave", () => {
    const limited = { ...wh, capacity: { perDay: 1, unit: "ORDERS" as const } };
    const plans = planWave({
      orders: [waiting("a", 10), waiting("b", 20)],
      locations: [limited],
      stock: { A: [{ locationId: "wh", available: 5 }] },
      capacityUsed: {},
      ruleSets: [],
      at: AT,
    });
    // The location is full once b (the more valuable) has its order: a finds no location (the engine's
    // capacity filter comes before it counts stock as seen).
    expect(plans.map((p) => [p.orderId, p.decision.positions[0]?.outcome])).toEqual([
      ["b", "ASSIGNED"],
      ["a", "NOT_ANNOUNCED"],
    ]);
  });
});
