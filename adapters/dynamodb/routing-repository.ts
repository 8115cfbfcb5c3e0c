// Routing storage over the single table, one function per access pattern (docs/access-patterns.md):
// rule set heads (one partition, read by routing in one Query) and versions (a published version is
// never written again: every write of a version is conditional on DRAFT), capacity used per location
// and shipping day, the routing trace and the manual routing task beside the order. A routing decision
// (order status + events + trace + task + capacity use) is ONE transaction, conditional on the order
// version that was read.
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import type { OrderEvent } from "../../domain/events/order-events.ts";
import type { Order } from "../../domain/order/order.ts";
import type { CapacityUse } from "../../domain/routing/dose.ts";
import { capacityKey } from "../../domain/routing/dose.ts";
import {
  type RoutingTask,
  type RoutingTaskStatus,
  routingTaskSchema,
} from "../../domain/routing/routing-task.ts";
import {
  type RuleSetHead,
  type RuleSetVersion,
  ruleSetHeadSchema,
  ruleSetVersionSchema,
} from "../../domain/routing/rule-set.ts";
import { ConflictError, TransientError } from "../../domain/shared/errors.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { orderTransitionItems } from "./order-repository.ts";
import { isConditionFailure, rethrowStorageError, transactionReasons } from "./storage-errors.ts";
import { TableAccess } from "./table-access.ts";
import { ENTITY, keys, tableDesign } from "./table-design.ts";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** A trace above this many bytes of JSON is compacted (the item limit is 400 KB). */
export const MAX_TRACE_BYTES = 300_000;

const traceItemSchema = z.object({
  orderId: z.string(),
  at: z.string(),
  trace: z.string(),
  compacted: z.boolean(),
});

export interface StoredTrace {
  orderId: string;
  at: string;
  trace: unknown;
  compacted: boolean;
}

export interface RoutingWrite {
  /** The decision's trace (any JSON; compacted when large). */
  trace?: unknown;
  capacityUse?: readonly { locationId: string; date: string; orders: number; units: number }[];
  /** A new task (put, must not exist) or a resolved one (put, must be OPEN). */
  task?: { task: RoutingTask; expect: "new" | "open" };
}

export interface RoutingRepositoryOptions {
  /** How long routing may serve the rule sets from memory (0 = always read). */
  ruleSetCacheMs?: number;
}

export class RoutingRepository {
  private readonly table: TableAccess;
  private heads: { value: RuleSetHead[]; until: number } | undefined;
  private readonly ruleSetCacheMs: number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: RoutingRepositoryOptions = {},
  ) {
    this.table = new TableAccess(db, tableName);
    this.ruleSetCacheMs = options.ruleSetCacheMs ?? 0;
  }

  // ------------------------------------------------------------------------------------------------
  // Rule sets

  /** Every rule set head (Query `RULESETS`); routing serves it from memory for ruleSetCacheMs. */
  async listRuleSets(cached = false): Promise<RuleSetHead[]> {
    if (cached && this.heads && this.heads.until > Date.now()) return this.heads.value;
    const heads: RuleSetHead[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.ruleSet("").pk, ":prefix": keys.ruleSetPrefix },
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) heads.push(ruleSetHeadSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    if (this.ruleSetCacheMs > 0) this.heads = { value: heads, until: Date.now() + this.ruleSetCacheMs };
    return heads;
  }

  async getRuleSet(ruleSetId: string): Promise<RuleSetHead | undefined> {
    const item = await this.table.get(keys.ruleSet(ruleSetId));
    return item ? ruleSetHeadSchema.parse(item) : undefined;
  }

  async getRuleSetVersion(ruleSetId: string, version: number): Promise<RuleSetVersion | undefined> {
    const item = await this.table.get(keys.ruleSetVersion(ruleSetId, version));
    return item ? ruleSetVersionSchema.parse(item) : undefined;
  }

  /** A rule set's versions, oldest first (Query `RULESET#<id>` begins_with V#). */
  async listRuleSetVersions(ruleSetId: string): Promise<RuleSetVersion[]> {
    const versions: RuleSetVersion[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: {
          ":pk": keys.ruleSetVersion(ruleSetId, 1).pk,
          ":prefix": keys.ruleSetVersionPrefix,
        },
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) versions.push(ruleSetVersionSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return versions;
  }

  /** A new rule set: its head and draft version 1; ConflictError RULE_SET_EXISTS when the id is taken. */
  async createRuleSet(head: RuleSetHead, first: RuleSetVersion): Promise<void> {
    try {
      await this.send([
        {
          Put: {
            TableName: this.tableName,
            Item: headItem(head),
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: versionItem(first),
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
      ]);
    } catch (error) {
      if (transactionReasons(error)?.[0] === "ConditionalCheckFailed") {
        throw new ConflictError("RULE_SET_EXISTS", `rule set ${head.ruleSetId} exists`, "ruleSetId");
      }
      rethrowStorageError(error);
    }
  }

  /** A new draft version after `previousLatest` (conditional on it: two concurrent creations -> 409). */
  async addRuleSetVersion(version: RuleSetVersion, previousLatest: number): Promise<void> {
    try {
      await this.send([
        {
          Update: {
            TableName: this.tableName,
            Key: keys.ruleSet(version.ruleSetId),
            UpdateExpression: "SET latestVersion = :v, updatedAt = :at",
            ConditionExpression: "latestVersion = :prev",
            ExpressionAttributeValues: {
              ":v": version.version,
              ":at": version.createdAt,
              ":prev": previousLatest,
            },
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: versionItem(version),
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
      ]);
    } catch (error) {
      if (transactionReasons(error)?.includes("ConditionalCheckFailed")) {
        throw new ConflictError(
          "RULE_SET_CHANGED",
          `rule set ${version.ruleSetId} got a new version meanwhile; read it again`,
          "ruleSetId",
        );
      }
      rethrowStorageError(error);
    }
  }

  /** Replaces a draft; a published version is never written (ConflictError RULE_SET_VERSION_PUBLISHED). */
  async saveDraft(version: RuleSetVersion): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: versionItem(version),
                ConditionExpression: "attribute_exists(pk) AND #status = :draft",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: { ":draft": "DRAFT" },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (transactionReasons(error)?.[0] === "ConditionalCheckFailed" || isConditionFailure(error)) {
        throw publishedConflict(version.ruleSetId, version.version);
      }
      rethrowStorageError(error);
    }
  }

  /**
   * Publishes a draft: the version becomes immutable and the head points routing at it (only forward:
   * an older draft than the published version is refused), in one transaction.
   */
  async publish(version: RuleSetVersion, at: string): Promise<void> {
    try {
      await this.send([
        {
          Update: {
            TableName: this.tableName,
            Key: keys.ruleSetVersion(version.ruleSetId, version.version),
            UpdateExpression: "SET #status = :published, publishedAt = :at, updatedAt = :at",
            ConditionExpression: "#status = :draft",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: { ":published": "PUBLISHED", ":draft": "DRAFT", ":at": at },
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: keys.ruleSet(version.ruleSetId),
            UpdateExpression: "SET publishedVersion = :v, published = :definition, updatedAt = :at",
            ConditionExpression: "attribute_not_exists(publishedVersion) OR publishedVersion < :v",
            ExpressionAttributeValues: {
              ":v": version.version,
              ":definition": version.definition,
              ":at": at,
            },
          },
        },
      ]);
    } catch (error) {
      const reasons = transactionReasons(error);
      if (reasons?.[0] === "ConditionalCheckFailed")
        throw publishedConflict(version.ruleSetId, version.version);
      if (reasons?.[1] === "ConditionalCheckFailed") {
        throw new ConflictError(
          "RULE_SET_VERSION_OUTDATED",
          `rule set ${version.ruleSetId} has a newer published version than ${version.version}`,
          "version",
        );
      }
      rethrowStorageError(error);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Capacity

  /** Capacity used on the given shipping days (one Query per day, `CAPACITY#<date>`). */
  async capacityUse(dates: readonly string[]): Promise<CapacityUse> {
    const use: Record<string, { orders: number; units: number }> = {};
    await Promise.all(
      [...new Set(dates)].map(async (date) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await this.table.query({
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": keys.capacityUse(date, "").pk },
            ExclusiveStartKey: startKey,
          });
          for (const item of page.Items ?? []) {
            use[capacityKey(String(item.locationId), date)] = {
              orders: Number(item.orders ?? 0),
              units: Number(item.units ?? 0),
            };
          }
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }),
    );
    return use;
  }

  // ------------------------------------------------------------------------------------------------
  // Routing decisions, traces and tasks

  /**
   * Writes a routing decision: the order (conditional on the version it was derived from) and its
   * events, the trace, the task, the capacity use. A concurrent writer -> TransientError (retry re-reads);
   * a task that is no longer open -> ConflictError ROUTING_TASK_CLOSED.
   */
  async saveRouting(
    previousVersion: number,
    order: Order,
    events: OrderEvent[],
    write: RoutingWrite,
  ): Promise<void> {
    const items: TransactItem[] = orderTransitionItems(this.tableName, previousVersion, order, events);
    if (write.trace !== undefined)
      items.push({ Put: { TableName: this.tableName, Item: traceItem(order, write.trace) } });
    if (write.task) {
      const { task, expect } = write.task;
      items.push({
        Put: {
          TableName: this.tableName,
          Item: taskItem(task),
          // A new task may replace a closed one: routing again after a location rejected (re-allocation).
          ...(expect === "new"
            ? {
                ConditionExpression: "attribute_not_exists(pk) OR #status <> :open",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: { ":open": "OPEN" },
              }
            : {
                ConditionExpression: "#status = :open",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: { ":open": "OPEN" },
              }),
        },
      });
    }
    for (const use of write.capacityUse ?? []) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: keys.capacityUse(use.date, use.locationId),
          UpdateExpression:
            "ADD orders :o, units :u SET entityType = :type, locationId = :loc, #date = :date",
          ExpressionAttributeNames: { "#date": "date" },
          ExpressionAttributeValues: {
            ":o": use.orders,
            ":u": use.units,
            ":type": ENTITY.capacityUse,
            ":loc": use.locationId,
            ":date": use.date,
          },
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = transactionReasons(error);
      const taskIndex = write.task ? 1 + events.length + (write.trace === undefined ? 0 : 1) : -1;
      if (taskIndex >= 0 && reasons?.[taskIndex] === "ConditionalCheckFailed") {
        throw new ConflictError(
          "ROUTING_TASK_CLOSED",
          `the routing task of order ${order.orderId} is not open`,
          "taskId",
        );
      }
      if (reasons?.includes("ConditionalCheckFailed") || isConditionFailure(error)) {
        throw new TransientError(`order ${order.orderId} changed concurrently (version ${previousVersion})`, {
          orderId: order.orderId,
        });
      }
      rethrowStorageError(error);
    }
  }

  /** The order's last routing trace (GetItem `ORDER#<id>` / ROUTING). */
  async getTrace(orderId: string): Promise<StoredTrace | undefined> {
    const item = await this.table.get(keys.routingTrace(orderId));
    if (!item) return undefined;
    const stored = traceItemSchema.parse(item);
    return { ...stored, trace: JSON.parse(stored.trace) as unknown };
  }

  async getTask(taskId: string): Promise<RoutingTask | undefined> {
    const item = await this.table.get(keys.routingTask(taskId));
    return item ? routingTaskSchema.parse(item) : undefined;
  }

  /** Tasks in a status, oldest first, one page (Query byStatus `ROUTINGTASK#<status>`). */
  async listTasks(filter: {
    status: RoutingTaskStatus;
    limit: number;
    cursor?: string | undefined;
  }): Promise<{
    items: Pick<
      RoutingTask,
      "taskId" | "orderId" | "merchantId" | "channelId" | "status" | "createdAt" | "updatedAt"
    >[];
    nextCursor?: string;
  }> {
    const index = tableDesign.indexes.byStatus;
    const page = await this.table.query({
      IndexName: index.indexName,
      KeyConditionExpression: `${index.partitionKey} = :pk`,
      ExpressionAttributeValues: { ":pk": taskIndexKey(filter.status) },
      Limit: filter.limit,
      ExclusiveStartKey: filter.cursor ? decodeCursor(filter.cursor) : undefined,
    });
    // The index projects the order summary attributes: the task's status sits in `status`.
    const items = (page.Items ?? []).map((item) => ({
      taskId: String(item.orderId),
      orderId: String(item.orderId),
      merchantId: String(item.merchantId),
      channelId: String(item.channelId),
      status: item.status as RoutingTaskStatus,
      createdAt: String(item.createdAt),
      updatedAt: String(item.updatedAt),
    }));
    return page.LastEvaluatedKey ? { items, nextCursor: encodeCursor(page.LastEvaluatedKey) } : { items };
  }

  private async send(items: TransactItem[]): Promise<void> {
    await this.db.send(new TransactWriteCommand({ TransactItems: items }));
  }
}

const taskIndexKey = (status: RoutingTaskStatus) => `ROUTINGTASK#${status}`;

function publishedConflict(ruleSetId: string, version: number): ConflictError {
  return new ConflictError(
    "RULE_SET_VERSION_PUBLISHED",
    `rule set ${ruleSetId} version ${version} is published (or does not exist as a draft) and cannot change; create a new version`,
    "version",
    { ruleSetId, version },
  );
}

function headItem(head: RuleSetHead): Record<string, unknown> {
  return { ...keys.ruleSet(head.ruleSetId), entityType: ENTITY.ruleSet, ...head };
}

function versionItem(version: RuleSetVersion): Record<string, unknown> {
  return {
    ...keys.ruleSetVersion(version.ruleSetId, version.version),
    entityType: ENTITY.ruleSetVersion,
    ...version,
  };
}

function taskItem(task: RoutingTask): Record<string, unknown> {
  return {
    ...keys.routingTask(task.orderId),
    entityType: ENTITY.routingTask,
    gsi2pk: taskIndexKey(task.status),
    gsi2sk: `${task.createdAt}#${task.orderId}`,
    ...task,
  };
}

/** The trace as one JSON string; above MAX_TRACE_BYTES its location lists shrink to counts. */
function traceItem(order: Order, trace: unknown): Record<string, unknown> {
  let json = JSON.stringify(trace);
  let compacted = false;
  if (json.length > MAX_TRACE_BYTES) {
    compacted = true;
    json = JSON.stringify(trace, (key, value) =>
      (key === "locationIds" || key === "candidates" || key === "notMatched") && Array.isArray(value)
        ? { count: value.length, first: value.slice(0, 5) }
        : value,
    );
    if (json.length > MAX_TRACE_BYTES)
      json = JSON.stringify({ summary: (trace as { summary?: unknown }).summary });
  }
  return {
    ...keys.routingTrace(order.orderId),
    entityType: ENTITY.routingTrace,
    orderId: order.orderId,
    at: order.updatedAt,
    trace: json,
    compacted,
  };
}
