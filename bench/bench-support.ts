// What every benchmark shares: numbers from the environment, a seeded PRNG so runs are reproducible, and
// percentiles computed one way.

/** A numeric setting from the environment (e.g. BENCH_SECONDS), or the fallback. */
export const envNumber = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32): the same data every run for a seed. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The p-th percentile (nearest rank, rounding down) of the values, in any order. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
