// A working copy of stock and capacity that several routing decisions draw from in turn, pure: the
// simulation routes a selection of stored orders one after another against it (later orders see what
// earlier ones took), and a wave plans its orders against it before anything is reserved for real.
// Nothing here reads or writes storage; the caller hands in what it read and keeps the copy.
import type { CapacityUse, DoseDecision } from "./dose.ts";
import { capacityKey } from "./dose.ts";
import type { StockBySku, StockLevel } from "./routing-problem.ts";

export class StockLedger {
  private readonly stock = new Map<string, Map<string, number>>();
  private readonly capacity = new Map<string, { orders: number; units: number }>();

  constructor(stock: StockBySku, capacityUsed: CapacityUse = {}) {
    for (const [sku, levels] of Object.entries(stock)) {
      const bySku = new Map<string, number>();
      for (const level of levels) {
        bySku.set(level.locationId, (bySku.get(level.locationId) ?? 0) + level.available);
      }
      this.stock.set(sku, bySku);
    }
    for (const [key, use] of Object.entries(capacityUsed)) this.capacity.set(key, { ...use });
  }

  /** Adds units back (an order's own reservations, released in the plan). */
  give(sku: string, locationId: string, quantity: number): void {
    const bySku = this.stock.get(sku) ?? new Map<string, number>();
    bySku.set(locationId, (bySku.get(locationId) ?? 0) + quantity);
    this.stock.set(sku, bySku);
  }

  /** The levels of these SKUs as the engine takes them (locations with nothing left are omitted). */
  stockOf(skus: Iterable<string>): Record<string, StockLevel[]> {
    const out: Record<string, StockLevel[]> = {};
    for (const sku of skus) {
      out[sku] = [...(this.stock.get(sku) ?? new Map<string, number>()).entries()]
        .filter(([, available]) => available > 0)
        .map(([locationId, available]) => ({ locationId, available }));
    }
    return out;
  }

  available(sku: string, locationId: string): number {
    return this.stock.get(sku)?.get(locationId) ?? 0;
  }

  capacityUsed(): CapacityUse {
    return Object.fromEntries(this.capacity);
  }

  /** Takes what a decision assigned: its allocations' units and the capacity it uses. */
  take(decision: DoseDecision, skuOf: (lineId: string) => string | undefined): void {
    for (const d of decision.positions) {
      if (d.outcome !== "ASSIGNED") continue;
      const sku = skuOf(d.lineId);
      if (sku === undefined) continue;
      for (const a of d.allocations) this.give(sku, a.locationId, -a.quantity);
    }
    for (const use of decision.capacityUse) {
      const key = capacityKey(use.locationId, use.date);
      const before = this.capacity.get(key) ?? { orders: 0, units: 0 };
      this.capacity.set(key, { orders: before.orders + use.orders, units: before.units + use.units });
    }
  }

  /** An independent copy (the simulation runs the current and the draft cascade on separate copies). */
  clone(): StockLedger {
    const copy = new StockLedger({}, this.capacityUsed());
    for (const [sku, levels] of this.stock) {
      for (const [locationId, available] of levels) copy.give(sku, locationId, available);
    }
    return copy;
  }
}
