// Reservation holds over the single table (docs/access-patterns.md): one small item per stuck episode in
// the order's partition (`HOLD#<exceptionAt>`), on the byStatus index under `HOLD#DUE` (sorted by due
// time) until the sweep ends it. It replaces a Standard "wait, then expire" execution per episode: a
// conditional put to start, one Query a minute to find what is due (docs/architecture.md, Departures).
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { newReservationHold, type ReservationHold } from "../../domain/inventory/reservation-hold.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { isConditionFailure, rethrowStorageError } from "./storage-errors.ts";
import { TableAccess } from "./table-access.ts";
import { ENTITY, keys, tableDesign } from "./table-design.ts";

/** How long an ended hold stays readable (it also makes a late repeated start a no-op), then TTL deletes it. */
const KEEP_ENDED_SECONDS = 30 * 24 * 3600;

/**
 * What the byStatus index returns of a hold: the table keys and the index keys (its projection adds
 * `orderId`). The episode is the sort key's suffix, the due time the index sort key's prefix.
 */
const dueItemSchema = z.object({
  pk: z.string(),
  sk: z.string().startsWith(keys.reservationHoldPrefix),
  gsi2sk: z.string(),
  orderId: z.string().min(1),
});

/** A due hold read back from the index. */
export function holdFromIndexItem(item: Record<string, unknown>): ReservationHold {
  const parsed = dueItemSchema.parse(item);
  const suffix = `#${parsed.orderId}`;
  if (!parsed.gsi2sk.endsWith(suffix)) throw new Error(`hold index key ${parsed.gsi2sk} is not the order's`);
  return {
    orderId: parsed.orderId,
    exceptionAt: parsed.sk.slice(keys.reservationHoldPrefix.length),
    dueAt: parsed.gsi2sk.slice(0, -suffix.length),
  };
}

/** Satisfies the use cases' ReservationHolds port (the timer the steps start, the store the sweep reads). */
export class DynamoDbReservationHolds {
  private readonly table: TableAccess;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new TableAccess(db, tableName);
  }

  /** Stores the episode's hold; the episode's item exists already (started, or even ended) -> no-op. */
  async startHold(orderId: string, exceptionAt: string, holdSeconds: number): Promise<void> {
    const hold = newReservationHold(orderId, exceptionAt, holdSeconds);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.reservationHold(orderId, exceptionAt),
            ...keys.reservationHoldDue(hold.dueAt, orderId),
            entityType: ENTITY.reservationHold,
            ...hold,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      rethrowStorageError(error);
    }
  }

  /** Holds due strictly before `now`, soonest first, one page (the sweep's query). */
  async listDue(
    now: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: ReservationHold[]; nextCursor?: string }> {
    const index = tableDesign.indexes.byStatus;
    const page = await this.table.query({
      IndexName: index.indexName,
      KeyConditionExpression: `${index.partitionKey} = :pk AND ${index.sortKey} < :now`,
      ExpressionAttributeValues: { ":pk": keys.reservationHoldDuePartition, ":now": now },
      Limit: limit,
      ExclusiveStartKey: cursor ? decodeCursor(cursor) : undefined,
    });
    const items = (page.Items ?? []).map(holdFromIndexItem);
    return page.LastEvaluatedKey ? { items, nextCursor: encodeCursor(page.LastEvaluatedKey) } : { items };
  }

  /**
   * Ends a hold: off the due index, with when and how many reservations it released; deleted by TTL
   * later. False when it had ended already (another sweep run was first).
   */
  async endHold(hold: ReservationHold, endedAt: string, released: number): Promise<boolean> {
    const index = tableDesign.indexes.byStatus;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.reservationHold(hold.orderId, hold.exceptionAt),
          UpdateExpression: `REMOVE ${index.partitionKey}, ${index.sortKey} SET endedAt = :at, released = :released, ${tableDesign.timeToLiveAttribute} = :ttl`,
          ConditionExpression: `attribute_exists(${index.partitionKey})`,
          ExpressionAttributeValues: {
            ":at": endedAt,
            ":released": released,
            ":ttl": Math.floor(Date.parse(endedAt) / 1000) + KEEP_ENDED_SECONDS,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      rethrowStorageError(error);
    }
  }
}
