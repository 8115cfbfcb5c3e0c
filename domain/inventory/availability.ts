// What a channel sees of the inventory, and where routing may take stock from: pure functions over
// locations, stock positions and the channel's configuration.
//  - Visibility: a channel sees its default location, the locations it lists and every location of the
//    networks it lists; of those, only operational ones (enabled, not in downtime) count.
//  - Availability: per location max(0, available); the aggregate is their sum.
//  - Proximity: by distance when coordinates are given, by postcode prefix otherwise.
//  - Routing candidates: visible, operational, offering the fulfillment kind, with enough stock; the
//    channel's default location first, then by location priority.
import { type Channel, channelInventory, type OutOfStockRule } from "../order/channel.ts";
import {
  type Coordinates,
  distanceKm,
  type FulfillmentKind,
  isOperational,
  type Location,
  offers,
  postcodeCloseness,
} from "./location.ts";
import { reservableQuantity, type StockPosition, visibleAvailable } from "./stock.ts";

export function isVisibleTo(channel: Channel, location: Pick<Location, "locationId" | "networks">): boolean {
  if (location.locationId === channel.defaultLocationId) return true;
  const inventory = channelInventory(channel);
  return (
    inventory.locationIds.includes(location.locationId) ||
    location.networks.some((network) => inventory.networks.includes(network))
  );
}

/** The locations a channel sees and may be served from now. */
export function channelLocations(channel: Channel, locations: readonly Location[], at: string): Location[] {
  return locations.filter((l) => isVisibleTo(channel, l) && isOperational(l, at));
}

export interface Near {
  coordinates?: Coordinates | undefined;
  postalCode?: string | undefined;
  country?: string | undefined;
  radiusKm?: number | undefined;
}

export interface LocationAvailability {
  locationId: string;
  name: string;
  kind: Location["kind"];
  available: number;
  fulfillmentKinds: FulfillmentKind[];
  distanceKm?: number;
  postalCode: string;
}

export interface SkuAvailability {
  sku: string;
  /** Sum over the channel's operational locations (each counted at >= 0). */
  available: number;
  /** Locations with stock, nearest first when a position is given, else by priority. */
  locations: LocationAvailability[];
}

/** What channels see of a SKU at one location (>= 0). */
export interface StockLevel {
  locationId: string;
  available: number;
}

/** Positions -> the levels channels see (the availability read model holds exactly these). */
export function levelsOf(positions: readonly StockPosition[]): StockLevel[] {
  return positions.map((p) => ({ locationId: p.locationId, available: visibleAvailable(p) }));
}

/** One SKU's availability for a channel from its levels (any locations; invisible ones drop). */
export function skuAvailability(
  sku: string,
  levels: readonly StockLevel[],
  visible: readonly Location[],
  near: Near = {},
  limit = 20,
): SkuAvailability {
  const byId = new Map(visible.map((l) => [l.locationId, l]));
  let total = 0;
  const rows: (LocationAvailability & { priority: number; closeness: number })[] = [];
  for (const level of levels) {
    const location = byId.get(level.locationId);
    if (!location) continue;
    const available = Math.max(0, level.available);
    total += available;
    if (available <= 0) continue;
    const distance =
      near.coordinates && location.coordinates
        ? distanceKm(near.coordinates, location.coordinates)
        : undefined;
    if (near.radiusKm !== undefined && distance !== undefined && distance > near.radiusKm) continue;
    rows.push({
      locationId: location.locationId,
      name: location.name,
      kind: location.kind,
      available,
      fulfillmentKinds: location.fulfillmentKinds,
      postalCode: location.address.postalCode,
      ...(distance === undefined ? {} : { distanceKm: Math.round(distance * 10) / 10 }),
      priority: location.priority,
      closeness:
        near.postalCode && near.country
          ? postcodeCloseness({ postalCode: near.postalCode, country: near.country }, location.address)
          : 0,
    });
  }
  rows.sort(
    (a, b) =>
      (a.distanceKm ?? Number.POSITIVE_INFINITY) - (b.distanceKm ?? Number.POSITIVE_INFINITY) ||
      b.closeness - a.closeness ||
      a.priority - b.priority ||
      a.locationId.localeCompare(b.locationId),
  );
  return {
    sku,
    available: total,
    locations: rows.slice(0, limit).map(({ priority: _p, closeness: _c, ...row }) => row),
  };
}

/**
 * Locations routing may reserve `quantity` of a position at, best first: visible, operational, offering
 * `kind`, with enough reservable stock; the channel's default location first, then by priority.
 */
export function routingCandidates(
  channel: Channel,
  locations: readonly Location[],
  positions: readonly StockPosition[],
  quantity: number,
  kind: FulfillmentKind,
  at: string,
): string[] {
  const stock = new Map(positions.map((p) => [p.locationId, p]));
  return channelLocations(channel, locations, at)
    .filter((l) => offers(l, kind))
    .filter((l) => {
      const position = stock.get(l.locationId);
      return position !== undefined && reservableQuantity(position) >= quantity;
    })
    .sort(
      (a, b) =>
        Number(b.locationId === channel.defaultLocationId) -
          Number(a.locationId === channel.defaultLocationId) ||
        a.priority - b.priority ||
        a.locationId.localeCompare(b.locationId),
    )
    .map((l) => l.locationId);
}

export type OutOfStockDecision =
  | { kind: "BACKORDER"; locationId: string }
  | { kind: "NOT_ANNOUNCED"; reason: string }
  | { kind: "NO_LOCATION"; reason: string };

/** What happens to a position no visible location has stock for, by the channel's rule. */
export function whenOutOfStock(
  channel: Channel,
  locations: readonly Location[],
  sku: string,
  quantity: number,
  at: string,
): OutOfStockDecision {
  const rule: OutOfStockRule = channelInventory(channel).whenOutOfStock;
  if (rule === "NOT_ANNOUNCED") {
    return {
      kind: "NOT_ANNOUNCED",
      reason: `no location visible to ${channel.channelId} has ${quantity} x ${sku}`,
    };
  }
  const usable = channelLocations(channel, locations, at).filter((l) => offers(l, "SHIP"));
  const target =
    usable.find((l) => l.locationId === channel.defaultLocationId) ??
    [...usable].sort((a, b) => a.priority - b.priority || a.locationId.localeCompare(b.locationId))[0];
  return target
    ? { kind: "BACKORDER", locationId: target.locationId }
    : {
        kind: "NO_LOCATION",
        reason: `channel ${channel.channelId} has no operational location to backorder at`,
      };
}
