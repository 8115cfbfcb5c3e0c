// CreateTable input for the single table, derived from the design: on-demand billing, the stream the
// outbox relay reads, and each index with the projection its access pattern needs. Used by the local
// runtime and the tests; the CDK stack builds the same table from the same design.
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { tableDesign } from "./table-design.ts";

export function createTableInput(tableName: string): CreateTableCommandInput {
  const d = tableDesign;
  const indexes = Object.values(d.indexes);
  const keyAttributes = [d.partitionKey, d.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: d.partitionKey, KeyType: "HASH" },
      { AttributeName: d.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" },
        { AttributeName: index.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: [...index.projection] },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: d.streamView },
  };
}
