// The per-SKU greedy of Magento MSI's default source selection: sort the locations once (by priority or
// by distance to the customer), then fill each line in turn from the first locations that still hold its
// SKU. It never looks at the order as a whole, so it opens a parcel wherever the first stock of each SKU
// happens to be: the baseline the optimiser is measured against, and its fallback incumbent.
import {
  haversineKm,
  type RoutedLine,
  type RoutingProblem,
  type RoutingResult,
  type RoutingTrace,
  routeCost,
} from "./routing-problem.ts";

export type GreedyOrder = "PRIORITY" | "DISTANCE";

export interface GreedyPlan {
  /** Every line got its full quantity (the max split is not checked: Magento has none). */
  complete: boolean;
  lines: RoutedLine[];
  /** Distinct locations used. */
  parcels: number;
}

/** The greedy's assignment, whatever the max split (the benchmark counts its parcels). */
export function greedyPlan(problem: RoutingProblem, order: GreedyOrder = "PRIORITY"): GreedyPlan {
  const excluded = new Set(problem.excluded ?? []);
  // The location order once (rank by priority or distance, then id); each line then sorts only the
  // locations holding its SKU.
  const usable = problem.locations
    .filter(
      (l) =>
        !excluded.has(l.locationId) &&
        (l.remainingOrders === undefined || l.remainingOrders >= 1) &&
        (l.remainingUnits === undefined || l.remainingUnits > 0),
    )
    .map((l) => ({
      l,
      key: order === "PRIORITY" ? l.priority : haversineKm(l.coordinates, problem.destination),
    }))
    .sort(
      (a, b) =>
        a.key - b.key || (a.l.locationId < b.l.locationId ? -1 : a.l.locationId > b.l.locationId ? 1 : 0),
    );
  const rank = new Map(usable.map(({ l }, i) => [l.locationId, { i, l }]));
  const taken = new Map<string, number>();
  const unitsLeft = new Map<string, number>();
  const used = new Set<string>();
  let complete = true;
  const lines: RoutedLine[] = problem.lines.map((line) => {
    let missing = line.quantity;
    const allocations: RoutedLine["allocations"] = [];
    const holders = (problem.stock[line.sku] ?? [])
      .flatMap((level) => {
        const r = rank.get(level.locationId);
        return r && level.available > 0 ? [{ ...r, available: level.available }] : [];
      })
      .sort((a, b) => a.i - b.i);
    for (const { l, available } of holders) {
      if (missing === 0) break;
      const key = `${l.locationId}\u0000${line.sku}`;
      const stock = available - (taken.get(key) ?? 0);
      const cap = unitsLeft.get(l.locationId) ?? l.remainingUnits ?? Number.POSITIVE_INFINITY;
      const can = Math.min(stock, cap);
      if (can <= 0 || (!problem.splitLines && can < missing)) continue;
      const quantity = Math.min(can, missing);
      allocations.push({ locationId: l.locationId, quantity });
      taken.set(key, (taken.get(key) ?? 0) + quantity);
      unitsLeft.set(l.locationId, cap - quantity);
      used.add(l.locationId);
      missing -= quantity;
    }
    if (missing > 0) complete = false;
    return { lineId: line.lineId, sku: line.sku, allocations };
  });
  return { complete, lines, parcels: used.size };
}

/** The greedy as a router: unroutable when stock is short or it needs more locations than the max split. */
export function greedyRoute(problem: RoutingProblem, order: GreedyOrder = "PRIORITY"): RoutingResult {
  const plan = greedyPlan(problem, order);
  const chosen = [...new Set(plan.lines.flatMap((line) => line.allocations.map((a) => a.locationId)))];
  const trace: RoutingTrace = {
    locations: problem.locations.length,
    candidates: problem.locations.length,
    pruned: [],
    chosen,
    expansions: 0,
    budgetExhausted: false,
  };
  if (!plan.complete) return { routable: false, reason: "not enough stock for every line", trace };
  if (plan.parcels > problem.maxSplit) {
    return {
      routable: false,
      reason: `needs ${plan.parcels} locations, max split ${problem.maxSplit}`,
      trace,
    };
  }
  return {
    routable: true,
    lines: plan.lines,
    locations: [...chosen].sort(),
    parcels: plan.parcels,
    cost: routeCost(problem, plan.lines),
    trace,
  };
}
