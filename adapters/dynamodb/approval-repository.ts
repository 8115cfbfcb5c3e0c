// Approval storage over the single table (docs/access-patterns.md): a channel's approval reasons, an
// order's approvals (one item per reason, in the order's partition), third parties' callback ids, and
// the open approvals by status (sparse on the byStatus index). Every change of an approval is written
// with the order (version-checked) and the event recording it in ONE transaction: no approval changes
// without its event, and none twice.
import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import {
  type Approval,
  type ApprovalStatus,
  approvalSchema,
  isOpen,
} from "../../domain/approval/approval.ts";
import { type ApprovalConfig, approvalConfigSchema } from "../../domain/approval/approval-reasons.ts";
import type { OrderEvent } from "../../domain/events/order-events.ts";
import type { Order } from "../../domain/order/order.ts";
import { ConflictError, TransientError } from "../../domain/shared/errors.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { orderTransitionItems } from "./order-repository.ts";
import { isConditionFailure, rethrowStorageError, transactionReasons } from "./storage-errors.ts";
import { TableAccess } from "./table-access.ts";
import { ENTITY, keys, tableDesign } from "./table-design.ts";

/** An approval to write: new (`previousVersion` undefined) or changed from the version that was read. */
export interface ApprovalWrite {
  approval: Approval;
  previousVersion?: number | undefined;
}

export interface OpenApprovalSummary {
  orderId: string;
  reasonId: string;
  status: ApprovalStatus;
  dueAt: string;
}

function approvalItem(approval: Approval): Record<string, unknown> {
  return {
    ...keys.approval(approval.orderId, approval.reasonId),
    entityType: ENTITY.approval,
    // Sparse: only open approvals are on the index (operators' work list).
    ...(isOpen(approval)
      ? keys.approvalByStatus(approval.status, approval.dueAt, approval.orderId, approval.reasonId)
      : {}),
    ...approval,
  };
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, entityType: _e, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest;
}

export class ApprovalRepository {
  private readonly table: TableAccess;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new TableAccess(db, tableName);
  }

  /** A channel's approval reasons (undefined: none configured). */
  async getApprovalConfig(channelId: string): Promise<ApprovalConfig | undefined> {
    const item = await this.table.get(keys.approvalConfig(channelId));
    return item ? approvalConfigSchema.parse(strip(item)) : undefined;
  }

  /** Replaces a channel's approval reasons, conditional on the version read (0: none stored yet). */
  async putApprovalConfig(config: ApprovalConfig, previousVersion: number): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.approvalConfig(config.channelId), entityType: ENTITY.approvalConfig, ...config },
          ...(previousVersion === 0
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "version = :v", ExpressionAttributeValues: { ":v": previousVersion } }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(
          "APPROVAL_REASONS_CHANGED",
          `the approval reasons of channel ${config.channelId} changed meanwhile; read them again and repeat`,
        );
      }
      rethrowStorageError(error);
    }
  }

  async getApproval(orderId: string, reasonId: string): Promise<Approval | undefined> {
    const item = await this.table.get(keys.approval(orderId, reasonId));
    return item ? approvalSchema.parse(strip(item)) : undefined;
  }

  /** An order's approvals (one Query in its partition). */
  async listApprovals(orderId: string): Promise<Approval[]> {
    const page = await this.table.query({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.order(orderId).pk, ":prefix": keys.approvalPrefix },
    });
    return (page.Items ?? []).map((item) => approvalSchema.parse(strip(item)));
  }

  /** Which approval a third party's callback id answers. */
  async getCallback(callbackId: string): Promise<{ orderId: string; reasonId: string } | undefined> {
    const item = await this.table.get(keys.approvalCallback(callbackId), false);
    return item ? { orderId: String(item.orderId), reasonId: String(item.reasonId) } : undefined;
  }

  /** Open approvals in a status, soonest due first, one page at a time (byStatus index, sparse). */
  async listOpenApprovals(
    status: ApprovalStatus,
    limit: number,
    cursor?: string,
  ): Promise<{ items: OpenApprovalSummary[]; nextCursor?: string }> {
    const index = tableDesign.indexes.byStatus;
    const page = await this.table.query({
      IndexName: index.indexName,
      KeyConditionExpression: `${index.partitionKey} = :pk`,
      ExpressionAttributeValues: { ":pk": `APPROVAL#${status}` },
      Limit: limit,
      ExclusiveStartKey: cursor ? decodeCursor(cursor) : undefined,
    });
    const items = (page.Items ?? []).map((item) => ({
      orderId: String(item.orderId),
      reasonId: String(item.sk).slice(keys.approvalPrefix.length),
      status,
      dueAt: String(item.gsi2sk).split("#")[0] ?? "",
    }));
    return page.LastEvaluatedKey ? { items, nextCursor: encodeCursor(page.LastEvaluatedKey) } : { items };
  }

  /**
   * One transaction: the order (conditional on the version it was derived from), its new events, the
   * approvals (new ones must not exist; changed ones must still have the version read) and new callback
   * ids. A concurrent writer makes it throw TransientError: the caller reads again and decides again.
   */
  async saveApprovalChange(
    previousOrderVersion: number,
    order: Order,
    events: OrderEvent[],
    approvals: ApprovalWrite[],
    callbacks: { callbackId: string; orderId: string; reasonId: string }[] = [],
  ): Promise<void> {
    const TableName = this.tableName;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            ...orderTransitionItems(TableName, previousOrderVersion, order, events),
            ...approvals.map(({ approval, previousVersion }) => ({
              Put: {
                TableName,
                Item: approvalItem(approval),
                ...(previousVersion === undefined
                  ? { ConditionExpression: "attribute_not_exists(pk)" }
                  : {
                      ConditionExpression: "version = :v",
                      ExpressionAttributeValues: { ":v": previousVersion },
                    }),
              },
            })),
            ...callbacks.map((c) => ({
              Put: {
                TableName,
                Item: { ...keys.approvalCallback(c.callbackId), entityType: ENTITY.approvalCallback, ...c },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            })),
          ],
        }),
      );
    } catch (error) {
      if (transactionReasons(error)?.includes("ConditionalCheckFailed") || isConditionFailure(error)) {
        throw new TransientError(`order ${order.orderId} or its approvals changed concurrently`, {
          orderId: order.orderId,
        });
      }
      rethrowStorageError(error);
    }
  }
}
