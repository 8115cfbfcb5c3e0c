// The single-table design, declared once: key attributes, the indexes (each named for the access pattern
// it serves), and one key builder per entity. The CDK table, the local table and docs/access-patterns.md
// all follow this file.

/** What a listing shows of an order: both order indexes project exactly these attributes. */
const ORDER_SUMMARY = [
  "orderId",
  "merchantId",
  "channelId",
  "channelOrderRef",
  "status",
  "createdAt",
  "updatedAt",
  "total",
  "currency",
] as const;

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
      projection: ORDER_SUMMARY,
    },
    /** Orders in a status, most recently changed first (GET /orders?status=, operators' EXCEPTION list). */
    byStatus: {
      indexName: "byStatus",
      partitionKey: "gsi2pk",
      sortKey: "gsi2sk",
      projection: ORDER_SUMMARY,
    },
    /**
     * A merchant's order events by time (subscription redelivery over a time range, backlog on resume).
     * Sparse: only event items carry its keys; the event itself is projected, so one Query answers.
     */
    merchantEvents: {
      indexName: "merchantEvents",
      partitionKey: "gsi3pk",
      sortKey: "gsi3sk",
      projection: ["event"],
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
  locationDirectory: "LocationDirectory",
  stock: "Stock",
  stockAlert: "StockAlert",
  availability: "Availability",
  stockUpdate: "StockUpdate",
  reservation: "Reservation",
  ruleSet: "RuleSet",
  ruleSetVersion: "RuleSetVersion",
  capacityUse: "CapacityUse",
  routingTrace: "RoutingTrace",
  routingTask: "RoutingTask",
  subscription: "Subscription",
  deadLetter: "DeadLetter",
  orderDocument: "OrderDocument",
  approvalConfig: "ApprovalConfig",
  approval: "Approval",
  approvalCallback: "ApprovalCallback",
  submission: "Submission",
  reservationHold: "ReservationHold",
} as const;

/** The byStatus partition of holds that have not ended yet. */
const RESERVATION_HOLD_DUE = "HOLD#DUE";

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
  /** All locations share one partition: one Query lists them (a few thousand small, rarely written items). */
  location: (locationId: string) => ({ pk: "LOCATIONS", sk: `LOCATION#${locationId}` }),
  locationPrefix: "LOCATION#",
  /** Bumped with every location write: readers keep the list cached until it changes. */
  locationDirectory: () => ({ pk: "LOCATIONS", sk: "DIRECTORY" }),
  /**
   * One SKU at one location, shard `shard`. The head (shard 0) sits under `SKU#<sku>`, so one Query
   * returns the SKU at every location; extra shards of a hot SKU get partitions of their own
   * (`SKU#<sku>#S<n>`), since items sharing a partition key share its ~1,000 writes/s.
   */
  stockItem: (sku: string, locationId: string, shard = 0) => ({
    pk: shard === 0 ? `SKU#${sku}` : `SKU#${sku}#S${shard}`,
    sk: `LOC#${locationId}`,
  }),
  stockPrefix: "LOC#",
  /**
   * A SKU's availability read model: what channels see at each location (`levels`, JSON), written by the
   * inventory event relay from the table stream. One BatchGetItem answers an availability look-up for
   * many SKUs across hundreds of locations. A partition of its own: the read traffic of a hot SKU's
   * look-ups does not share a partition with the writes of its reservations.
   */
  availability: (sku: string) => ({ pk: `AVAIL#${sku}`, sk: "AVAILABILITY" }),
  /** Whether inventory.low was last announced for a SKU at a location (not a Stock item: no stream echo). */
  stockAlert: (sku: string, locationId: string) => ({ pk: `SKU#${sku}`, sk: `ALERT#${locationId}` }),
  /** A stock update batch: its request hash (idempotency), progress cursor and answer. */
  stockUpdate: (updateId: string) => ({ pk: `STOCKUPDATE#${updateId}`, sk: "STOCKUPDATE" }),
  /** Units of an order line held at a location; in the order's partition, beside its events. */
  reservation: (orderId: string, lineId: string, locationId: string) => ({
    pk: `ORDER#${orderId}`,
    sk: `RES#${lineId}#${locationId}`,
  }),
  reservationPrefix: "RES#",
  /** Every rule set's head (latest and published version, a copy of the published definition): one
   * partition, so routing reads all rule sets in one Query. */
  ruleSet: (ruleSetId: string) => ({ pk: "RULESETS", sk: `RULESET#${ruleSetId}` }),
  ruleSetPrefix: "RULESET#",
  /** One version of a rule set (drafts editable, published immutable). */
  ruleSetVersion: (ruleSetId: string, version: number) => ({
    pk: `RULESET#${ruleSetId}`,
    sk: `V#${pad(version)}`,
  }),
  ruleSetVersionPrefix: "V#",
  /** Orders and units a location was assigned for one shipping day; one partition per day. */
  capacityUse: (date: string, locationId: string) => ({ pk: `CAPACITY#${date}`, sk: `LOC#${locationId}` }),
  /** The order's last routing decision explained (DOSE trace), beside the order. */
  routingTrace: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: "ROUTING" }),
  /** The order's manual routing task; listed through byStatus under `ROUTINGTASK#<status>`. */
  routingTask: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: "TASK#ROUTING" }),
  /** A document made for an order (its file lives in the document store); in the order's partition. */
  orderDocument: (orderId: string, documentId: string) => ({
    pk: `ORDER#${orderId}`,
    sk: `DOC#${documentId}`,
  }),
  orderDocumentPrefix: "DOC#",
  /** A channel's approval reasons, beside its configuration. */
  approvalConfig: (channelId: string) => ({ pk: `CHANNEL#${channelId}`, sk: "APPROVALS" }),
  /** One approval reason's approval of an order, in the order's partition. */
  approval: (orderId: string, reasonId: string) => ({ pk: `ORDER#${orderId}`, sk: `APPROVAL#${reasonId}` }),
  approvalPrefix: "APPROVAL#",
  /** A third party's callback id -> the approval it answers (an unguessable capability). */
  approvalCallback: (callbackId: string) => ({ pk: `APPROVALCALLBACK#${callbackId}`, sk: "CALLBACK" }),
  /** Approvals in a status on the byStatus index (operators' lists of open and escalated approvals). */
  approvalByStatus: (status: string, dueAt: string, orderId: string, reasonId: string) => ({
    gsi2pk: `APPROVAL#${status}`,
    gsi2sk: `${dueAt}#${orderId}#${reasonId}`,
  }),
  /** One location's part of an order (per submit round), in the order's partition. */
  submission: (orderId: string, locationId: string, round: number) => ({
    pk: `ORDER#${orderId}`,
    sk: `SUBMISSION#${locationId}#${pad(round)}`,
  }),
  submissionPrefix: "SUBMISSION#",
  /**
   * Parts awaiting a location's answer on the byStatus index (sparse: OPEN and OVERDUE only), soonest due
   * first: a polling location's work list, and the overdue sweep's query (gsi2sk < now).
   */
  submissionByStatus: (
    locationId: string,
    status: string,
    dueAt: string,
    orderId: string,
    round: number,
  ) => ({
    gsi2pk: `SUBMISSION#${locationId}#${status}`,
    gsi2sk: `${dueAt}#${orderId}#${pad(round)}`,
  }),
  /** A stuck order's reservation hold, one per stuck episode (the instant it got stuck), beside the order. */
  reservationHold: (orderId: string, exceptionAt: string) => ({
    pk: `ORDER#${orderId}`,
    sk: `HOLD#${exceptionAt}`,
  }),
  reservationHoldPrefix: "HOLD#",
  reservationHoldDuePartition: RESERVATION_HOLD_DUE,
  /**
   * Holds not yet ended on the byStatus index (sparse: removed when the sweep ends the hold), soonest due
   * first: the hold sweep's query (gsi2sk < now).
   */
  reservationHoldDue: (dueAt: string, orderId: string) => ({
    gsi2pk: RESERVATION_HOLD_DUE,
    gsi2sk: `${dueAt}#${orderId}`,
  }),
  byChannel: (channelId: string, createdAt: string, orderId: string) => ({
    gsi1pk: `CHANNEL#${channelId}`,
    gsi1sk: `${createdAt}#${orderId}`,
  }),
  /** A merchant's event subscriptions share the merchant's partition: one Query lists them. */
  subscription: (merchantId: string, subscriptionId: string) => ({
    pk: `MERCHANT#${merchantId}`,
    sk: `SUB#${subscriptionId}`,
  }),
  subscriptionPrefix: "SUB#",
  /** A webhook delivery that ran out of retries; a partition per subscription, oldest first. */
  deadLetter: (subscriptionId: string, deadLetterId: string) => ({
    pk: `SUB#${subscriptionId}`,
    sk: `DEADLETTER#${deadLetterId}`,
  }),
  deadLetterPrefix: "DEADLETTER#",
  merchantEvents: (merchantId: string, occurredAt: string, eventId: string) => ({
    gsi3pk: `MERCHANT#${merchantId}`,
    gsi3sk: `${occurredAt}#${eventId}`,
  }),
  byStatus: (status: string, updatedAt: string, orderId: string) => ({
    gsi2pk: `STATUS#${status}`,
    gsi2sk: `${updatedAt}#${orderId}`,
  }),
};
