// The single table's basic reads and writes with storage errors mapped into the OMS error family
// (throttling and service faults -> TransientError). Repositories build their access patterns on it.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { rethrowStorageError } from "./storage-errors.ts";

export class TableAccess {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get(key: Record<string, string>, consistent = true): Promise<Record<string, unknown> | undefined> {
    try {
      const res = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }),
      );
      return res.Item;
    } catch (error) {
      rethrowStorageError(error);
    }
  }

  async put(item: Record<string, unknown>): Promise<void> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
    } catch (error) {
      rethrowStorageError(error);
    }
  }

  async query(input: Omit<QueryCommandInput, "TableName">) {
    try {
      return await this.db.send(new QueryCommand({ TableName: this.tableName, ...input }));
    } catch (error) {
      rethrowStorageError(error);
    }
  }
}
