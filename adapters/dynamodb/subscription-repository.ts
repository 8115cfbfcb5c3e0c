// Merchant event subscriptions, their dead letters and the merchant event index over the single table:
// one function per access pattern (docs/access-patterns.md, patterns 24-31). Subscription writes are
// conditional on the version read, so a pause, resume or rotation never overwrites another.
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../../domain/shared/errors.ts";
import {
  type DeadLetter,
  type DeliverableEvent,
  deadLetterSchema,
  deliverableEventSchema,
  type Subscription,
  subscriptionSchema,
} from "../../domain/subscriptions/subscription.ts";
import { isConditionFailure, rethrowStorageError } from "./storage-errors.ts";
import { TableAccess } from "./table-access.ts";
import { ENTITY, keys, tableDesign } from "./table-design.ts";

/** Dead letters are kept as long as SQS keeps messages (14 days), then TTL deletes them. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

export class SubscriptionRepository {
  private readonly table: TableAccess;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new TableAccess(db, tableName);
  }

  /** 24. Create a subscription (its id is new: the put is conditional on no item). */
  async createSubscription(subscription: Subscription): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(subscription),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError("SUBSCRIPTION_EXISTS", "subscription id taken", "subscriptionId");
      }
      rethrowStorageError(error);
    }
  }

  /** 25. A merchant's subscription (strongly consistent: deliveries see a pause or rotation at once). */
  async getSubscription(merchantId: string, subscriptionId: string): Promise<Subscription | undefined> {
    const item = await this.table.get(keys.subscription(merchantId, subscriptionId));
    return item ? subscriptionSchema.parse(item) : undefined;
  }

  /** 26. A merchant's subscriptions, oldest first (ids are time-ordered). */
  async listSubscriptions(merchantId: string): Promise<Subscription[]> {
    const result: Subscription[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: {
          ":pk": keys.subscription(merchantId, "").pk,
          ":prefix": keys.subscriptionPrefix,
        },
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) result.push(subscriptionSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return result;
  }

  /** 27. Replace a subscription if nobody changed it since `readVersion` (its version is bumped). */
  async saveSubscription(subscription: Subscription, readVersion: number): Promise<Subscription> {
    const saved = { ...subscription, version: readVersion + 1 };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(saved),
          ConditionExpression: "version = :read",
          ExpressionAttributeValues: { ":read": readVersion },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(
          "SUBSCRIPTION_CHANGED",
          "the subscription changed meanwhile (or was deleted); read it again and repeat",
          "subscriptionId",
        );
      }
      rethrowStorageError(error);
    }
    return saved;
  }

  async deleteSubscription(merchantId: string, subscriptionId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: keys.subscription(merchantId, subscriptionId) }),
      );
    } catch (error) {
      rethrowStorageError(error);
    }
  }

  /**
   * 28. While paused, the delivery path skipped an event of `occurredAt`: the backlog starts no later
   * (one conditional update; a no-op when the subscription is active again or already starts earlier).
   */
  async noteSkipped(merchantId: string, subscriptionId: string, occurredAt: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.subscription(merchantId, subscriptionId),
          UpdateExpression: "SET backlogFrom = :t",
          ConditionExpression:
            "#status = :paused AND (attribute_not_exists(backlogFrom) OR backlogFrom > :t)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":t": occurredAt, ":paused": "PAUSED" },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      rethrowStorageError(error);
    }
  }

  /** 29. Record a delivery that ran out of retries (idempotent: same id, same item). */
  async putDeadLetter(letter: DeadLetter): Promise<void> {
    const expiresAt = Math.floor(Date.parse(letter.deadLetteredAt) / 1000) + DEAD_LETTER_RETENTION_SECONDS;
    await this.table.put({
      ...keys.deadLetter(letter.subscriptionId, letter.deadLetterId),
      entityType: ENTITY.deadLetter,
      [tableDesign.timeToLiveAttribute]: expiresAt,
      ...letter,
    });
  }

  /** 30. A subscription's dead letters, oldest first. */
  async listDeadLetters(subscriptionId: string): Promise<DeadLetter[]> {
    const result: DeadLetter[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: {
          ":pk": keys.deadLetter(subscriptionId, "").pk,
          ":prefix": keys.deadLetterPrefix,
        },
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) result.push(deadLetterSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return result;
  }

  async deleteDeadLetter(subscriptionId: string, deadLetterId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: keys.deadLetter(subscriptionId, deadLetterId) }),
      );
    } catch (error) {
      rethrowStorageError(error);
    }
  }

  /**
   * 31. A merchant's order events with from <= occurredAt < to, oldest first, at most `limit` (the
   * merchantEvents index; eventually consistent, as every GSI read).
   */
  async listMerchantEvents(
    merchantId: string,
    from: string,
    to: string,
    limit: number,
  ): Promise<{ events: DeliverableEvent[]; truncated: boolean }> {
    const index = tableDesign.indexes.merchantEvents;
    const events: DeliverableEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        IndexName: index.indexName,
        KeyConditionExpression: `${index.partitionKey} = :pk AND ${index.sortKey} BETWEEN :from AND :to`,
        ExpressionAttributeValues: {
          ":pk": keys.merchantEvents(merchantId, "", "").gsi3pk,
          ":from": from,
          // "#" sorts before every id character, so ":to#" excludes events at exactly `to`.
          ":to": `${to}#`,
        },
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) {
        if (events.length >= limit) return { events, truncated: true };
        // Any type in the catalogue: only the envelope is checked, the event passes through as stored.
        events.push(deliverableEventSchema.parse(item.event));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { events, truncated: false };
  }

  private item(subscription: Subscription): Record<string, unknown> {
    return {
      ...keys.subscription(subscription.merchantId, subscription.subscriptionId),
      entityType: ENTITY.subscription,
      ...subscription,
    };
  }
}
