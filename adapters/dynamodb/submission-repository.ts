// Submission storage over the single table (docs/access-patterns.md): one item per location part of an
// order (per submit round) in the order's partition; parts awaiting an answer are also on the byStatus
// index under `SUBMISSION#<locationId>#<OPEN|OVERDUE>`, sorted by due time. Every change of a part that
// changes the order is written with the order (version-checked) and its events in ONE transaction.
import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { OrderEvent } from "../../domain/events/order-events.ts";
import { isAwaitingAnswer, type Submission, submissionSchema } from "../../domain/fulfillment/submission.ts";
import type { Order } from "../../domain/order/order.ts";
import { TransientError } from "../../domain/shared/errors.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { orderTransitionItems } from "./order-repository.ts";
import { isConditionFailure, rethrowStorageError, transactionReasons } from "./storage-errors.ts";
import { TableAccess } from "./table-access.ts";
import { ENTITY, keys, tableDesign } from "./table-design.ts";

/** A part to write: new (`previousVersion` undefined) or changed from the version that was read. */
export interface SubmissionWrite {
  submission: Submission;
  previousVersion?: number | undefined;
}

function submissionItem(s: Submission): Record<string, unknown> {
  return {
    ...keys.submission(s.orderId, s.locationId, s.round),
    entityType: ENTITY.submission,
    ...(isAwaitingAnswer(s)
      ? keys.submissionByStatus(s.locationId, s.status, s.dueAt, s.orderId, s.round)
      : {}),
    ...s,
  };
}

function parse(item: Record<string, unknown>): Submission {
  const { pk: _pk, sk: _sk, entityType: _e, gsi2pk: _a, gsi2sk: _b, ...rest } = item;
  return submissionSchema.parse(rest);
}

function writeOf(tableName: string, w: SubmissionWrite) {
  return {
    Put: {
      TableName: tableName,
      Item: submissionItem(w.submission),
      ...(w.previousVersion === undefined
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : { ConditionExpression: "version = :sv", ExpressionAttributeValues: { ":sv": w.previousVersion } }),
    },
  };
}

export class SubmissionRepository {
  private readonly table: TableAccess;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new TableAccess(db, tableName);
  }

  /** An order's parts, every round (one Query in its partition). */
  async listSubmissions(orderId: string): Promise<Submission[]> {
    const page = await this.table.query({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.order(orderId).pk, ":prefix": keys.submissionPrefix },
    });
    return (page.Items ?? []).map(parse);
  }

  /**
   * A location's parts in a status (OPEN or OVERDUE), soonest due first, one page; `dueBefore` keeps
   * only those due before that instant (the overdue sweep).
   */
  async listByLocation(
    locationId: string,
    status: "OPEN" | "OVERDUE",
    limit: number,
    options: { cursor?: string | undefined; dueBefore?: string | undefined } = {},
  ): Promise<{ items: Submission[]; nextCursor?: string }> {
    const index = tableDesign.indexes.byStatus;
    const page = await this.table.query({
      IndexName: index.indexName,
      KeyConditionExpression: `${index.partitionKey} = :pk${options.dueBefore ? ` AND ${index.sortKey} < :due` : ""}`,
      ExpressionAttributeValues: {
        ":pk": `SUBMISSION#${locationId}#${status}`,
        ...(options.dueBefore ? { ":due": options.dueBefore } : {}),
      },
      Limit: limit,
      ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor) : undefined,
    });
    // The index projects the keys; the parts themselves are read from the table (consistent).
    const read = await Promise.all(
      (page.Items ?? []).map((i) => this.table.get({ pk: String(i.pk), sk: String(i.sk) })),
    );
    const items = read
      .flatMap((item) => (item ? [parse(item)] : []))
      .filter((s) => s.status === status && s.locationId === locationId);
    return page.LastEvaluatedKey ? { items, nextCursor: encodeCursor(page.LastEvaluatedKey) } : { items };
  }

  /**
   * One transaction: the order (conditional on the version it was derived from), its new events and the
   * parts (new ones must not exist; changed ones must still have the version read). A concurrent writer
   * makes it throw TransientError: the caller reads again and decides again.
   */
  async saveOrderChange(
    previousVersion: number,
    order: Order,
    events: OrderEvent[],
    submissions: SubmissionWrite[],
  ): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            ...orderTransitionItems(this.tableName, previousVersion, order, events),
            ...submissions.map((w) => writeOf(this.tableName, w)),
          ],
        }),
      );
    } catch (error) {
      if (transactionReasons(error)?.includes("ConditionalCheckFailed") || isConditionFailure(error)) {
        throw new TransientError(`order ${order.orderId} or its submissions changed concurrently`, {
          orderId: order.orderId,
        });
      }
      rethrowStorageError(error);
    }
  }

  /** A part's own change (delivery progress), conditional on the version read. False: changed meanwhile. */
  async saveSubmission(w: SubmissionWrite): Promise<boolean> {
    try {
      await this.db.send(new PutCommand(writeOf(this.tableName, w).Put));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      rethrowStorageError(error);
    }
  }
}
