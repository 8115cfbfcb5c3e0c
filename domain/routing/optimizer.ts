// The DOSE single-order optimiser: which locations ship which units of an order so that the weighted cost
// (routing-problem.ts) is lowest, under stock, capacity, max split and the line-split rule. Pure and
// deterministic: no I/O, no clock, ties broken by location id, a fixed expansion budget instead of a
// time limit (the same input gives the same route on any machine, and p99 stays bounded).
//
// How (docs/routing.md has the reasoning and the measured figures):
//  1. Prune: excluded, no capacity, none of the order's SKUs; per SKU keep the best few by breadth
//     (lines covered, since parcels dominate cost) and by parcel cost, so 1,000 locations become a few
//     dozen candidates (OUTRANKED); among those able to supply exactly the same units, drop the ones
//     others beat on parcel cost, unit cost and capacity (DOMINATED).
//  2. Branch and bound over sets of locations (a set cover with quantities): branch on the unfinished
//     SKU with the fewest candidates, trying the candidates that finish the most of the order first;
//     a complete set costs its cheapest assignment; bound by the parcels so far + the cheapest parcel
//     still needed + every unit at its cheapest holder, and by the max split. When the search finds nothing, the greedy's route (if admissible) is the answer,
//     so the optimiser routes every order the greedy routes.
//  3. Local search from the best set: add a location (cheaper units), drop one, swap one for another
//     candidate, while the cost falls.
import { greedyPlan } from "./greedy.ts";
import {
  type Allocation,
  parcelCost,
  type RoutedLine,
  type RoutingLocation,
  type RoutingProblem,
  type RoutingResult,
  type RoutingTrace,
  routeCost,
  unitCost,
} from "./routing-problem.ts";

export interface OptimizerOptions {
  /** Search nodes before the branch and bound stops with its best route so far. */
  expansions?: number;
  /** Candidates kept per SKU and ranking (breadth, parcel cost). */
  perSku?: number;
}

const DEFAULT_EXPANSIONS = 2_000;
const DEFAULT_PER_SKU = 10;
const EPS = 1e-9;

/** A location as the search sees it: costs and what it can supply of each of the order's SKUs. */
interface Site {
  id: string;
  fixed: number;
  unit: number;
  /** Per item: units it can give (capped at the item's quantity; whole quantity or 0 without splits). */
  supply: number[];
  /** Units it may still ship (Infinity when unlimited). */
  cap: number;
  /** Items it can supply in full on its own. */
  full: number;
}

interface Solution {
  sites: number[];
  /** take[k][i]: units of item i from sites[k]. */
  take: number[][];
  cost: number;
}

/** Routes one order; see the module header. */
export function optimizeRoute(problem: RoutingProblem, options: OptimizerOptions = {}): RoutingResult {
  const budget = options.expansions ?? DEFAULT_EXPANSIONS;
  const perSku = options.perSku ?? DEFAULT_PER_SKU;

  // Lines of one SKU share its stock: the search works on distinct SKUs ("items").
  const itemOf = new Map<string, number>();
  const skus: string[] = [];
  const demand: number[] = [];
  for (const line of problem.lines) {
    let i = itemOf.get(line.sku);
    if (i === undefined) {
      i = skus.length;
      itemOf.set(line.sku, i);
      skus.push(line.sku);
      demand.push(0);
    }
    demand[i] = (demand[i] ?? 0) + line.quantity;
  }
  const n = skus.length;

  // ---- 1. prune
  const pruned: RoutingTrace["pruned"] = [];
  const excluded = new Set(problem.excluded ?? []);
  // Units per location and item from the per-SKU levels: only the locations holding the order's SKUs
  // are touched here; the loop below over all locations is just for the trace and the filters.
  const indexOf = new Map<string, number>();
  for (let k = 0; k < problem.locations.length; k++)
    indexOf.set((problem.locations[k] as RoutingLocation).locationId, k);
  // One flat matrix (location x item) rather than a row object per holder: fewer allocations.
  const raw = new Float64Array(problem.locations.length * n);
  const holds = new Uint8Array(problem.locations.length);
  for (let i = 0; i < n; i++) {
    for (const level of problem.stock[skus[i] as string] ?? []) {
      if (!(level.available > 0)) continue;
      const k = indexOf.get(level.locationId);
      if (k === undefined) continue;
      holds[k] = 1;
      raw[k * n + i] = level.available;
    }
  }
  const holding: RoutingLocation[] = [];
  let sites: Site[] = [];
  for (let k = 0; k < problem.locations.length; k++) {
    const l = problem.locations[k] as RoutingLocation;
    if (excluded.has(l.locationId)) {
      pruned.push({ locationId: l.locationId, reason: "EXCLUDED" });
      continue;
    }
    const cap = l.remainingUnits ?? Number.POSITIVE_INFINITY;
    if ((l.remainingOrders !== undefined && l.remainingOrders < 1) || cap <= 0) {
      pruned.push({ locationId: l.locationId, reason: "NO_CAPACITY" });
      continue;
    }
    if (!holds[k]) {
      pruned.push({ locationId: l.locationId, reason: "NO_STOCK" });
      continue;
    }
    // The greedy fallback sees every location with stock of the order (it routes lines of one SKU apart,
    // so a location short of a SKU's total for the search may still serve one of its lines there).
    holding.push(l);
    const supply = new Array<number>(n);
    let any = false;
    let full = 0;
    for (let i = 0; i < n; i++) {
      const q = demand[i] as number;
      let s = raw[k * n + i] as number;
      if (s > q) s = q;
      if (s > cap) s = cap;
      const give = problem.splitLines ? s : s >= q ? q : 0;
      supply[i] = give;
      if (give > 0) any = true;
      if (give >= q) full++;
    }
    if (!any) {
      pruned.push({ locationId: l.locationId, reason: "NO_STOCK" });
      continue;
    }
    sites.push({
      id: l.locationId,
      fixed: parcelCost(l, problem.destination, problem.weights),
      unit: unitCost(l, problem.weights),
      supply,
      cap,
      full,
    });
  }
  // The per-SKU cut first (linear in the holders), then only the few dozen kept are sorted by id (the
  // search's tie-break) and checked for dominance.
  const cut = keepBestPerSku(sites, n, demand, perSku, pruned);
  sites = dropDominated(
    cut.kept.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    demand,
    problem.maxSplit,
    pruned,
  );
  const position = new Map(sites.map((site, k) => [site, k]));
  const holders = cut.perItem.map((list) =>
    list.flatMap((site) => position.get(site) ?? []).sort((a, b) => a - b),
  );

  const trace: RoutingTrace = {
    locations: problem.locations.length,
    candidates: sites.length,
    pruned,
    chosen: [],
    expansions: 0,
    budgetExhausted: false,
  };
  if (n === 0) {
    return { routable: true, lines: [], locations: [], parcels: 0, cost: 0, trace };
  }

  let best = Number.POSITIVE_INFINITY;

  // ---- 2. branch and bound
  const remaining = demand.slice();
  const capLeft = sites.map((s) => s.cap);
  const inSet = new Uint8Array(sites.length);
  const chosen: number[] = [];
  const takes: number[][] = [];
  const minUnit = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  for (const s of sites) {
    for (let i = 0; i < n; i++) if ((s.supply[i] ?? 0) > 0) minUnit[i] = Math.min(minUnit[i] ?? 0, s.unit);
  }
  let found: Solution | undefined;
  let expansions = 0;
  let exhausted = false;

  const takeFrom = (k: number, out: number[]): number => {
    const site = sites[k] as Site;
    let cap = capLeft[k] ?? 0;
    let units = 0;
    for (let i = 0; i < n; i++) {
      const r = remaining[i] ?? 0;
      let t = 0;
      if (r > 0 && cap > 0) {
        const s = site.supply[i] ?? 0;
        t = problem.splitLines ? Math.min(r, s, cap) : s >= r && cap >= r ? r : 0;
      }
      out[i] = t;
      cap -= t;
      units += t;
    }
    return units;
  };

  // The path's own takes (as much as each location can, in branch order) prove the set feasible; the
  // set's cost is that of its cheapest assignment, so sets are compared on what they would really cost,
  // and the bound uses only what no assignment can avoid: the parcels chosen, one more parcel while
  // units are missing, and every unit at its cheapest holder.
  let unitFloor = 0;
  for (let i = 0; i < n; i++) unitFloor += (demand[i] ?? 0) * (minUnit[i] ?? 0);
  const search = (cost: number, fixedSum: number, missing: number): void => {
    if (missing === 0) {
      const cheapest = assign(sites, chosen, demand, problem.splitLines);
      const solution =
        cheapest && cheapest.cost < cost
          ? cheapest
          : { sites: chosen.slice(), take: takes.map((t) => t.slice()), cost };
      if (solution.cost < best - EPS) {
        best = solution.cost;
        found = solution;
      }
      return;
    }
    if (chosen.length >= problem.maxSplit) return;
    if (expansions >= budget) {
      exhausted = true;
      return;
    }
    expansions++;
    // Branch on the unfinished item with the fewest candidates: some location must supply it.
    let item = -1;
    let fewest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const r = remaining[i] ?? 0;
      if (r <= 0) continue;
      const h = holders[i]?.length ?? 0;
      if (h < fewest) {
        fewest = h;
        item = i;
      }
    }
    const options: { k: number; take: number[]; finished: number; units: number; price: number }[] = [];
    let cheapestParcel = Number.POSITIVE_INFINITY;
    for (const k of holders[item] ?? []) {
      if (inSet[k]) continue;
      const take = new Array<number>(n);
      const units = takeFrom(k, take);
      if ((take[item] ?? 0) <= 0) continue;
      let finished = 0;
      for (let i = 0; i < n; i++) if ((remaining[i] ?? 0) > 0 && take[i] === remaining[i]) finished++;
      const site = sites[k] as Site;
      cheapestParcel = Math.min(cheapestParcel, site.fixed);
      options.push({ k, take, finished, units, price: site.fixed + site.unit * units });
    }
    if (fixedSum + cheapestParcel + unitFloor >= best - EPS) return;
    options.sort((a, b) => b.finished - a.finished || b.units - a.units || a.price - b.price || a.k - b.k);
    for (const o of options) {
      const site = sites[o.k] as Site;
      if (fixedSum + site.fixed + unitFloor >= best - EPS) continue;
      inSet[o.k] = 1;
      chosen.push(o.k);
      takes.push(o.take);
      for (let i = 0; i < n; i++) remaining[i] = (remaining[i] ?? 0) - (o.take[i] ?? 0);
      capLeft[o.k] = (capLeft[o.k] ?? 0) - o.units;
      search(cost + o.price, fixedSum + site.fixed, missing - o.units);
      capLeft[o.k] = (capLeft[o.k] ?? 0) + o.units;
      for (let i = 0; i < n; i++) remaining[i] = (remaining[i] ?? 0) + (o.take[i] ?? 0);
      takes.pop();
      chosen.pop();
      inSet[o.k] = 0;
    }
  };
  search(
    0,
    0,
    demand.reduce((a, b) => a + b, 0),
  );
  trace.expansions = expansions;
  trace.budgetExhausted = exhausted;

  // ---- 3. local search from the best set
  const solution = found && improve(sites, found, demand, problem.splitLines, problem.maxSplit);

  // The greedy over the same locations is the safety net: when the search finds nothing (budget spent,
  // or the per-SKU cut left too few small holders for a line that must be split), its route stands if
  // admissible, so the optimiser routes every order the greedy routes. Only the locations holding some
  // of the order can change the greedy's answer: it gets just those.
  const reduced = { ...problem, locations: holding, excluded: [] };
  let lines: RoutedLine[] | undefined;
  if (solution) lines = toLines(problem, skus, itemOf, sites, solution);
  else {
    for (const order of ["DISTANCE", "PRIORITY"] as const) {
      const plan = greedyPlan(reduced, order);
      if (!plan.complete || plan.parcels > problem.maxSplit) continue;
      if (!lines || routeCost(reduced, plan.lines) < routeCost(reduced, lines) - EPS) lines = plan.lines;
    }
  }
  if (!lines) {
    return {
      routable: false,
      reason: exhausted
        ? `no route found within ${budget} search nodes`
        : `no route within the max split of ${problem.maxSplit} with the available stock and capacity`,
      trace,
    };
  }
  const used = new Set<string>();
  for (const line of lines) for (const a of line.allocations) used.add(a.locationId);
  trace.chosen = [...used];
  return {
    routable: true,
    lines,
    locations: [...used].sort(),
    parcels: used.size,
    cost: routeCost(reduced, lines),
    trace,
  };
}

/**
 * Among locations able to supply exactly the same units, drops those others beat on every count (parcel
 * cost, unit cost, capacity). Where such locations can complement each other (a partial supply of some
 * SKU, or a unit cap: two of them may both be needed), one is dropped only when `maxSplit` others beat it,
 * since a route never uses more than that many of them.
 */
function dropDominated(
  sites: Site[],
  demand: number[],
  maxSplit: number,
  pruned: RoutingTrace["pruned"],
): Site[] {
  // Bucketed by a numeric hash of the supply vector (no string keys on the hot path), compared exactly.
  const buckets = new Map<number, Site[]>();
  for (const s of sites) {
    let h = 17;
    for (const v of s.supply) h = (Math.imul(h, 31) + v) | 0;
    const bucket = buckets.get(h);
    if (bucket) bucket.push(s);
    else buckets.set(h, [s]);
  }
  const dominated = new Set<Site>();
  for (const bucket of buckets.values()) {
    if (bucket.length < 2) continue;
    // Sorted by parcel cost then id: a site can only be dominated by one before it.
    bucket.sort((a, b) => a.fixed - b.fixed || (a.id < b.id ? -1 : 1));
    const first = bucket[0] as Site;
    const alone =
      first.cap === Number.POSITIVE_INFINITY && first.supply.every((v, i) => v === 0 || v === demand[i]);
    const needed = alone ? 1 : maxSplit;
    const kept: Site[] = [];
    for (const s of bucket) {
      let beaten = 0;
      for (const f of kept) {
        if (f.unit <= s.unit && f.cap >= s.cap && sameSupply(f, s) && ++beaten >= needed) break;
      }
      if (beaten >= needed) dominated.add(s);
      else kept.push(s);
    }
  }
  if (dominated.size === 0) return sites;
  const kept: Site[] = [];
  for (const s of sites) {
    if (dominated.has(s)) pruned.push({ locationId: s.id, reason: "DOMINATED" });
    else kept.push(s);
  }
  return kept;
}

function sameSupply(a: Site, b: Site): boolean {
  for (let i = 0; i < a.supply.length; i++) if (a.supply[i] !== b.supply[i]) return false;
  return true;
}

/** Inserts k into a list kept sorted by `before` and at most `limit` long (top-K without a full sort). */
function insertBounded(list: number[], k: number, limit: number, before: (a: number, b: number) => boolean) {
  if (list.length === limit && !before(k, list[limit - 1] as number)) return;
  let at = list.length;
  while (at > 0 && before(k, list[at - 1] as number)) at--;
  list.splice(at, 0, k);
  if (list.length > limit) list.pop();
}

/** Per item the best `perSku` by breadth (items finished) and the best `perSku` by parcel cost. */
function keepBestPerSku(
  sites: Site[],
  n: number,
  demand: number[],
  perSku: number,
  pruned: RoutingTrace["pruned"],
): { kept: Site[]; perItem: Site[][] } {
  const keep = new Uint8Array(sites.length);
  const perItem: number[][] = [];
  const fixed = Float64Array.from(sites, (s) => s.fixed);
  const breadth = Int32Array.from(sites, (s) => s.full);
  const whole = new Uint8Array(sites.length);
  for (let i = 0; i < n; i++) {
    const q = demand[i] as number;
    for (let k = 0; k < sites.length; k++) whole[k] = ((sites[k] as Site).supply[i] as number) >= q ? 1 : 0;
    // Exact ties go to the smaller id, whatever the input order.
    const smallerId = (a: number, b: number) => (sites[a] as Site).id < (sites[b] as Site).id;
    const broader = (a: number, b: number) => {
      const d =
        (breadth[a] as number) - (breadth[b] as number) ||
        (whole[a] as number) - (whole[b] as number) ||
        (fixed[b] as number) - (fixed[a] as number);
      return d > 0 || (d === 0 && smallerId(a, b));
    };
    const cheaper = (a: number, b: number) => {
      const d = (whole[a] as number) - (whole[b] as number) || (fixed[b] as number) - (fixed[a] as number);
      return d > 0 || (d === 0 && smallerId(a, b));
    };
    const byBreadth: number[] = [];
    const byCost: number[] = [];
    for (let k = 0; k < sites.length; k++) {
      if (((sites[k] as Site).supply[i] as number) <= 0) continue;
      insertBounded(byBreadth, k, perSku, broader);
      insertBounded(byCost, k, perSku, cheaper);
    }
    const chosen = [...new Set([...byBreadth, ...byCost])];
    perItem.push(chosen);
    for (const k of chosen) keep[k] = 1;
  }
  const kept: Site[] = [];
  for (let k = 0; k < sites.length; k++) {
    const site = sites[k] as Site;
    if (keep[k]) kept.push(site);
    else pruned.push({ locationId: site.id, reason: "OUTRANKED" });
  }
  return { kept, perItem: perItem.map((ks) => ks.map((k) => sites[k] as Site)) };
}

/** The cheapest assignment of the demand to a fixed set: each item from the lowest unit cost first. */
function assign(sites: Site[], set: number[], demand: number[], splitLines: boolean): Solution | undefined {
  const order = set.slice().sort((a, b) => (sites[a]?.unit ?? 0) - (sites[b]?.unit ?? 0) || a - b);
  const capLeft = new Map(order.map((k) => [k, sites[k]?.cap ?? 0]));
  const take = new Map(order.map((k) => [k, new Array<number>(demand.length).fill(0)]));
  let cost = 0;
  for (let i = 0; i < demand.length; i++) {
    let r = demand[i] ?? 0;
    for (const k of order) {
      if (r === 0) break;
      const site = sites[k] as Site;
      const cap = capLeft.get(k) ?? 0;
      const s = site.supply[i] ?? 0;
      const t = splitLines ? Math.min(r, s, cap) : s >= r && cap >= r ? r : 0;
      if (t <= 0) continue;
      (take.get(k) as number[])[i] = t;
      capLeft.set(k, cap - t);
      cost += site.unit * t;
      r -= t;
    }
    if (r > 0) return undefined;
  }
  const used = order.filter((k) => (take.get(k) as number[]).some((t) => t > 0));
  for (const k of used) cost += sites[k]?.fixed ?? 0;
  return { sites: used, take: used.map((k) => take.get(k) as number[]), cost };
}

/** Local search on the set: add, drop or swap a location, while the cost falls. */
function improve(
  sites: Site[],
  start: Solution,
  demand: number[],
  splitLines: boolean,
  maxSplit: number,
): Solution {
  let current = start;
  for (let round = 0; round < 3; round++) {
    let better: Solution | undefined;
    // Add: the search takes all it can from each location it opens, so a set that moves some units to a
    // location with cheaper units is only reached from here.
    if (current.sites.length < maxSplit) {
      for (let k = 0; k < sites.length; k++) {
        if (current.sites.includes(k)) continue;
        const added = assign(sites, [...current.sites, k], demand, splitLines);
        if (added && added.cost < (better ?? current).cost - EPS) better = added;
      }
    }
    for (const out of current.sites) {
      const rest = current.sites.filter((k) => k !== out);
      const dropped = assign(sites, rest, demand, splitLines);
      if (dropped && dropped.cost < (better ?? current).cost - EPS) better = dropped;
      for (let k = 0; k < sites.length; k++) {
        if (current.sites.includes(k)) continue;
        // A swap only pays if the newcomer's parcel is cheaper or it brings cheaper units.
        const site = sites[k] as Site;
        const leaving = sites[out] as Site;
        if (site.fixed >= leaving.fixed && site.unit >= leaving.unit) continue;
        const swapped = assign(sites, [...rest, k], demand, splitLines);
        if (swapped && swapped.sites.length <= maxSplit && swapped.cost < (better ?? current).cost - EPS) {
          better = swapped;
        }
      }
    }
    if (!better) break;
    current = better;
  }
  return current;
}

/** Item takes back to the order's lines (lines of one SKU filled in order from its locations). */
function toLines(
  problem: RoutingProblem,
  skus: string[],
  itemOf: Map<string, number>,
  sites: Site[],
  solution: Solution,
): RoutedLine[] {
  const pools = skus.map((_, i) =>
    solution.sites
      .map((k, j) => ({ locationId: sites[k]?.id ?? "", quantity: solution.take[j]?.[i] ?? 0 }))
      .filter((a) => a.quantity > 0),
  );
  return problem.lines.map((line) => {
    const pool = pools[itemOf.get(line.sku) ?? 0] ?? [];
    let missing = line.quantity;
    const allocations: Allocation[] = [];
    for (const a of pool) {
      if (missing === 0) break;
      if (a.quantity === 0) continue;
      const q = Math.min(missing, a.quantity);
      allocations.push({ locationId: a.locationId, quantity: q });
      a.quantity -= q;
      missing -= q;
    }
    return { lineId: line.lineId, sku: line.sku, allocations };
  });
}
