// What a channel sees and where routing may reserve: visibility by location and network, operational
// state (disabled, downtime), nearest first by coordinates or postcode, and the out-of-stock rule.
import { describe, expect, it } from "vitest";
import {
  channelLocations,
  levelsOf,
  routingCandidates,
  skuAvailability,
  whenOutOfStock,
} from "../../domain/inventory/availability.ts";
import { distanceKm, type Location, locationCreateSchema } from "../../domain/inventory/location.ts";
import { applyReservation, emptyPosition, type StockPosition } from "../../domain/inventory/stock.ts";
import type { Channel } from "../../domain/order/channel.ts";

const NOW = "2026-11-23T10:00:00.000Z";

function location(id: string, patch: object = {}): Location {
  return {
    ...locationCreateSchema.parse({
      locationId: id,
      name: id,
      kind: "STORE",
      address: { postalCode: "10115", city: "Berlin", country: "DE" },
      ...patch,
    }),
    createdAt: NOW,
    updatedAt: NOW,
    version: 1,
  };
}

function stock(locationId: string, available: number, reserved = 0): StockPosition {
  const p = emptyPosition("A", locationId);
  const onHand = available + reserved;
  const base = { ...p, shards: [{ shard: 0, onHand, reserved: 0, safetyStock: 0, available: onHand }] };
  return reserved > 0 ? applyReservation(base, [{ shard: 0, quantity: reserved }]) : base;
}

const channel: Channel = {
  channelId: "web",
  merchantId: "m",
  name: "Web",
  orderTypes: ["HOME_DELIVERY"],
  defaultLocationId: "wh",
  shipToCountries: ["DE"],
  active: true,
  inventory: {
    locationIds: ["listed"],
    networks: ["stores"],
    whenOutOfStock: "BACKORDER",
    reservationHoldMinutes: 60,
  },
};

const berlin = { lat: 52.52, lon: 13.405 };
const locations = [
  location("wh", { kind: "WAREHOUSE", priority: 10, coordinates: { lat: 52.53, lon: 13.38 } }),
  location("listed", {
    priority: 90,
    coordinates: { lat: 48.14, lon: 11.58 },
    address: { postalCode: "80331", city: "Muenchen", country: "DE" },
  }),
  location("store-near", { networks: ["stores"], priority: 50, coordinates: { lat: 52.521, lon: 13.404 } }),
  location("store-far", {
    networks: ["stores"],
    priority: 40,
    coordinates: { lat: 53.55, lon: 9.99 },
    address: { postalCode: "20095", city: "Hamburg", country: "DE" },
  }),
  location("hidden", { networks: ["other"], priority: 1 }),
  location("disabled", { networks: ["stores"], enabled: false }),
  location("down", {
    networks: ["stores"],
    downtimes: [{ from: "2026-11-23T09:00:00Z", to: "2026-11-23T11:00:00Z" }],
  }),
  location("pickup-only", { networks: ["stores"], fulfillmentKinds: ["PICKUP"] }),
];

describe("channel visibility", () => {
  it("sees the default location, listed locations and network members that are operational", () => {
    expect(
      channelLocations(channel, locations, NOW)
        .map((l) => l.locationId)
        .sort(),
    ).toEqual(["listed", "pickup-only", "store-far", "store-near", "wh"]);
    // After the downtime window the location is back.
    expect(
      channelLocations(channel, locations, "2026-11-23T11:00:00.000Z").map((l) => l.locationId),
    ).toContain("down");
  });

  it("without inventory settings a channel sees only its default location", () => {
    const { inventory: _none, ...plain } = channel;
    expect(channelLocations(plain, locations, NOW).map((l) => l.locationId)).toEqual(["wh"]);
  });
});

describe("availability", () => {
  const positions = ["wh", "listed", "store-near", "store-far", "hidden", "disabled", "down"].map((id) =>
    stock(id, 5),
  );

  it("sums what the channel sees, never counting a shortage below zero, and skips invisible stock", () => {
    const short = {
      ...stock("store-far", 0),
      shards: [{ shard: 0, onHand: 1, reserved: 4, safetyStock: 0, available: -3 }],
    };
    const visible = channelLocations(channel, locations, NOW);
    const answer = skuAvailability(
      "A",
      levelsOf([...positions.filter((p) => p.locationId !== "store-far"), short]),
      visible,
    );
    expect(answer.available).toBe(15); // wh, listed, store-near
    expect(answer.locations.map((l) => l.locationId).sort()).toEqual(["listed", "store-near", "wh"]);
  });

  it("lists the nearest first by coordinates, within a radius", () => {
    const visible = channelLocations(channel, locations, NOW);
    const near = skuAvailability("A", levelsOf(positions), visible, { coordinates: berlin });
    expect(near.locations.map((l) => l.locationId)).toEqual(["store-near", "wh", "store-far", "listed"]);
    expect(near.locations[0]?.distanceKm).toBeCloseTo(distanceKm(berlin, { lat: 52.521, lon: 13.404 }), 0);
    const within = skuAvailability("A", levelsOf(positions), visible, { coordinates: berlin, radiusKm: 100 });
    expect(within.locations.map((l) => l.locationId)).toEqual(["store-near", "wh"]);
  });

  it("lists by postcode closeness without coordinates (same country), then by priority", () => {
    const visible = channelLocations(channel, locations, NOW);
    const answer = skuAvailability("A", levelsOf(positions), visible, { postalCode: "80469", country: "DE" });
    expect(answer.locations[0]?.locationId).toBe("listed");
    const hamburg = skuAvailability(
      "A",
      levelsOf(positions),
      visible,
      { postalCode: "20099", country: "DE" },
      2,
    );
    expect(hamburg.locations.map((l) => l.locationId)).toEqual(["store-far", "wh"]);
  });
});

describe("routing candidates and the out-of-stock rule", () => {
  it("puts the default location first, then priority, and only locations with the quantity that ship", () => {
    const positions = [
      stock("wh", 2),
      stock("store-near", 5),
      stock("store-far", 5),
      stock("pickup-only", 9),
      stock("hidden", 9),
    ];
    expect(routingCandidates(channel, locations, positions, 2, "SHIP", NOW)).toEqual([
      "wh",
      "store-far",
      "store-near",
    ]);
    expect(routingCandidates(channel, locations, positions, 3, "SHIP", NOW)).toEqual([
      "store-far",
      "store-near",
    ]);
    expect(routingCandidates(channel, locations, positions, 10, "SHIP", NOW)).toEqual([]);
  });

  it("backorders at the default location, or stops the order as NOT_ANNOUNCED, by the channel's rule", () => {
    expect(whenOutOfStock(channel, locations, "A", 1, NOW)).toEqual({ kind: "BACKORDER", locationId: "wh" });
    const strict: Channel = {
      ...channel,
      inventory: { ...channel.inventory!, whenOutOfStock: "NOT_ANNOUNCED" },
    };
    expect(whenOutOfStock(strict, locations, "A", 1, NOW).kind).toBe("NOT_ANNOUNCED");
    const orphan: Channel = { ...channel, defaultLocationId: "gone", inventory: undefined };
    expect(whenOutOfStock(orphan, locations, "A", 1, NOW).kind).toBe("NO_LOCATION");
  });
});
