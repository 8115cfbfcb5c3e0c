// Availability for a channel: per SKU the aggregate a channel may sell and the locations that hold it,
// nearest first. The hot read path (2 to 700 checks per order), so it reads the availability read model:
// one item per SKU with what channels see at every location, kept by the inventory event relay from the
// table stream. A look-up is ONE BatchGetItem (the channel, the location directory's version and the
// SKUs' read models; the location list itself is cached until the directory changes), whatever the
// number of locations. It lags the stock by the stream's delay (well under a second); a reservation is
// still exact, because it is conditional on the stored stock, not on this answer. A SKU without a read
// model yet (never stocked, or its first write not relayed yet) is read from its stock positions.
import {
  channelLocations,
  levelsOf,
  type Near,
  type SkuAvailability,
  type StockLevel,
  skuAvailability,
} from "../domain/inventory/availability.ts";
import { type StockTotals, totalsOf } from "../domain/inventory/stock.ts";
import { NotFoundError } from "../domain/shared/errors.ts";
import type { Clock, InventoryRepository } from "./ports.ts";

export interface AvailabilityDeps {
  inventory: InventoryRepository;
  clock: Clock;
}

export interface AvailabilityQuery {
  channelId: string;
  skus: string[];
  near?: Near;
  /** Locations listed per SKU. */
  limit?: number;
}

export interface AvailabilityAnswer {
  channelId: string;
  at: string;
  items: SkuAvailability[];
}

export async function checkAvailability(
  deps: AvailabilityDeps,
  query: AvailabilityQuery,
): Promise<AvailabilityAnswer> {
  const at = deps.clock.now();
  const skus = [...new Set(query.skus)];
  const {
    channel,
    locations,
    levels: readModel,
  } = await deps.inventory.readForAvailability(query.channelId, skus);
  if (!channel) {
    throw new NotFoundError("CHANNEL_NOT_FOUND", `unknown channel ${query.channelId}`, "channel");
  }
  const visible = channelLocations(channel, locations, at);
  const levels = await Promise.all(
    skus.map(async (sku): Promise<StockLevel[]> => {
      const known = readModel.get(sku);
      if (known) return [...known.entries()].map(([locationId, available]) => ({ locationId, available }));
      return levelsOf(await deps.inventory.queryPositions(sku, false));
    }),
  );
  return {
    channelId: channel.channelId,
    at,
    items: skus.map((sku, i) => skuAvailability(sku, levels[i] ?? [], visible, query.near, query.limit)),
  };
}

export interface StockView {
  sku: string;
  totals: StockTotals;
  locations: (StockTotals & {
    locationId: string;
    shards: number;
    lowStockThreshold?: number;
    snapshotAt?: string;
  })[];
}

/** A SKU's stock at every location as stored (operators' view), strongly consistent. */
export async function stockOfSku(deps: Pick<AvailabilityDeps, "inventory">, sku: string): Promise<StockView> {
  const positions = await deps.inventory.queryPositions(sku, true);
  const locations = positions
    .map((p) => ({
      locationId: p.locationId,
      ...totalsOf(p),
      shards: p.shards.length,
      ...(p.lowStockThreshold === undefined ? {} : { lowStockThreshold: p.lowStockThreshold }),
      ...(p.snapshotAt === undefined ? {} : { snapshotAt: p.snapshotAt }),
    }))
    .sort((a, b) => a.locationId.localeCompare(b.locationId));
  const totals = { onHand: 0, reserved: 0, safetyStock: 0, available: 0 };
  for (const l of locations) {
    totals.onHand += l.onHand;
    totals.reserved += l.reserved;
    totals.safetyStock += l.safetyStock;
    totals.available += l.available;
  }
  return { sku, totals, locations };
}
