// Metadata of an order's documents: one item per document in the order's partition (`DOC#<documentId>`),
// written once (conditional put) after its file is stored, so a repeated documents step finds it and
// makes nothing twice. The files themselves live in a DocumentStore (S3, or the local data folder).
import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { documentKindSchema } from "../../domain/fulfillment/documents.ts";
import { isConditionFailure, rethrowStorageError } from "./storage-errors.ts";
import { TableAccess } from "./table-access.ts";
import { ENTITY, keys } from "./table-design.ts";

export const orderDocumentSchema = z.object({
  orderId: z.string(),
  documentId: z.string(),
  kind: documentKindSchema,
  locationId: z.string(),
  /** Where the file is in the document store. */
  key: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  bytes: z.number().int().positive(),
  /** Hex SHA-256 of the file: what was stored is what is served. */
  sha256: z.string(),
  createdAt: z.string(),
});
export type OrderDocument = z.infer<typeof orderDocumentSchema>;

export class DocumentRepository {
  private readonly table: TableAccess;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new TableAccess(db, tableName);
  }

  /** Records a stored document; false when it was recorded before (the first record stays). */
  async recordDocument(document: OrderDocument): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.orderDocument(document.orderId, document.documentId),
            entityType: ENTITY.orderDocument,
            ...orderDocumentSchema.parse(document),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      rethrowStorageError(error);
    }
  }

  /** An order's documents, by id (Query on the order partition, DOC# prefix). */
  async listDocuments(orderId: string): Promise<OrderDocument[]> {
    const documents: OrderDocument[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: {
          ":pk": keys.orderDocument(orderId, "").pk,
          ":prefix": keys.orderDocumentPrefix,
        },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      });
      for (const item of page?.Items ?? []) documents.push(orderDocumentSchema.parse(item));
      startKey = page?.LastEvaluatedKey;
    } while (startKey);
    return documents;
  }
}
