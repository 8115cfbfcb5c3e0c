// npm run bench:routing — the DOSE optimiser (domain/routing/optimizer.ts) against the exact optimum and
// against Magento MSI's per-SKU greedy, on seeded generated networks (no I/O, one process):
//  - networks of 50, 200 and 1,000 locations in a Germany-sized box: a few warehouses holding half the
//    catalogue in depth, many stores holding a few popular SKUs in ones and twos, popularity skewed
//    (Zipf-like), some locations short of unit capacity or out of order capacity;
//  - orders of 1-10 lines (quantities mostly 1, sometimes 5-12 so that some lines need splitting), plus
//    a set of orders of exactly 10 lines at 1,000 locations: the headline case of the targets;
//  - per order: the optimiser's time (performance.now, after a warm-up), its cost and parcels; the exact
//    MILP optimum by glpk.js (x[l,s] units of SKU s from l, y[l] location used; demand, stock, y-linking,
//    max split, unit capacity); the greedy's parcels (by priority, Magento's default, and by distance).
// BENCH_ORDERS orders per case (default 300), BENCH_SEED (default 42). Prints a table and a final JSON line.
import GLPK, { type LP } from "glpk.js/node";
import { type GreedyOrder, greedyPlan } from "../domain/routing/greedy.ts";
import { optimizeRoute } from "../domain/routing/optimizer.ts";
import {
  parcelCost,
  type RoutingLocation,
  type RoutingProblem,
  type RoutingWeights,
  routeViolation,
  type StockLevel,
  stockAt,
  unitCost,
} from "../domain/routing/routing-problem.ts";
import { envNumber, percentile, prng } from "./bench-support.ts";

const num = envNumber;
const ORDERS = num("BENCH_ORDERS", 300);
const SEED = num("BENCH_SEED", 42);
const SKUS = 400;
const WEIGHTS: RoutingWeights = { parcel: 5, cost: 1, priority: 0.02 };
const MAX_SPLIT = 4;

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

// Zipf-like popularity: SKU j is ordered and stocked in proportion to 1 / (j + 5)^0.9.
const popularity = Array.from({ length: SKUS }, (_, j) => 1 / (j + 5) ** 0.9);
const meanPopularity = popularity.reduce((a, b) => a + b, 0) / SKUS;
const cumulative = popularity.reduce<number[]>((acc, w) => {
  acc.push((acc.at(-1) ?? 0) + w);
  return acc;
}, []);
const skuName = (j: number) => `SKU-${String(j).padStart(4, "0")}`;
function drawSku(random: () => number): number {
  const target = random() * (cumulative.at(-1) ?? 1);
  let lo = 0;
  let hi = SKUS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const box = (random: () => number) => ({ lat: 47.3 + random() * 7.7, lon: 5.9 + random() * 9.1 });

interface Network {
  locations: RoutingLocation[];
  stock: Record<string, StockLevel[]>;
}

function network(size: number, random: () => number): Network {
  const stock: Record<string, StockLevel[]> = {};
  const locations = Array.from({ length: size }, (_, n) => {
    const warehouse = random() < 0.08;
    const locationId = `${warehouse ? "wh" : "st"}-${String(n).padStart(4, "0")}`;
    for (let j = 0; j < SKUS; j++) {
      const p = warehouse ? 0.5 : Math.min(0.7, (0.06 * (popularity[j] ?? 0)) / meanPopularity);
      if (random() >= p) continue;
      const available = warehouse ? 1 + Math.floor(40 * random() ** 2) : 1 + Math.floor(3 * random() ** 2);
      const levels = stock[skuName(j)] ?? [];
      levels.push({ locationId, available });
      stock[skuName(j)] = levels;
    }
    const jitter = () => 0.8 + 0.4 * random();
    const location: RoutingLocation = {
      locationId,
      coordinates: box(random),
      priority: warehouse ? 10 + Math.floor(20 * random()) : 40 + Math.floor(60 * random()),
      shippingCost: warehouse
        ? { perParcel: 4.5 * jitter(), perUnit: 0.3 * jitter(), perKm: 0.004 * jitter() }
        : { perParcel: 6 * jitter(), perUnit: 0.1 * jitter(), perKm: 0.008 * jitter() },
    };
    const c = random();
    if (c < 0.03) location.remainingOrders = 0;
    else if (c < 0.13) location.remainingUnits = 2 + Math.floor(18 * random());
    return location;
  });
  return { locations, stock };
}

function order({ locations, stock }: Network, lines: number, random: () => number): RoutingProblem {
  const picked = new Set<number>();
  while (picked.size < lines) picked.add(drawSku(random));
  const excluded = locations.filter(() => random() < 0.02).map((l) => l.locationId);
  return {
    lines: [...picked].map((j, i) => {
      const r = random();
      return {
        lineId: `L${i + 1}`,
        sku: skuName(j),
        quantity: r < 0.7 ? 1 : r < 0.95 ? 2 + Math.floor(2 * random()) : 5 + Math.floor(8 * random()),
      };
    }),
    destination: box(random),
    locations,
    stock,
    weights: WEIGHTS,
    maxSplit: MAX_SPLIT,
    splitLines: true,
    excluded,
  };
}

type Glpk = Awaited<ReturnType<typeof GLPK>>;

/** The exact optimum (cost and parcels), or undefined when no route exists. */
function milp(
  glpk: Glpk,
  problem: RoutingProblem,
): { cost: number; parcels: number; ms: number } | undefined {
  const excluded = new Set(problem.excluded ?? []);
  const skus = [...new Set(problem.lines.map((l) => l.sku))];
  const demand = skus.map((s) =>
    problem.lines.filter((l) => l.sku === s).reduce((a, l) => a + l.quantity, 0),
  );
  const objective: LP["objective"]["vars"] = [];
  const subjectTo: LP["subjectTo"] = [];
  const bounds: NonNullable<LP["bounds"]> = [];
  const binaries: string[] = [];
  const perSku: { name: string; coef: number }[][] = skus.map(() => []);
  const split: { name: string; coef: number }[] = [];
  problem.locations.forEach((l, k) => {
    if (excluded.has(l.locationId) || (l.remainingOrders ?? 1) < 1) return;
    const cap = l.remainingUnits ?? Number.POSITIVE_INFINITY;
    const supply = skus.map((s, i) => Math.min(stockAt(problem.stock, s, l.locationId), demand[i] ?? 0, cap));
    if (supply.every((s) => s <= 0)) return;
    const y = `y${k}`;
    binaries.push(y);
    split.push({ name: y, coef: 1 });
    objective.push({ name: y, coef: parcelCost(l, problem.destination, problem.weights) });
    const unit = unitCost(l, problem.weights);
    const xs: { name: string; coef: number }[] = [];
    supply.forEach((s, i) => {
      if (s <= 0) return;
      const x = `x${k}_${i}`;
      objective.push({ name: x, coef: unit });
      bounds.push({ name: x, type: glpk.GLP_DB, lb: 0, ub: s });
      perSku[i]?.push({ name: x, coef: 1 });
      xs.push({ name: x, coef: 1 });
      // y-linking: nothing leaves an unused location.
      subjectTo.push({
        name: `link${k}_${i}`,
        vars: [
          { name: x, coef: 1 },
          { name: y, coef: -s },
        ],
        bnds: { type: glpk.GLP_UP, lb: 0, ub: 0 },
      });
    });
    if (Number.isFinite(cap)) {
      subjectTo.push({
        name: `cap${k}`,
        vars: [...xs, { name: y, coef: -cap }],
        bnds: { type: glpk.GLP_UP, lb: 0, ub: 0 },
      });
    }
  });
  for (const [i, vars] of perSku.entries()) {
    if (vars.length === 0) return undefined;
    const q = demand[i] ?? 0;
    subjectTo.push({ name: `demand${i}`, vars, bnds: { type: glpk.GLP_FX, lb: q, ub: q } });
  }
  subjectTo.push({ name: "split", vars: split, bnds: { type: glpk.GLP_UP, lb: 0, ub: problem.maxSplit } });
  const start = performance.now();
  const { result } = glpk.solve(
    {
      name: "route",
      objective: { direction: glpk.GLP_MIN, name: "cost", vars: objective },
      subjectTo,
      bounds,
      binaries,
    },
    { msglev: glpk.GLP_MSG_OFF, presol: true, tmlim: 30 },
  );
  const ms = performance.now() - start;
  if (result.status !== glpk.GLP_OPT) {
    if (
      result.status === glpk.GLP_NOFEAS ||
      result.status === glpk.GLP_INFEAS ||
      result.status === glpk.GLP_UNDEF
    ) {
      return undefined;
    }
    throw new Error(`glpk status ${result.status}`);
  }
  const parcels = binaries.filter((y) => (result.vars[y] ?? 0) > 0.5).length;
  return { cost: result.z, parcels, ms };
}

interface CaseResult {
  case: string;
  locations: number;
  lines: string;
  orders: number;
  routable: number;
  unroutable: number;
  disagreements: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanGapPct: number;
  p99GapPct: number;
  maxGapPct: number;
  optimalParcelsPct: number;
  extraParcels: number;
  greedyExtraParcels: number;
  extraParcelsReductionVsGreedyPct: number;
  greedyByDistanceExtraParcels: number;
  extraParcelsReductionVsDistanceGreedyPct: number;
  greedyOverMaxSplitPct: number;
  meanCandidates: number;
  budgetExhausted: number;
  milpP50Ms: number;
}

function runCase(glpk: Glpk, name: string, size: number, lines: () => number, seed: number): CaseResult {
  const random = prng(seed);
  const net = network(size, random);
  const problems = Array.from({ length: ORDERS }, () => order(net, lines(), random));
  // Warm-up: let the JIT settle before timing.
  for (let w = 0; w < 2; w++) for (const p of problems.slice(0, 100)) optimizeRoute(p);

  const times: number[] = [];
  const gaps: number[] = [];
  const milpTimes: number[] = [];
  let routable = 0;
  let unroutable = 0;
  let disagreements = 0;
  let optimalParcels = 0;
  let extra = 0;
  const greedyExtra: Record<GreedyOrder, number> = { PRIORITY: 0, DISTANCE: 0 };
  let greedyOver = 0;
  let candidates = 0;
  let exhausted = 0;
  for (const problem of problems) {
    const start = performance.now();
    const result = optimizeRoute(problem);
    times.push(performance.now() - start);
    candidates += result.trace.candidates;
    if (result.trace.budgetExhausted) exhausted++;
    const exact = milp(glpk, problem);
    if (exact) milpTimes.push(exact.ms);
    if (!exact || !result.routable) {
      if (exact || result.routable) disagreements++;
      if (!exact) unroutable++;
      continue;
    }
    const violation = routeViolation(problem, result.lines);
    if (violation) throw new Error(`optimiser broke a constraint: ${violation}`);
    routable++;
    gaps.push(Math.max(0, ((result.cost - exact.cost) / exact.cost) * 100));
    if (result.parcels <= exact.parcels) optimalParcels++;
    extra += Math.max(0, result.parcels - exact.parcels);
    for (const by of ["PRIORITY", "DISTANCE"] as const) {
      const greedy = greedyPlan(problem, by);
      greedyExtra[by] += Math.max(0, greedy.parcels - exact.parcels);
      if (by === "PRIORITY" && greedy.parcels > problem.maxSplit) greedyOver++;
    }
  }
  const reduction = (g: number) => (g === 0 ? 100 : round((1 - extra / g) * 100, 1));
  return {
    case: name,
    locations: size,
    lines: name.endsWith("x10") ? "10" : "1-10",
    orders: problems.length,
    routable,
    unroutable,
    disagreements,
    p50Ms: round(percentile(times, 50)),
    p90Ms: round(percentile(times, 90)),
    p99Ms: round(percentile(times, 99)),
    maxMs: round(Math.max(...times)),
    meanGapPct: round(mean(gaps)),
    p99GapPct: round(percentile(gaps, 99)),
    maxGapPct: round(Math.max(0, ...gaps)),
    optimalParcelsPct: round((optimalParcels / Math.max(1, routable)) * 100, 1),
    extraParcels: extra,
    greedyExtraParcels: greedyExtra.PRIORITY,
    extraParcelsReductionVsGreedyPct: reduction(greedyExtra.PRIORITY),
    greedyByDistanceExtraParcels: greedyExtra.DISTANCE,
    extraParcelsReductionVsDistanceGreedyPct: reduction(greedyExtra.DISTANCE),
    greedyOverMaxSplitPct: round((greedyOver / Math.max(1, routable)) * 100, 1),
    meanCandidates: round(candidates / problems.length, 1),
    budgetExhausted: exhausted,
    milpP50Ms: round(percentile(milpTimes, 50), 1),
  };
}

async function main() {
  const glpk = await GLPK();
  const lineRandom = prng(SEED ^ 0x5bd1e995);
  const oneToTen = () => 1 + Math.floor(lineRandom() * 10);
  const cases: CaseResult[] = [];
  const started = performance.now();
  for (const [name, size, lines] of [
    ["50 x 1-10", 50, oneToTen],
    ["200 x 1-10", 200, oneToTen],
    ["1000 x 1-10", 1000, oneToTen],
    ["1000 x10", 1000, () => 10],
  ] as const) {
    process.stderr.write(`${name}: ${ORDERS} orders...\n`);
    cases.push(runCase(glpk, name, size, lines, SEED + size));
  }
  const columns: [keyof CaseResult, string][] = [
    ["case", "case"],
    ["orders", "orders"],
    ["routable", "routable"],
    ["disagreements", "disagree"],
    ["p50Ms", "p50 ms"],
    ["p99Ms", "p99 ms"],
    ["maxMs", "max ms"],
    ["meanGapPct", "gap %"],
    ["p99GapPct", "p99 gap %"],
    ["optimalParcelsPct", "opt parcels %"],
    ["extraParcels", "extra"],
    ["greedyExtraParcels", "greedy extra"],
    ["extraParcelsReductionVsGreedyPct", "vs greedy %"],
    ["extraParcelsReductionVsDistanceGreedyPct", "vs dist %"],
    ["meanCandidates", "cands"],
    ["budgetExhausted", "budget hit"],
    ["milpP50Ms", "milp p50 ms"],
  ];
  console.log(`\n${columns.map(([, h], i) => (i === 0 ? h.padEnd(13) : h.padStart(h.length + 2))).join("")}`);
  for (const c of cases) {
    console.log(
      columns
        .map(([k, h], i) => (i === 0 ? String(c[k]).padEnd(13) : String(c[k]).padStart(h.length + 2)))
        .join(""),
    );
  }
  const headline = cases.find((c) => c.case === "1000 x10") as CaseResult;
  console.log(
    `\nseed ${SEED}, ${ORDERS} orders per case, weights ${JSON.stringify(WEIGHTS)}, max split ${MAX_SPLIT}, ` +
      `${round((performance.now() - started) / 1000, 1)} s`,
  );
  console.log(
    JSON.stringify({
      benchmark: "routing",
      case: "1000 locations x 10 lines",
      seed: SEED,
      orders: headline.orders,
      p50Ms: headline.p50Ms,
      p99Ms: headline.p99Ms,
      meanGapPct: headline.meanGapPct,
      p99GapPct: headline.p99GapPct,
      optimalParcelsPct: headline.optimalParcelsPct,
      extraParcelsReductionVsGreedyPct: headline.extraParcelsReductionVsGreedyPct,
      extraParcelsReductionVsDistanceGreedyPct: headline.extraParcelsReductionVsDistanceGreedyPct,
      cases: Object.fromEntries(cases.map((c) => [c.case, c])),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
