// Order storage over the single table: one function per access pattern (see docs/access-patterns.md).
// Every status change writes the order and its outbox event in one transaction, conditional on the
// version that was read, so a status never changes without its event and never twice.
import {
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { detailTypeOf, type OrderEvent, orderEventSchema } from "../../domain/events/order-events.ts";
import { type Location, locationSchema } from "../../domain/inventory/location.ts";
import { type Channel, channelSchema } from "../../domain/order/channel.ts";
import { type Order, type OrderStatus, orderSchema } from "../../domain/order/order.ts";
import { ConflictError, TransientError } from "../../domain/shared/errors.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { isConditionFailure, rethrowStorageError, transactionReasons } from "./storage-errors.ts";
import { TableAccess } from "./table-access.ts";
import { ENTITY, keys, tableDesign } from "./table-design.ts";

export interface IdempotencyRecord {
  channelId: string;
  key: string;
  requestHash: string;
  orderId: string;
  createdAt: string;
}

export interface OrderSummary {
  orderId: string;
  merchantId: string;
  channelId: string;
  channelOrderRef: string;
  status: OrderStatus;
  createdAt: string;
  updatedAt: string;
  total: number;
  currency: string;
}

const IDEMPOTENCY_RETENTION_SECONDS = 7 * 24 * 3600;

export function orderItem(order: Order): Record<string, unknown> {
  return {
    ...keys.order(order.orderId),
    entityType: ENTITY.order,
    ...keys.byChannel(order.channelId, order.createdAt, order.orderId),
    ...keys.byStatus(order.status, order.updatedAt, order.orderId),
    ...order,
  };
}

/**
 * The writes of one order transition inside a transaction: the order, conditional on the version it was
 * read at, and its new events (outbox items that must not exist yet). Steps that write more (routing,
 * approvals) add their own items beside these.
 */
export function orderTransitionItems(
  tableName: string,
  previousVersion: number,
  order: Order,
  events: OrderEvent[],
) {
  return [
    {
      Put: {
        TableName: tableName,
        Item: orderItem(order),
        ConditionExpression: "version = :v",
        ExpressionAttributeValues: { ":v": previousVersion },
      },
    },
    ...events.map((event) => ({
      Put: { TableName: tableName, Item: eventItem(event), ConditionExpression: "attribute_not_exists(pk)" },
    })),
  ];
}

export function eventItem(event: OrderEvent): Record<string, unknown> {
  return {
    ...keys.orderEvent(event.orderId, event.sequence),
    entityType: ENTITY.orderEvent,
    ...keys.merchantEvents(event.merchantId, event.occurredAt, event.eventId),
    eventId: event.eventId,
    detailType: detailTypeOf(event),
    occurredAt: event.occurredAt,
    event,
  };
}

export interface OrderRepositoryOptions {
  /**
   * How long a channel's configuration may be served from memory (0 = always read). Every order reads
   * its channel in capture and in each step; a warm function reads it once per interval instead.
   */
  channelCacheMs?: number;
}

export class OrderRepository {
  private readonly channels: Map<string, { channel: Channel | undefined; until: number }> = new Map();
  private readonly channelCacheMs: number;

  private readonly table: TableAccess;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: OrderRepositoryOptions = {},
  ) {
    this.table = new TableAccess(db, tableName);
    this.channelCacheMs = options.channelCacheMs ?? 0;
  }

  /** Channel configuration by id (from memory for up to channelCacheMs). */
  async getChannel(channelId: string): Promise<Channel | undefined> {
    const cached = this.channels.get(channelId);
    if (cached && cached.until > Date.now()) return cached.channel;
    const item = await this.table.get(keys.channel(channelId), false);
    const channel = item ? channelSchema.parse(strip(item)) : undefined;
    if (this.channelCacheMs > 0)
      this.channels.set(channelId, { channel, until: Date.now() + this.channelCacheMs });
    return channel;
  }

  /** Fulfillment location by id (written through the inventory repository, which versions the list). */
  async getLocation(locationId: string): Promise<Location | undefined> {
    const item = await this.table.get(keys.location(locationId));
    return item ? locationSchema.parse(strip(item)) : undefined;
  }

  async putChannel(channel: Channel): Promise<void> {
    await this.table.put({ ...keys.channel(channel.channelId), entityType: ENTITY.channel, ...channel });
  }

  /** The order with its positions, timeline and exception (one GetItem). */
  async getOrder(orderId: string, consistent = true): Promise<Order | undefined> {
    const item = await this.table.get(keys.order(orderId), consistent);
    return item ? orderSchema.parse(item) : undefined;
  }

  /** The stored answer for an Idempotency-Key of a channel. */
  async getIdempotencyRecord(channelId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const item = await this.table.get(keys.idempotency(channelId, key));
    if (!item) return undefined;
    return {
      channelId,
      key,
      requestHash: String(item.requestHash),
      orderId: String(item.orderId),
      createdAt: String(item.createdAt),
    };
  }

  /** Which order holds a channel's order number, and the hash of the request that created it. */
  async getChannelOrderRef(
    channelId: string,
    ref: string,
  ): Promise<{ orderId: string; requestHash: string } | undefined> {
    const item = await this.table.get(keys.channelOrderRef(channelId, ref));
    return item ? { orderId: String(item.orderId), requestHash: String(item.requestHash) } : undefined;
  }

  /**
   * Capture: order (with positions), its order.created event, the channel-order-number claim and the
   * idempotency record in ONE transaction. Throws ConflictError naming what already existed.
   */
  async captureOrder(
    order: Order,
    event: OrderEvent,
    requestHash: string,
    idempotencyKey?: string,
  ): Promise<void> {
    const expiresAt = Math.floor(Date.parse(order.createdAt) / 1000) + IDEMPOTENCY_RETENTION_SECONDS;
    const notExists = "attribute_not_exists(pk)";
    const items = [
      { Put: { TableName: this.tableName, Item: orderItem(order), ConditionExpression: notExists } },
      { Put: { TableName: this.tableName, Item: eventItem(event), ConditionExpression: notExists } },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.channelOrderRef(order.channelId, order.channelOrderRef),
            entityType: ENTITY.channelOrderRef,
            orderId: order.orderId,
            requestHash,
          },
          ConditionExpression: notExists,
        },
      },
    ];
    if (idempotencyKey) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.idempotency(order.channelId, idempotencyKey),
            entityType: ENTITY.idempotency,
            requestHash,
            orderId: order.orderId,
            createdAt: order.createdAt,
            expiresAt,
          },
          ConditionExpression: notExists,
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = transactionReasons(error);
      if (reasons?.[3] === "ConditionalCheckFailed") {
        throw new ConflictError("IDEMPOTENCY_RACE", "a request with this Idempotency-Key is being processed");
      }
      if (reasons?.[2] === "ConditionalCheckFailed") {
        throw new ConflictError(
          "DUPLICATE_CHANNEL_ORDER_REF",
          `channel ${order.channelId} already submitted order ${order.channelOrderRef}`,
          "channelOrderRef",
        );
      }
      rethrowStorageError(error);
    }
  }

  /**
   * Writes a status change: the new order state (conditional on the version it was derived from) and its
   * event, atomically. A concurrent writer makes this throw TransientError, so the task is retried and
   * re-reads.
   */
  async saveTransition(previousVersion: number, order: Order, events: OrderEvent[]): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: orderTransitionItems(this.tableName, previousVersion, order, events),
        }),
      );
    } catch (error) {
      if (transactionReasons(error)?.includes("ConditionalCheckFailed") || isConditionFailure(error)) {
        throw new TransientError(`order ${order.orderId} changed concurrently (version ${previousVersion})`, {
          orderId: order.orderId,
        });
      }
      rethrowStorageError(error);
    }
  }

  /** The order's events in sequence (its full history; the outbox). */
  async listOrderEvents(orderId: string): Promise<OrderEvent[]> {
    const events: OrderEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.order(orderId).pk, ":prefix": keys.orderEventPrefix },
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) events.push(orderEventSchema.parse(item.event));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }

  /** Orders by channel (newest first) or by status (most recently changed first), one page at a time. */
  async listOrders(filter: {
    status?: OrderStatus;
    channelId?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ items: OrderSummary[]; nextCursor?: string }> {
    const useChannel = filter.channelId !== undefined;
    const index = useChannel ? tableDesign.indexes.byChannel : tableDesign.indexes.byStatus;
    const pkValue = useChannel
      ? keys.byChannel(filter.channelId ?? "", "", "").gsi1pk
      : `STATUS#${filter.status}`;
    const input: Omit<QueryCommandInput, "TableName"> = {
      IndexName: index.indexName,
      KeyConditionExpression: `${index.partitionKey} = :pk`,
      ExpressionAttributeValues: { ":pk": pkValue },
      ScanIndexForward: false,
      Limit: filter.limit,
      ExclusiveStartKey: filter.cursor ? decodeCursor(filter.cursor) : undefined,
    };
    if (useChannel && filter.status) {
      input.FilterExpression = "#status = :status";
      input.ExpressionAttributeNames = { "#status": "status" };
      input.ExpressionAttributeValues = { ...input.ExpressionAttributeValues, ":status": filter.status };
    }
    const page = await this.table.query(input);
    const items = (page.Items ?? []).map((item) => ({
      orderId: String(item.orderId),
      merchantId: String(item.merchantId),
      channelId: String(item.channelId),
      channelOrderRef: String(item.channelOrderRef),
      status: item.status as OrderStatus,
      createdAt: String(item.createdAt),
      updatedAt: String(item.updatedAt),
      total: Number(item.total),
      currency: String(item.currency),
    }));
    return page.LastEvaluatedKey ? { items, nextCursor: encodeCursor(page.LastEvaluatedKey) } : { items };
  }

  /**
   * Up to `limit` order ids of a channel (byChannel, received in [from, to), newest first) or in a status
   * (byStatus, filtered on createdAt); with both, the channel's index filtered on status. Read-only: the
   * routing simulation selects its orders with it.
   */
  async selectOrderIds(filter: {
    channelId?: string | undefined;
    status?: OrderStatus | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    /** Oldest first (the routing wave takes the longest-waiting orders when there are more). */
    oldestFirst?: boolean;
    /** Status index only: orders last changed before this instant (a key condition there). */
    updatedBefore?: string;
  }): Promise<string[]> {
    const useChannel = filter.channelId !== undefined;
    const index = useChannel ? tableDesign.indexes.byChannel : tableDesign.indexes.byStatus;
    const values: Record<string, unknown> = {
      ":pk": useChannel ? keys.byChannel(filter.channelId ?? "", "", "").gsi1pk : `STATUS#${filter.status}`,
    };
    const names: Record<string, string> = {};
    const filters: string[] = [];
    let keyCondition = `${index.partitionKey} = :pk`;
    if (!useChannel && filter.updatedBefore) {
      keyCondition += ` AND ${index.sortKey} < :before`;
      values[":before"] = filter.updatedBefore;
    }
    // The channel index sorts by `<createdAt>#<orderId>`: the window is a key condition there.
    if (useChannel && (filter.from || filter.to)) {
      keyCondition += ` AND ${index.sortKey} BETWEEN :lo AND :hi`;
      values[":lo"] = filter.from ?? "";
      values[":hi"] = filter.to ?? "\uffff";
    } else if (filter.from || filter.to) {
      names["#createdAt"] = "createdAt";
      filters.push("#createdAt BETWEEN :lo AND :hi");
      values[":lo"] = filter.from ?? "";
      values[":hi"] = filter.to ?? "\uffff";
    }
    if (useChannel && filter.status) {
      names["#status"] = "status";
      filters.push("#status = :status");
      values[":status"] = filter.status;
    }
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        IndexName: index.indexName,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeValues: values,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ...(filters.length > 0 ? { FilterExpression: filters.join(" AND ") } : {}),
        ScanIndexForward: filter.oldestFirst === true,
        Limit: filter.limit,
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) {
        // `to` is exclusive (the BETWEEN above is not).
        if (filter.to && String(item.createdAt) >= filter.to) continue;
        if (ids.length < filter.limit) ids.push(String(item.orderId));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && ids.length < filter.limit);
    return ids;
  }
}

/** Drops the storage-only attributes (keys, entity type) before a domain schema parses an item. */
function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, entityType: _e, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest;
}
