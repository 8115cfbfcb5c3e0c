// Stock updates from location systems: a batch of counts (SNAPSHOT) or movements (DELTA), idempotent by
// its updateId. The whole batch is checked first (schema, known locations, no on-hand below zero) and a
// refused batch writes nothing, not even its id. Then it is applied in chunks, each ONE transaction with
// the batch record's cursor, so a crashed or repeated request resumes where the last chunk ended and no
// line is applied twice. A count older than the last applied one for its SKU and location is ignored.
import { createHash } from "node:crypto";
import type { StockUpdateRecord } from "../adapters/dynamodb/inventory-repository.ts";
import {
  applyPlan,
  type PlanOutcome,
  planDelta,
  planSnapshot,
  positionKey,
  type StockPlan,
  type StockPosition,
} from "../domain/inventory/stock.ts";
import {
  type StockUpdate,
  type StockUpdateResult,
  stockUpdateSchema,
} from "../domain/inventory/stock-updates.ts";
import { canonicalJson } from "../domain/shared/canonical-json.ts";
import { ConflictError, NotFoundError, TransientError, ValidationError } from "../domain/shared/errors.ts";
import { toValidationError } from "../domain/shared/zod-issues.ts";
import type { Clock, InventoryRepository } from "./ports.ts";

export interface StockUpdateDeps {
  inventory: InventoryRepository;
  clock: Clock;
}

/** TransactWriteItems takes 100 items; one is the batch record's cursor. */
const MAX_WRITES_PER_CHUNK = 99;
/** Re-plans of a chunk whose positions changed meanwhile before the caller is asked to repeat. */
const MAX_STALE_ATTEMPTS = 25;

type Line = StockUpdate["lines"][number];

const iso = (value: string) => new Date(value).toISOString();

/** Timestamps in one format (UTC, milliseconds), so that the stored ones compare as strings. */
function normalise(update: StockUpdate): StockUpdate {
  if (update.type === "SNAPSHOT") {
    return {
      ...update,
      asOf: iso(update.asOf),
      lines: update.lines.map((l) => ({ ...l, ...(l.asOf ? { asOf: iso(l.asOf) } : {}) })),
    };
  }
  return {
    ...update,
    lines: update.lines.map((l) => ({ ...l, ...(l.occurredAt ? { occurredAt: iso(l.occurredAt) } : {}) })),
  };
}

function planLine(update: StockUpdate, index: number, current: StockPosition | undefined): PlanOutcome {
  const field = `lines.${index}.`;
  if (update.type === "SNAPSHOT") {
    const line = update.lines[index];
    if (!line) throw new RangeError(`no line ${index}`);
    return planSnapshot(current, { ...line, asOf: line.asOf ?? update.asOf }, field);
  }
  const line = update.lines[index];
  if (!line) throw new RangeError(`no line ${index}`);
  return planDelta(current, line, field);
}

interface Chunk {
  to: number;
  plans: StockPlan[];
  ignored: { line: number; reason: string }[];
}

/**
 * Plans lines from `from` on against `positions` (updated in place as the plans would leave them), cut
 * into transactions: at most 99 item writes, and a position written at most once per transaction.
 */
function planChunks(update: StockUpdate, from: number, positions: Map<string, StockPosition>): Chunk[] {
  const chunks: Chunk[] = [];
  let chunk: Chunk = { to: from, plans: [], ignored: [] };
  let writes = 0;
  let touched = new Set<string>();
  for (let i = from; i < update.lines.length; i++) {
    const line = update.lines[i] as Line;
    const key = positionKey(line.sku, line.locationId);
    const outcome = planLine(update, i, positions.get(key));
    const size = outcome.kind === "plan" ? outcome.plan.changes.length : 0;
    if (chunk.to > from && (writes + size > MAX_WRITES_PER_CHUNK || touched.has(key))) {
      chunks.push(chunk);
      chunk = { to: chunk.to, plans: [], ignored: [] };
      writes = 0;
      touched = new Set();
    }
    if (outcome.kind === "plan") {
      chunk.plans.push(outcome.plan);
      positions.set(key, applyPlan(positions.get(key), outcome.plan));
      writes += size;
      touched.add(key);
    } else if (outcome.kind === "ignored") {
      chunk.ignored.push({ line: i, reason: outcome.reason });
    } else {
      // Only reachable after the batch was accepted: a concurrent change took on-hand below what this
      // movement needs. The line is reported, not half-applied.
      chunk.ignored.push({ line: i, reason: outcome.code });
    }
    chunk.to = i + 1;
  }
  if (chunk.to > from) chunks.push(chunk);
  return chunks;
}

async function readPositions(
  deps: StockUpdateDeps,
  update: StockUpdate,
  from: number,
): Promise<Map<string, StockPosition>> {
  return deps.inventory.getPositions(update.lines.slice(from));
}

function resultOf(update: StockUpdate, record: StockUpdateRecord, replayed: boolean): StockUpdateResult {
  return {
    updateId: update.updateId,
    type: update.type,
    lines: record.lines,
    applied: record.applied,
    ignored: [...record.ignored].sort((a, b) => a.line - b.line),
    replayed,
  };
}

export async function applyStockUpdate(deps: StockUpdateDeps, body: unknown): Promise<StockUpdateResult> {
  const parsed = stockUpdateSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  const update = normalise(parsed.data);
  const requestHash = createHash("sha256").update(canonicalJson(update)).digest("hex");

  const known = await deps.inventory.getStockUpdate(update.updateId);
  if (known) assertSameRequest(known, requestHash);
  if (known?.status === "DONE") return resultOf(update, known, true);

  // Every line's location must exist.
  const locations = new Set((await deps.inventory.listLocations()).map((l) => l.locationId));
  const unknown = update.lines.findIndex((l) => !locations.has(l.locationId));
  if (unknown >= 0) {
    const locationId = update.lines[unknown]?.locationId;
    throw new NotFoundError(
      "LOCATION_NOT_FOUND",
      `location ${locationId} does not exist`,
      `lines.${unknown}.locationId`,
      {
        locationId,
      },
    );
  }

  // The whole (remaining) batch against current stock, before the first write.
  let from = known?.nextLine ?? 0;
  let positions = await readPositions(deps, update, from);
  const projected = new Map(positions);
  const refusals = update.lines.flatMap((line, i) => {
    if (i < from) return [];
    const key = positionKey(line.sku, line.locationId);
    const outcome = planLine(update, i, projected.get(key));
    if (outcome.kind === "plan") projected.set(key, applyPlan(projected.get(key), outcome.plan));
    return outcome.kind === "refused"
      ? [{ path: outcome.field, code: outcome.code, message: outcome.message }]
      : [];
  });
  if (refusals.length > 0) throw new ValidationError(refusals, refusals[0]?.code);

  const record =
    known ??
    (await deps.inventory.startStockUpdate({
      updateId: update.updateId,
      type: update.type,
      requestHash,
      status: "APPLYING",
      lines: update.lines.length,
      nextLine: 0,
      applied: 0,
      ignored: [],
      createdAt: deps.clock.now(),
    }));
  assertSameRequest(record, requestHash);
  from = record.nextLine;

  let stale = 0;
  if (from !== (known?.nextLine ?? 0)) positions = await readPositions(deps, update, from);
  let chunks = planChunks(update, from, positions);
  while (chunks.length > 0) {
    const chunk = chunks[0] as Chunk;
    const outcome = await deps.inventory.applyStockChunk(
      update.updateId,
      from,
      chunk.to,
      chunk.plans,
      chunk.ignored,
      deps.clock.now(),
    );
    if (outcome === "applied") {
      from = chunk.to;
      chunks = chunks.slice(1);
      continue;
    }
    if (outcome === "cursor-moved") {
      // A twin request is applying the same batch: continue from where it got.
      const current = await deps.inventory.getStockUpdate(update.updateId);
      if (!current) throw new TransientError(`stock update ${update.updateId} vanished`);
      if (current.status === "DONE") return resultOf(update, current, true);
      from = current.nextLine;
    } else if (++stale > MAX_STALE_ATTEMPTS) {
      throw new TransientError(
        `stock update ${update.updateId}: positions keep changing; repeat the request (it resumes at line ${from})`,
      );
    }
    positions = await readPositions(deps, update, from);
    chunks = planChunks(update, from, positions);
  }

  await deps.inventory.finishStockUpdate(update.updateId, deps.clock.now());
  const done = await deps.inventory.getStockUpdate(update.updateId);
  if (!done) throw new TransientError(`stock update ${update.updateId} vanished`);
  return resultOf(update, done, known !== undefined);
}

function assertSameRequest(record: StockUpdateRecord, requestHash: string): void {
  if (record.requestHash !== requestHash) {
    throw new ConflictError(
      "UPDATE_ID_REUSED",
      `updateId ${record.updateId} was used for a different stock update`,
      "updateId",
      { updateId: record.updateId },
    );
  }
}
