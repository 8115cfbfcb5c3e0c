// The single-table design, declared once: key attributes, the indexes (each named for the access pattern
// it serves), and one key builder per entity. The CDK table, the local table and docs/access-patterns.md
// all follow this file.

export const tableDesign = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Epoch seconds; DynamoDB TTL deletes idempotency records after their retention. */
  timeToLiveAttribute: "expiresAt",
  /** The outbox relay reads new event items from the stream. */
  streamView: "NEW_IMAGE",
  indexes: {
    /** Orders of a sales channel, newest first (GET /orders?channel=). */
    byChannel: {
      indexName: "byChannel",
      partitionKey: "gsi1pk",
      sortKey: "gsi1sk",
      projection: [
        "orderId",
        "merchantId",
        "channelId",
        "channelOrderRef",
        "status",
        "createdAt",
        "updatedAt",
        "total",
        "currency",
      ],
    },
    /** Orders in a status, most recently changed first (GET /orders?status=, operators' EXCEPTION list). */
    byStatus: {
      indexName: "byStatus",
      partitionKey: "gsi2pk",
      sortKey: "gsi2sk",
      projection: [
        "orderId",
        "merchantId",
        "channelId",
        "channelOrderRef",
        "status",
        "createdAt",
        "updatedAt",
        "total",
        "currency",
      ],
    },
  },
} as const;

export type IndexName = keyof typeof tableDesign.indexes;

export const ENTITY = {
  order: "Order",
  orderEvent: "OrderEvent",
  idempotency: "Idempotency",
  channelOrderRef: "ChannelOrderRef",
  channel: "Channel",
  location: "Location",
  stock: "Stock",
} as const;

const pad = (n: number): string => String(n).padStart(8, "0");

export const keys = {
  order: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: "ORDER" }),
  /** Events sort after the order inside its partition: one Query returns the order's history in sequence. */
  orderEvent: (orderId: string, sequence: number) => ({
    pk: `ORDER#${orderId}`,
    sk: `EVENT#${pad(sequence)}`,
  }),
  orderEventPrefix: "EVENT#",
  idempotency: (channelId: string, key: string) => ({
    pk: `IDEMPOTENCY#${channelId}#${key}`,
    sk: "IDEMPOTENCY",
  }),
  /** One item per (channel, channel order number): the conditional put that makes the number unique. */
  channelOrderRef: (channelId: string, ref: string) => ({
    pk: `ORDERREF#${channelId}#${ref}`,
    sk: "ORDERREF",
  }),
  channel: (channelId: string) => ({ pk: `CHANNEL#${channelId}`, sk: "CHANNEL" }),
  location: (locationId: string) => ({ pk: `LOCATION#${locationId}`, sk: "LOCATION" }),
  /** A location's count of one SKU, beside the location (the inventory issue builds on it). */
  stock: (locationId: string, sku: string) => ({ pk: `LOCATION#${locationId}`, sk: `STOCK#${sku}` }),
  byChannel: (channelId: string, createdAt: string, orderId: string) => ({
    gsi1pk: `CHANNEL#${channelId}`,
    gsi1sk: `${createdAt}#${orderId}`,
  }),
  byStatus: (status: string, updatedAt: string, orderId: string) => ({
    gsi2pk: `STATUS#${status}`,
    gsi2sk: `${updatedAt}#${orderId}`,
  }),
};
