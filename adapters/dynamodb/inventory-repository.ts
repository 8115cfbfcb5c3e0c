// Inventory storage over the single table, one function per access pattern (docs/access-patterns.md):
// locations (one partition, with a directory version so readers cache the list until it changes), stock
// positions (`SKU#<sku>` / `LOC#<locationId>`, extra shards of hot SKUs in partitions of their own),
// stock update batches (idempotency record + progress cursor) and reservations (in the order's partition).
//
// Every stock change is a conditional write or a transaction. A reservation is ONE transaction: put the
// reservation item (absent, or released before) and take the units from each shard it names, each
// conditional on `available >= q`, so no interleaving can reserve more than is available and a retried
// routing step finds its reservation instead of taking the units twice.
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { type Location, locationSchema } from "../../domain/inventory/location.ts";
import {
  type ReleaseReason,
  type Reservation,
  reservationSchema,
} from "../../domain/inventory/reservation.ts";
import {
  emptyShard,
  positionKey,
  type StockPlan,
  type StockPosition,
  type StockShard,
} from "../../domain/inventory/stock.ts";
import { type Channel, channelSchema } from "../../domain/order/channel.ts";
import { ConflictError, TransientError } from "../../domain/shared/errors.ts";
import { isConditionFailure, rethrowStorageError, transactionReasons } from "./storage-errors.ts";
import { TableAccess } from "./table-access.ts";
import { ENTITY, keys } from "./table-design.ts";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** Attempts of a transaction that lost only to concurrent transactions (TransactionConflict). */
const CONFLICT_ATTEMPTS = 12;
/** Batches read back by BatchGetItem: at most 100 keys per call. */
const BATCH_GET = 100;
/** Stock update ids are remembered this long (TTL). */
const STOCK_UPDATE_RETENTION_SECONDS = 30 * 24 * 3600;

const stockItemSchema = z.object({
  sku: z.string(),
  locationId: z.string(),
  shard: z.number().int().nonnegative(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  safetyStock: z.number().int(),
  available: z.number().int(),
  shardCount: z.number().int().positive().optional(),
  lowStockThreshold: z.number().int().optional(),
  snapshotAt: z.string().optional(),
});

/**
 * A SKU's availability read model. The levels are one JSON string ({locationId: available}), not one
 * attribute per location: DynamoDB and the SDK (un)marshal one string several times faster than hundreds
 * of attributes, and every availability look-up reads it.
 */
const availabilityItemSchema = z.object({ sku: z.string(), levels: z.string(), version: z.number().int() });
const levelsSchema = z.record(z.string(), z.number().int());

export const stockUpdateRecordSchema = z.object({
  updateId: z.string(),
  type: z.enum(["SNAPSHOT", "DELTA"]),
  requestHash: z.string(),
  status: z.enum(["APPLYING", "DONE"]),
  lines: z.number().int(),
  /** Lines before this index are applied (or ignored); the next chunk starts here. */
  nextLine: z.number().int(),
  applied: z.number().int(),
  ignored: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  createdAt: z.string(),
  completedAt: z.string().optional(),
});
export type StockUpdateRecord = z.infer<typeof stockUpdateRecordSchema>;

export type ReserveOutcome =
  | { outcome: "reserved" }
  /** The reservation item exists (ACTIVE or CONSUMED): this is a repeat. */
  | { outcome: "exists"; reservation: Reservation }
  /** A shard no longer had enough: re-read and plan again (or try another location). */
  | { outcome: "insufficient" };

export type ChunkOutcome = "applied" | "cursor-moved" | "stale";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class InventoryRepository {
  private directory: { version: number; locations: Location[] } | undefined;

  private readonly table: TableAccess;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new TableAccess(db, tableName);
  }

  // ------------------------------------------------------------------------------------------------
  // Locations

  /** A location's configuration (GetItem). */
  async getLocation(locationId: string): Promise<Location | undefined> {
    const item = await this.table.get(keys.location(locationId));
    return item ? locationSchema.parse(strip(item)) : undefined;
  }

  /**
   * Every location (Query on the LOCATIONS partition), cached until the directory version changes: each
   * call costs one small GetItem unless a location was written since.
   */
  async listLocations(): Promise<Location[]> {
    const version = Number((await this.table.get(keys.locationDirectory()))?.version ?? 0);
    if (this.directory?.version === version) return this.directory.locations;
    const locations: Location[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.location("").pk, ":prefix": keys.locationPrefix },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) locations.push(locationSchema.parse(strip(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    this.directory = { version, locations };
    return locations;
  }

  /** Creates a location; ConflictError LOCATION_EXISTS when the id is taken. */
  async createLocation(location: Location): Promise<void> {
    try {
      await this.transact([
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.location(location.locationId), entityType: ENTITY.location, ...location },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        this.bumpDirectory(),
      ]);
    } catch (error) {
      if (transactionReasons(error)?.[0] === "ConditionalCheckFailed") {
        throw new ConflictError("LOCATION_EXISTS", `location ${location.locationId} exists`, "locationId");
      }
      rethrowStorageError(error);
    }
  }

  /** Replaces a location's configuration, conditional on the version it was derived from. */
  async replaceLocation(location: Location, previousVersion: number): Promise<void> {
    try {
      await this.transact([
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.location(location.locationId), entityType: ENTITY.location, ...location },
            ConditionExpression: "version = :v",
            ExpressionAttributeValues: { ":v": previousVersion },
          },
        },
        this.bumpDirectory(),
      ]);
    } catch (error) {
      if (transactionReasons(error)?.[0] === "ConditionalCheckFailed") {
        throw new ConflictError(
          "LOCATION_CHANGED",
          `location ${location.locationId} changed meanwhile; read it again and repeat`,
          "locationId",
        );
      }
      rethrowStorageError(error);
    }
  }

  private bumpDirectory(): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.locationDirectory(),
        UpdateExpression: "ADD version :one SET entityType = :type",
        ExpressionAttributeValues: { ":one": 1, ":type": ENTITY.locationDirectory },
      },
    };
  }

  // ------------------------------------------------------------------------------------------------
  // Stock positions

  /**
   * One SKU at every location: Query `SKU#<sku>` for the heads; the extra shards of hot positions by
   * BatchGetItem when they are few, else by one Query per shard partition.
   */
  async queryPositions(sku: string, consistent = false): Promise<StockPosition[]> {
    const heads = await this.queryAll(keys.stockItem(sku, "").pk, consistent);
    const shardKeys = heads.flatMap((h) =>
      Array.from({ length: (h.shardCount ?? 1) - 1 }, (_, i) => keys.stockItem(h.sku, h.locationId, i + 1)),
    );
    if (shardKeys.length === 0) return assemble(heads);
    if (shardKeys.length <= BATCH_GET) {
      return assemble([...heads, ...(await this.batchGet(shardKeys, consistent))]);
    }
    const shardCount = Math.max(1, ...heads.map((h) => h.shardCount ?? 1));
    const shards = await Promise.all(
      Array.from({ length: shardCount - 1 }, (_, i) =>
        this.queryAll(keys.stockItem(sku, "", i + 1).pk, consistent),
      ),
    );
    return assemble([...heads, ...shards.flat()]);
  }

  /** Positions by SKU and location (BatchGetItem of the heads, then of their extra shards). */
  async getPositions(
    wanted: readonly { sku: string; locationId: string }[],
    consistent = true,
  ): Promise<Map<string, StockPosition>> {
    const unique = new Map(wanted.map((w) => [positionKey(w.sku, w.locationId), w]));
    const heads = await this.batchGet(
      [...unique.values()].map((w) => keys.stockItem(w.sku, w.locationId)),
      consistent,
    );
    const shardKeys = heads.flatMap((h) =>
      Array.from({ length: (h.shardCount ?? 1) - 1 }, (_, i) => keys.stockItem(h.sku, h.locationId, i + 1)),
    );
    const shards = shardKeys.length > 0 ? await this.batchGet(shardKeys, consistent) : [];
    return new Map(assemble([...heads, ...shards]).map((p) => [positionKey(p.sku, p.locationId), p]));
  }

  // ------------------------------------------------------------------------------------------------
  // Stock update batches

  /** The record of a stock update batch (GetItem). */
  async getStockUpdate(updateId: string): Promise<StockUpdateRecord | undefined> {
    const item = await this.table.get(keys.stockUpdate(updateId));
    return item ? stockUpdateRecordSchema.parse(strip(item)) : undefined;
  }

  /** Registers a batch before its first write; returns the existing record when the id is known. */
  async startStockUpdate(record: StockUpdateRecord): Promise<StockUpdateRecord> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.stockUpdate(record.updateId),
            entityType: ENTITY.stockUpdate,
            ...record,
            expiresAt: Math.floor(Date.parse(record.createdAt) / 1000) + STOCK_UPDATE_RETENTION_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return record;
    } catch (error) {
      if (isConditionFailure(error)) {
        const existing = await this.getStockUpdate(record.updateId);
        if (existing) return existing;
      }
      rethrowStorageError(error);
    }
  }

  /**
   * Applies lines [from, to) of a batch in ONE transaction: their stock writes plus the batch record's
   * cursor moving from `from` to `to`. A repeat of the chunk (a crashed or concurrent twin request) finds
   * the cursor moved and writes nothing; a concurrent change of a position's onHand makes it "stale".
   */
  async applyStockChunk(
    updateId: string,
    from: number,
    to: number,
    plans: readonly StockPlan[],
    ignored: readonly { line: number; reason: string }[],
    at: string,
  ): Promise<ChunkOutcome> {
    const cursor: TransactItem = {
      Update: {
        TableName: this.tableName,
        Key: keys.stockUpdate(updateId),
        UpdateExpression:
          "SET nextLine = :to, applied = applied + :applied, ignored = list_append(ignored, :ignored)",
        ConditionExpression: "nextLine = :from",
        ExpressionAttributeValues: {
          ":from": from,
          ":to": to,
          ":applied": plans.length,
          ":ignored": ignored,
        },
      },
    };
    const writes = plans.flatMap((plan) => this.planWrites(plan, at));
    try {
      if (writes.length === 0) {
        await this.db.send(
          new UpdateCommand(cursor.Update as ConstructorParameters<typeof UpdateCommand>[0]),
        );
      } else {
        await this.transact([cursor, ...writes]);
      }
      return "applied";
    } catch (error) {
      if (isConditionFailure(error)) return "cursor-moved";
      const reasons = transactionReasons(error);
      if (reasons?.[0] === "ConditionalCheckFailed") return "cursor-moved";
      if (reasons?.includes("ConditionalCheckFailed")) return "stale";
      rethrowStorageError(error);
    }
  }

  /** Marks a batch done (its answer is then replayed to repeats). */
  async finishStockUpdate(updateId: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.stockUpdate(updateId),
          UpdateExpression: "SET #status = :done, completedAt = :at",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":done": "DONE", ":at": at },
        }),
      );
    } catch (error) {
      rethrowStorageError(error);
    }
  }

  /** The conditional writes of one position's plan (see domain/inventory/stock.ts). */
  private planWrites(plan: StockPlan, at: string): TransactItem[] {
    return plan.changes.map((change): TransactItem => {
      const key = keys.stockItem(plan.sku, plan.locationId, change.shard);
      const isHead = change.shard === 0;
      if (change.create) {
        return {
          Put: {
            TableName: this.tableName,
            Item: {
              ...key,
              entityType: ENTITY.stock,
              sku: plan.sku,
              locationId: plan.locationId,
              shard: change.shard,
              onHand: change.onHandDelta,
              reserved: 0,
              safetyStock: isHead ? plan.head.safetyStock : 0,
              available: change.availableDelta,
              ...(isHead
                ? {
                    shardCount: plan.head.shardCount,
                    ...(plan.head.lowStockThreshold === undefined
                      ? {}
                      : { lowStockThreshold: plan.head.lowStockThreshold }),
                    ...(plan.head.snapshotAt === undefined ? {} : { snapshotAt: plan.head.snapshotAt }),
                  }
                : {}),
              updatedAt: at,
            },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        };
      }
      const sets = ["onHand = onHand + :d", "available = available + :a", "updatedAt = :at"];
      const conditions = ["onHand = :expectOnHand"];
      const values: Record<string, unknown> = {
        ":d": change.onHandDelta,
        ":a": change.availableDelta,
        ":at": at,
        ":expectOnHand": change.expectOnHand,
      };
      if (isHead) {
        sets.push("safetyStock = :s", "shardCount = :n");
        conditions.push("safetyStock = :expectSafety");
        Object.assign(values, {
          ":s": plan.head.safetyStock,
          ":n": plan.head.shardCount,
          ":expectSafety": plan.head.expectSafetyStock,
        });
        if (plan.head.lowStockThreshold !== undefined) {
          sets.push("lowStockThreshold = :t");
          values[":t"] = plan.head.lowStockThreshold;
        }
        if (plan.head.snapshotAt !== undefined) {
          sets.push("snapshotAt = :snap");
          values[":snap"] = plan.head.snapshotAt;
        }
        if (plan.head.requireSnapshotBefore !== undefined) {
          // Out-of-order delivery: a count older than the applied one (or a movement it already
          // includes) must not win a race with it. Timestamps are normalised ISO-8601 UTC, so they sort.
          conditions.push("(attribute_not_exists(snapshotAt) OR snapshotAt < :before)");
          values[":before"] = plan.head.requireSnapshotBefore;
        }
      }
      return {
        Update: {
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeValues: values,
        },
      };
    });
  }

  // ------------------------------------------------------------------------------------------------
  // Reservations

  /**
   * Reserves: puts the reservation item (absent, or released before) and takes each part from its shard
   * (`available >= q`), in one transaction.
   */
  async reserve(reservation: Reservation): Promise<ReserveOutcome> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.reservation(reservation.orderId, reservation.lineId, reservation.locationId),
            entityType: ENTITY.reservation,
            ...reservation,
          },
          ConditionExpression: "attribute_not_exists(pk) OR #status = :released",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":released": "RELEASED" },
        },
      },
      ...reservation.parts.map(
        (part): TransactItem => ({
          Update: {
            TableName: this.tableName,
            Key: keys.stockItem(reservation.sku, reservation.locationId, part.shard),
            UpdateExpression: "SET reserved = reserved + :q, available = available - :q, updatedAt = :at",
            ConditionExpression: "available >= :q",
            ExpressionAttributeValues: { ":q": part.quantity, ":at": reservation.updatedAt },
          },
        }),
      ),
    ];
    try {
      await this.transact(items);
      return { outcome: "reserved" };
    } catch (error) {
      const reasons = transactionReasons(error);
      if (reasons?.[0] === "ConditionalCheckFailed") {
        const existing = await this.getReservation(
          reservation.orderId,
          reservation.lineId,
          reservation.locationId,
        );
        if (existing && existing.status !== "RELEASED") return { outcome: "exists", reservation: existing };
        throw new TransientError(
          `reservation ${reservation.orderId}/${reservation.lineId} changed meanwhile`,
        );
      }
      if (reasons?.includes("ConditionalCheckFailed")) return { outcome: "insufficient" };
      rethrowStorageError(error);
    }
  }

  /** One reservation (GetItem). */
  async getReservation(
    orderId: string,
    lineId: string,
    locationId: string,
  ): Promise<Reservation | undefined> {
    const item = await this.table.get(keys.reservation(orderId, lineId, locationId));
    return item ? reservationSchema.parse(strip(item)) : undefined;
  }

  /** An order's reservations (Query `ORDER#<id>` begins_with RES#). */
  async listReservations(orderId: string): Promise<Reservation[]> {
    const page = await this.table.query({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.order(orderId).pk, ":prefix": keys.reservationPrefix },
      ConsistentRead: true,
    });
    return (page.Items ?? []).map((item) => reservationSchema.parse(strip(item)));
  }

  /** Gives the units back (ACTIVE -> RELEASED, shards' reserved down, available up). False if not active. */
  async release(reservation: Reservation, reason: ReleaseReason, at: string): Promise<boolean> {
    return this.settle(
      reservation,
      "RELEASED",
      at,
      reason,
      "reserved = reserved - :q, available = available + :q",
    );
  }

  /** Shipped (ACTIVE -> CONSUMED): the units leave onHand and reserved; available is unchanged. */
  async consume(reservation: Reservation, at: string): Promise<boolean> {
    return this.settle(
      reservation,
      "CONSUMED",
      at,
      undefined,
      "reserved = reserved - :q, onHand = onHand - :q",
    );
  }

  private async settle(
    reservation: Reservation,
    status: "RELEASED" | "CONSUMED",
    at: string,
    reason: ReleaseReason | undefined,
    stockUpdate: string,
  ): Promise<boolean> {
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.reservation(reservation.orderId, reservation.lineId, reservation.locationId),
          UpdateExpression: `SET #status = :status, updatedAt = :at${reason ? ", releaseReason = :reason" : ""}`,
          // The same holding as read: a reservation released and taken again meanwhile (same key, maybe
          // other shards) must not be settled with the parts of the old one.
          ConditionExpression: "#status = :active AND quantity = :quantity AND parts = :parts",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":status": status,
            ":active": "ACTIVE",
            ":quantity": reservation.quantity,
            ":parts": reservation.parts,
            ":at": at,
            ...(reason ? { ":reason": reason } : {}),
          },
        },
      },
      ...reservation.parts.map(
        (part): TransactItem => ({
          Update: {
            TableName: this.tableName,
            Key: keys.stockItem(reservation.sku, reservation.locationId, part.shard),
            UpdateExpression: `SET ${stockUpdate}, updatedAt = :at`,
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":q": part.quantity, ":at": at },
          },
        }),
      ),
    ];
    try {
      await this.transact(items);
      return true;
    } catch (error) {
      if (transactionReasons(error)?.[0] === "ConditionalCheckFailed") return false;
      rethrowStorageError(error);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Availability read model (one item per SKU, maintained from the table stream)

  /**
   * An availability look-up's reads in ONE BatchGetItem (eventually consistent): the channel, the
   * location directory's version (the cached location list is reused while it holds) and, per SKU, what
   * channels see at each location.
   */
  async readForAvailability(
    channelId: string,
    skus: readonly string[],
  ): Promise<{
    channel: Channel | undefined;
    locations: Location[];
    levels: Map<string, Map<string, number>>;
  }> {
    const channelKey = keys.channel(channelId);
    const directoryKey = keys.locationDirectory();
    const items = await this.batchGetItems(
      [channelKey, directoryKey, ...skus.map((sku) => keys.availability(sku))],
      false,
    );
    let channel: Channel | undefined;
    let version = 0;
    const levels = new Map<string, Map<string, number>>();
    for (const item of items) {
      if (item.pk === channelKey.pk && item.sk === channelKey.sk) channel = channelSchema.parse(strip(item));
      else if (item.pk === directoryKey.pk && item.sk === directoryKey.sk)
        version = Number(item.version ?? 0);
      else {
        const record = availabilityItemSchema.parse(item);
        levels.set(record.sku, new Map(Object.entries(levelsSchema.parse(JSON.parse(record.levels)))));
      }
    }
    const locations =
      this.directory !== undefined && this.directory.version >= version
        ? this.directory.locations
        : await this.listLocations();
    return { channel, locations, levels };
  }

  /**
   * Merges what channels now see of a SKU at some locations into its read model: read, merge, put
   * conditional on the version read (the stream relay is nearly the only writer; a lost race re-reads).
   */
  async putAvailability(
    sku: string,
    levels: readonly { locationId: string; available: number }[],
    at: string,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.table.get(keys.availability(sku));
      const record = current ? availabilityItemSchema.parse(current) : undefined;
      const merged = record ? levelsSchema.parse(JSON.parse(record.levels)) : {};
      for (const level of levels) merged[level.locationId] = level.available;
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...keys.availability(sku),
              entityType: ENTITY.availability,
              sku,
              levels: JSON.stringify(merged),
              version: (record?.version ?? 0) + 1,
              updatedAt: at,
            },
            ConditionExpression: record ? "version = :v" : "attribute_not_exists(pk)",
            ...(record ? { ExpressionAttributeValues: { ":v": record.version } } : {}),
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= CONFLICT_ATTEMPTS) rethrowStorageError(error);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Low-stock alert state (read and written by the inventory event relay)

  /** Whether inventory.low is currently announced for a SKU at a location (GetItem). */
  async isLowAnnounced(sku: string, locationId: string): Promise<boolean> {
    return Boolean((await this.table.get(keys.stockAlert(sku, locationId)))?.low);
  }

  async setLowAnnounced(sku: string, locationId: string, low: boolean, at: string): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.stockAlert(sku, locationId),
            entityType: ENTITY.stockAlert,
            sku,
            locationId,
            low,
            at,
          },
        }),
      );
    } catch (error) {
      rethrowStorageError(error);
    }
  }

  // ------------------------------------------------------------------------------------------------

  /** TransactWriteItems, retried with jitter while it loses only to concurrent transactions. */
  private async transact(items: TransactItem[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        const reasons = transactionReasons(error);
        const conflictOnly =
          (reasons?.includes("TransactionConflict") && !reasons.includes("ConditionalCheckFailed")) ||
          (error as Error).name === "TransactionConflictException";
        if (!conflictOnly || attempt >= CONFLICT_ATTEMPTS) throw error;
        await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
      }
    }
  }

  private async queryAll(pk: string, consistent: boolean): Promise<z.infer<typeof stockItemSchema>[]> {
    const items: z.infer<typeof stockItemSchema>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": pk, ":prefix": keys.stockPrefix },
        ConsistentRead: consistent,
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) items.push(stockItemSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async batchGet(
    wanted: Record<string, string>[],
    consistent: boolean,
  ): Promise<z.infer<typeof stockItemSchema>[]> {
    return (await this.batchGetItems(wanted, consistent)).map((item) => stockItemSchema.parse(item));
  }

  private async batchGetItems(
    wanted: Record<string, string>[],
    consistent: boolean,
  ): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    const chunks: Record<string, string>[][] = [];
    for (let i = 0; i < wanted.length; i += BATCH_GET) chunks.push(wanted.slice(i, i + BATCH_GET));
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending: Record<string, unknown>[] = chunk;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 8) throw new TransientError("DynamoDB left keys unprocessed; try again");
          if (attempt > 0) await sleep(Math.random() * 20 * 2 ** attempt);
          try {
            const res = await this.db.send(
              new BatchGetCommand({
                RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } },
              }),
            );
            found.push(...(res.Responses?.[this.tableName] ?? []));
            pending = res.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
          } catch (error) {
            rethrowStorageError(error);
          }
        }
      }),
    );
    return found;
  }
}

/** Stock items (heads and shards, any order) -> positions. A shard without its head is ignored. */
function assemble(items: readonly z.infer<typeof stockItemSchema>[]): StockPosition[] {
  type StockItem = z.infer<typeof stockItemSchema>;
  const byKey = new Map<string, { head?: StockItem; shards: Map<number, StockShard> }>();
  for (const item of items) {
    const key = positionKey(item.sku, item.locationId);
    const entry: { head?: StockItem; shards: Map<number, StockShard> } = byKey.get(key) ?? {
      shards: new Map(),
    };
    if (item.shard === 0) entry.head = item;
    entry.shards.set(item.shard, {
      shard: item.shard,
      onHand: item.onHand,
      reserved: item.reserved,
      safetyStock: item.safetyStock,
      available: item.available,
    });
    byKey.set(key, entry);
  }
  const positions: StockPosition[] = [];
  for (const { head, shards } of byKey.values()) {
    if (!head) continue;
    const count = head.shardCount ?? 1;
    positions.push({
      sku: head.sku,
      locationId: head.locationId,
      shards: Array.from({ length: count }, (_, i) => shards.get(i) ?? emptyShard(i)),
      lowStockThreshold: head.lowStockThreshold,
      snapshotAt: head.snapshotAt,
    });
  }
  return positions;
}

/** Drops the storage-only attributes before a domain schema parses an item. */
function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, entityType: _e, expiresAt: _x, ...rest } = item;
  return rest;
}
