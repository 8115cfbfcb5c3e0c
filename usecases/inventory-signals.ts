// What follows a stock change, from the table stream. The stream carries every write of a stock item
// (counts, movements, reservations, releases, shipments); this turns the SKU/location pairs one stream
// batch touched into (1) the availability read model's new levels, (2) one inventory.changed each (a flash
// sale's thousand reservations a second become a few events, not a thousand), and (3) inventory.low when
// what channels see has dropped to the position's threshold and that was not yet announced. Levels are
// read fresh, so each carries the current state (level-triggered). Event ids derive from the stream
// record, so a retried batch repeats its ids.
import { createHash } from "node:crypto";
import type { InventoryEvent } from "../domain/events/inventory-events.ts";
import { isLow, positionKey, totalsOf, visibleAvailable } from "../domain/inventory/stock.ts";
import type { Clock, InventoryRepository } from "./ports.ts";

export interface SignalDeps {
  inventory: InventoryRepository;
  clock: Clock;
}

/** A stock item write seen on the stream. */
export interface StockTouch {
  sku: string;
  locationId: string;
  /** The stream record's sequence number (the eventId derives from it). */
  sequenceNumber: string;
}

export interface AlertChange {
  sku: string;
  locationId: string;
  low: boolean;
}

export interface Signals {
  /** Per SKU, the levels channels now see at the touched locations (the availability read model). */
  levels: { sku: string; levels: { locationId: string; available: number }[] }[];
  events: InventoryEvent[];
  /** To record once the events are published, so a failed publish announces again. */
  alerts: AlertChange[];
}

const eventId = (type: string, touch: StockTouch) =>
  createHash("sha256")
    .update(`${type}|${touch.sku}|${touch.locationId}|${touch.sequenceNumber}`)
    .digest("hex")
    .slice(0, 32);

export async function inventorySignals(deps: SignalDeps, touches: readonly StockTouch[]): Promise<Signals> {
  // The last touch per position: its sequence number names the events.
  const latest = new Map<string, StockTouch>();
  for (const touch of touches) latest.set(positionKey(touch.sku, touch.locationId), touch);
  if (latest.size === 0) return { levels: [], events: [], alerts: [] };
  const positions = await deps.inventory.getPositions([...latest.values()], true);
  const occurredAt = deps.clock.now();
  const events: InventoryEvent[] = [];
  const alerts: AlertChange[] = [];
  const bySku = new Map<string, { locationId: string; available: number }[]>();
  for (const position of positions.values()) {
    const levels = bySku.get(position.sku) ?? [];
    levels.push({ locationId: position.locationId, available: visibleAvailable(position) });
    bySku.set(position.sku, levels);
  }
  await Promise.all(
    [...latest.entries()].map(async ([key, touch]) => {
      const position = positions.get(key);
      if (!position) return;
      const totals = totalsOf(position);
      const levels = {
        onHand: totals.onHand,
        reserved: totals.reserved,
        safetyStock: totals.safetyStock,
        available: visibleAvailable(position),
      };
      const base = { version: 1 as const, occurredAt, sku: touch.sku, locationId: touch.locationId };
      events.push({
        ...base,
        eventId: eventId("inventory.changed", touch),
        type: "inventory.changed",
        data: { ...levels, shortfall: Math.max(0, -totals.available) },
      });
      const low = isLow(position);
      const announced = await deps.inventory.isLowAnnounced(touch.sku, touch.locationId);
      if (low && !announced && position.lowStockThreshold !== undefined) {
        events.push({
          ...base,
          eventId: eventId("inventory.low", touch),
          type: "inventory.low",
          data: { ...levels, lowStockThreshold: position.lowStockThreshold },
        });
      }
      if (low !== announced) alerts.push({ sku: touch.sku, locationId: touch.locationId, low });
    }),
  );
  return { levels: [...bySku.entries()].map(([sku, levels]) => ({ sku, levels })), events, alerts };
}

/** Writes the availability read model (before the events: a consumer reacting to one reads it). */
export async function recordLevels(deps: SignalDeps, levels: Signals["levels"]): Promise<void> {
  const at = deps.clock.now();
  await Promise.all(levels.map((l) => deps.inventory.putAvailability(l.sku, l.levels, at)));
}

/** Remembers which positions are announced low (after their events were published). */
export async function recordAlerts(deps: SignalDeps, alerts: readonly AlertChange[]): Promise<void> {
  const at = deps.clock.now();
  await Promise.all(alerts.map((a) => deps.inventory.setLowAnnounced(a.sku, a.locationId, a.low, at)));
}
