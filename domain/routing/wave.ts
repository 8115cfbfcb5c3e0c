// Wave (batch) routing, pure, as Magento's sourcing engine: the orders channels park for a wave are
// sourced together. They are ranked (channel wave priority, then order value, then the oldest first) and
// the DOSE engine routes them one after another against one working copy of stock and capacity, so when
// stock is scarce the most valuable orders get it and the rest see what is left. The caller then
// reserves each plan for real, in the same sequence.
import type { Location } from "../inventory/location.ts";
import type { Channel } from "../order/channel.ts";
import type { Order } from "../order/order.ts";
import { type CapacityUse, type DoseDecision, routeWithRules } from "./dose.ts";
import type { StockBySku } from "./routing-problem.ts";
import type { PublishedRuleSet } from "./rule-set.ts";
import { StockLedger } from "./stock-ledger.ts";

export interface WaveOrder {
  order: Order;
  channel: Channel;
}

/** The sequence a wave sources its orders in: most deserving first. Deterministic. */
export function waveSequence(orders: readonly WaveOrder[]): WaveOrder[] {
  const priority = (w: WaveOrder) => w.channel.routing?.wavePriority ?? 0;
  return [...orders].sort(
    (a, b) =>
      priority(b) - priority(a) ||
      b.order.total - a.order.total ||
      a.order.placedAt.localeCompare(b.order.placedAt) ||
      a.order.orderId.localeCompare(b.order.orderId),
  );
}

export interface WaveInput {
  orders: readonly WaveOrder[];
  locations: readonly Location[];
  /** Reservable units per SKU and location, for every SKU of the orders. */
  stock: StockBySku;
  capacityUsed: CapacityUse;
  ruleSets: readonly PublishedRuleSet[];
  at: string;
}

export interface WavePlan {
  orderId: string;
  decision: DoseDecision;
}

/** Plans every order of the wave in sequence against shared stock and capacity. */
export function planWave(input: WaveInput): WavePlan[] {
  const ledger = new StockLedger(input.stock, input.capacityUsed);
  return waveSequence(input.orders).map(({ order, channel }) => {
    const decision = routeWithRules({
      order,
      lineIds: order.positions.map((p) => p.lineId),
      channel,
      locations: input.locations,
      stock: ledger.stockOf(new Set(order.positions.map((p) => p.sku))),
      capacityUsed: ledger.capacityUsed(),
      ruleSets: input.ruleSets,
      at: input.at,
    });
    ledger.take(decision, (lineId) => order.positions.find((p) => p.lineId === lineId)?.sku);
    return { orderId: order.orderId, decision };
  });
}
