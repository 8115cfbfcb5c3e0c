// Stock of one SKU at one location, and the arithmetic every change obeys. A position is stored as one or
// more shard items (shard 0, the head, plus extra shards for hot SKUs); each keeps
//   available = onHand - reserved - safetyStock
// up to date in the same write as its parts, because DynamoDB conditions cannot do arithmetic: a
// reservation is then the single condition `available >= q` on one item. Safety stock lives on the head.
//
// The planners here decide, from a position read before writing, which shard items change by how much;
// the repository turns a plan into conditional writes, and the model functions (apply*) are what the
// property tests check the stored items against.

export const MAX_SHARDS = 16;

export interface StockShard {
  shard: number;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
}

export interface StockPosition {
  sku: string;
  locationId: string;
  /** Ordered by shard number; shards[0] is the head. */
  shards: StockShard[];
  /** inventory.low fires when what channels see drops to this or below. */
  lowStockThreshold?: number | undefined;
  /** asOf of the last applied snapshot: older snapshots (late deliveries) are ignored. */
  snapshotAt?: string | undefined;
}

export interface StockTotals {
  onHand: number;
  reserved: number;
  safetyStock: number;
  /** Stored value: negative when a count found fewer units than are reserved plus safety stock. */
  available: number;
}

export interface ReservationPart {
  shard: number;
  quantity: number;
}

/** A position's identity as one string (SKU and location ids contain no NUL). */
export const positionKey = (sku: string, locationId: string): string => `${sku}\u0000${locationId}`;

export function emptyShard(shard: number): StockShard {
  return { shard, onHand: 0, reserved: 0, safetyStock: 0, available: 0 };
}

export function emptyPosition(sku: string, locationId: string): StockPosition {
  return { sku, locationId, shards: [emptyShard(0)] };
}

export function totalsOf(position: StockPosition): StockTotals {
  const t = { onHand: 0, reserved: 0, safetyStock: 0, available: 0 };
  for (const s of position.shards) {
    t.onHand += s.onHand;
    t.reserved += s.reserved;
    t.safetyStock += s.safetyStock;
    t.available += s.available;
  }
  return t;
}

/** What a channel sees: never below 0. */
export function visibleAvailable(position: StockPosition): number {
  return Math.max(0, totalsOf(position).available);
}

export function isLow(position: StockPosition): boolean {
  return position.lowStockThreshold !== undefined && visibleAvailable(position) <= position.lowStockThreshold;
}

/** The largest quantity one reservation can take: the biggest shard, or the sum when split. */
export function reservableQuantity(position: StockPosition): number {
  return position.shards.reduce((sum, s) => sum + Math.max(0, s.available), 0);
}

// ---------------------------------------------------------------------------------------------------
// Plans for stock updates (snapshots and deltas)

export interface ShardChange {
  shard: number;
  /** The item does not exist yet: put it (conditional on its absence). */
  create: boolean;
  /**
   * onHand the plan was computed from; the write is conditional on it. Reservations never change onHand,
   * so a flash sale's reservations do not make a stock update retry; only other onHand changes do.
   */
  expectOnHand: number;
  onHandDelta: number;
  availableDelta: number;
}

export interface HeadChange {
  shardCount: number;
  safetyStock: number;
  expectSafetyStock: number;
  lowStockThreshold?: number | undefined;
  /** Set by a snapshot: its asOf. */
  snapshotAt?: string | undefined;
  /** The write is conditional on the stored snapshotAt being older than this (or absent). */
  requireSnapshotBefore?: string | undefined;
}

export interface StockPlan {
  sku: string;
  locationId: string;
  /** Changes per shard item; the head (shard 0) is always first. */
  changes: ShardChange[];
  head: HeadChange;
}

export type PlanOutcome =
  | { kind: "plan"; plan: StockPlan }
  | { kind: "ignored"; reason: "STALE_SNAPSHOT" | "INCLUDED_IN_SNAPSHOT" }
  | { kind: "refused"; code: "ON_HAND_BELOW_ZERO" | "SHARDS_CANNOT_SHRINK"; field: string; message: string };

export interface SnapshotLine {
  sku: string;
  locationId: string;
  onHand: number;
  asOf: string;
  safetyStock?: number | undefined;
  lowStockThreshold?: number | undefined;
  shards?: number | undefined;
}

export interface DeltaLine {
  sku: string;
  locationId: string;
  change: number;
  occurredAt?: string | undefined;
}

const newer = (a: string, b: string) => Date.parse(a) > Date.parse(b);

/**
 * Takes `amount` units from `values`, always from the currently largest, never more than `caps[i]` from
 * entry i. Returns what each entry gives. Levels keep shards balanced, so no single shard runs dry first.
 */
export function drain(values: readonly number[], caps: readonly number[], amount: number): number[] {
  const taken = values.map(() => 0);
  let left = amount;
  while (left > 0) {
    const live = values.map((_, i) => i).filter((i) => (caps[i] ?? 0) - (taken[i] ?? 0) > 0);
    if (live.length === 0) throw new RangeError(`cannot take ${amount}: not enough room`);
    const level = (i: number) => (values[i] ?? 0) - (taken[i] ?? 0);
    const top = Math.max(...live.map(level));
    const tops = live.filter((i) => level(i) === top);
    const rest = live.filter((i) => level(i) < top).map(level);
    const next = rest.length > 0 ? Math.max(...rest) : Number.NEGATIVE_INFINITY;
    const step = Math.min(top - next, ...tops.map((i) => (caps[i] ?? 0) - (taken[i] ?? 0)));
    if (step * tops.length >= left) {
      const each = Math.floor(left / tops.length);
      let extra = left - each * tops.length;
      for (const i of tops) {
        taken[i] = (taken[i] ?? 0) + each + (extra > 0 ? 1 : 0);
        extra -= 1;
      }
      left = 0;
    } else {
      for (const i of tops) taken[i] = (taken[i] ?? 0) + step;
      left -= step * tops.length;
    }
  }
  return taken;
}

/** Adds `amount` units to `values`, always to the currently smallest. */
export function fillUp(values: readonly number[], amount: number): number[] {
  return drain(
    values.map((v) => -v),
    values.map(() => Number.POSITIVE_INFINITY),
    amount,
  );
}

/** Spreads a total over shards as evenly as possible, none below its floor (floors sum to <= total). */
function spread(total: number, floors: readonly number[]): number[] {
  const n = floors.length;
  if (total >= 0) {
    const each = Math.floor(total / n);
    const extra = total - each * n;
    return floors.map((_, i) => each + (i < extra ? 1 : 0));
  }
  // A count below what is reserved: the shortfall goes where onHand can absorb it (onHand never < 0).
  const targets = floors.map(() => 0);
  let left = total;
  for (let i = 0; i < n && left < 0; i++) {
    const take = Math.max(floors[i] ?? 0, left);
    targets[i] = take;
    left -= take;
  }
  return targets;
}

function withShards(position: StockPosition, count: number): StockPosition {
  const shards = [...position.shards];
  for (let i = shards.length; i < count; i++) shards.push(emptyShard(i));
  return { ...position, shards };
}

function changesFrom(
  before: StockPosition,
  existing: number,
  onHandDeltas: number[],
  availableDeltas: number[],
): ShardChange[] {
  const changes: ShardChange[] = [];
  before.shards.forEach((s, i) => {
    const onHandDelta = onHandDeltas[i] ?? 0;
    const availableDelta = availableDeltas[i] ?? 0;
    const create = i >= existing;
    // Unchanged extra shards are left alone; the head is always written (its conditions guard the plan).
    if (i === 0 || create || onHandDelta !== 0 || availableDelta !== 0) {
      changes.push({ shard: s.shard, create, expectOnHand: s.onHand, onHandDelta, availableDelta });
    }
  });
  return changes;
}

/** An absolute count: sets the position's total on hand, rebalancing available across shards. */
export function planSnapshot(
  current: StockPosition | undefined,
  line: SnapshotLine,
  field = "",
): PlanOutcome {
  if (current?.snapshotAt && !newer(line.asOf, current.snapshotAt)) {
    return { kind: "ignored", reason: "STALE_SNAPSHOT" };
  }
  const existing = current?.shards.length ?? 0;
  if (line.shards !== undefined && line.shards < existing) {
    return {
      kind: "refused",
      code: "SHARDS_CANNOT_SHRINK",
      field: `${field}shards`,
      message: `${line.sku} at ${line.locationId} has ${existing} shards; shards can only grow`,
    };
  }
  const count = Math.max(existing, line.shards ?? 1, 1);
  const before = withShards(current ?? emptyPosition(line.sku, line.locationId), count);
  const head = before.shards[0] ?? emptyShard(0);
  const safety = line.safetyStock ?? head.safetyStock;
  const reserved = totalsOf(before).reserved;
  const floors = before.shards.map((s) => -(s.reserved + (s.shard === 0 ? safety : s.safetyStock)));
  const targets = spread(line.onHand - reserved - safety, floors);
  const onHandDeltas = before.shards.map((s, i) => {
    const shardSafety = s.shard === 0 ? safety : s.safetyStock;
    return (targets[i] ?? 0) + s.reserved + shardSafety - s.onHand;
  });
  const availableDeltas = before.shards.map((s, i) => (targets[i] ?? 0) - s.available);
  return {
    kind: "plan",
    plan: {
      sku: line.sku,
      locationId: line.locationId,
      changes: changesFrom(before, existing, onHandDeltas, availableDeltas),
      head: {
        shardCount: count,
        safetyStock: safety,
        expectSafetyStock: head.safetyStock,
        lowStockThreshold: line.lowStockThreshold ?? current?.lowStockThreshold,
        snapshotAt: line.asOf,
        requireSnapshotBefore: line.asOf,
      },
    },
  };
}

/** A relative movement (sale, receipt, correction, transfer): added to, or taken from, the shards. */
export function planDelta(current: StockPosition | undefined, line: DeltaLine, field = ""): PlanOutcome {
  if (line.occurredAt && current?.snapshotAt && !newer(line.occurredAt, current.snapshotAt)) {
    // The location counted after this movement happened: the count already includes it.
    return { kind: "ignored", reason: "INCLUDED_IN_SNAPSHOT" };
  }
  const existing = current?.shards.length ?? 0;
  const before = current ?? emptyPosition(line.sku, line.locationId);
  const onHand = totalsOf(before).onHand;
  if (onHand + line.change < 0) {
    return {
      kind: "refused",
      code: "ON_HAND_BELOW_ZERO",
      field: `${field}change`,
      message: `${line.sku} at ${line.locationId} has ${onHand} on hand; a change of ${line.change} would take it below 0`,
    };
  }
  const available = before.shards.map((s) => s.available);
  const deltas =
    line.change >= 0
      ? fillUp(available, line.change)
      : drain(
          available,
          before.shards.map((s) => s.onHand),
          -line.change,
        ).map((d) => -d);
  const head = before.shards[0] ?? emptyShard(0);
  return {
    kind: "plan",
    plan: {
      sku: line.sku,
      locationId: line.locationId,
      changes: changesFrom(before, Math.max(existing, 0), deltas, deltas),
      head: {
        shardCount: before.shards.length,
        safetyStock: head.safetyStock,
        expectSafetyStock: head.safetyStock,
        lowStockThreshold: current?.lowStockThreshold,
        snapshotAt: current?.snapshotAt,
        requireSnapshotBefore: line.occurredAt,
      },
    },
  };
}

/** The position after a plan's writes succeeded (the model the repository's writes must match). */
export function applyPlan(current: StockPosition | undefined, plan: StockPlan): StockPosition {
  const base = withShards(current ?? emptyPosition(plan.sku, plan.locationId), plan.head.shardCount);
  const shards = base.shards.map((s) => {
    const change = plan.changes.find((c) => c.shard === s.shard);
    const safetyStock = s.shard === 0 ? plan.head.safetyStock : s.safetyStock;
    return change
      ? {
          ...s,
          safetyStock,
          onHand: s.onHand + change.onHandDelta,
          available: s.available + change.availableDelta,
        }
      : { ...s, safetyStock };
  });
  return {
    sku: plan.sku,
    locationId: plan.locationId,
    shards,
    lowStockThreshold: plan.head.lowStockThreshold,
    snapshotAt: plan.head.snapshotAt ?? base.snapshotAt,
  };
}

// ---------------------------------------------------------------------------------------------------
// Reservations

/**
 * Which shards a reservation of `quantity` takes from: one shard with enough (the first at or after
 * `start`, so concurrent reservations spread over the shards), else several, largest first. Undefined
 * when the position cannot cover it.
 */
export function planReservation(
  position: StockPosition,
  quantity: number,
  start = 0,
): ReservationPart[] | undefined {
  const n = position.shards.length;
  for (let k = 0; k < n; k++) {
    const s = position.shards[(((start + k) % n) + n) % n];
    if (s && s.available >= quantity) return [{ shard: s.shard, quantity }];
  }
  if (reservableQuantity(position) < quantity) return undefined;
  const parts: ReservationPart[] = [];
  let left = quantity;
  for (const s of [...position.shards].sort((a, b) => b.available - a.available)) {
    if (left === 0 || s.available <= 0) break;
    const take = Math.min(left, s.available);
    parts.push({ shard: s.shard, quantity: take });
    left -= take;
  }
  return parts;
}

function mapShards(
  position: StockPosition,
  parts: readonly ReservationPart[],
  fn: (s: StockShard, q: number) => StockShard,
): StockPosition {
  return {
    ...position,
    shards: position.shards.map((s) => {
      const q = parts.filter((p) => p.shard === s.shard).reduce((sum, p) => sum + p.quantity, 0);
      return q === 0 ? s : fn(s, q);
    }),
  };
}

/** The stored condition of a reservation: every part's shard has available >= its quantity. */
export function canReserve(position: StockPosition, parts: readonly ReservationPart[]): boolean {
  return parts.every(
    (p) => (position.shards.find((s) => s.shard === p.shard)?.available ?? -1) >= p.quantity,
  );
}

export function applyReservation(position: StockPosition, parts: readonly ReservationPart[]): StockPosition {
  return mapShards(position, parts, (s, q) => ({
    ...s,
    reserved: s.reserved + q,
    available: s.available - q,
  }));
}

export function applyRelease(position: StockPosition, parts: readonly ReservationPart[]): StockPosition {
  return mapShards(position, parts, (s, q) => ({
    ...s,
    reserved: s.reserved - q,
    available: s.available + q,
  }));
}

/** Shipped: the units leave on hand and reservation together; available does not change. */
export function applyConsume(position: StockPosition, parts: readonly ReservationPart[]): StockPosition {
  return mapShards(position, parts, (s, q) => ({ ...s, reserved: s.reserved - q, onHand: s.onHand - q }));
}
