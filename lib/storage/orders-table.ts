// The single order table, provisioned from the table design in the app declaration: pk/sk, one GSI per
// declared access-pattern index (INCLUDE projection of exactly the declared attributes), the TTL
// attribute, the stream the outbox relay reads, and the table-level grants functions bind to.
import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from "aws-cdk-lib/aws-dynamodb";
import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { table as tableDeclaration } from "../../app/app-declaration.ts";

export type TableAccess = "read" | "readWrite";

// Table-level actions only: the stream actions (GetRecords...) belong to the stream consumer's event
// source mapping, which grants them on the stream ARN itself.
const READ_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:ConditionCheckItem",
  "dynamodb:DescribeTable",
];
// TransactWriteItems has no action of its own: it is authorised per item by these.
const WRITE_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
];

export class OrdersTable extends Construct {
  readonly table: Table;
  /** One ARN per declared index (not `index/*`), so a grant names exactly what the design declares. */
  private readonly indexArns: string[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const design = tableDeclaration.design;

    this.table = new Table(this, "Table", {
      // No tableName: CloudFormation names it (the declaration's name is the local home's), so two
      // stacks can share an account and a replacement never collides with the retained table.
      partitionKey: { name: design.partitionKey, type: AttributeType.STRING },
      sortKey: { name: design.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType[design.streamView],
      timeToLiveAttribute: design.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Orders are records of business: deleting the stack must never delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    for (const index of Object.values(design.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.projection],
      });
    }
    this.indexArns = Object.values(design.indexes).map(
      (index) => `${this.table.tableArn}/index/${index.indexName}`,
    );
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /** Grants exactly `read` (table + declared indexes) or `readWrite` (plus item writes on the table). */
  grantAccess(grantee: IGrantable, access: TableAccess): void {
    Grant.addToPrincipal({
      grantee,
      actions: READ_ACTIONS,
      resourceArns: [this.table.tableArn, ...this.indexArns],
    });
    if (access === "readWrite") {
      // Writes address the base table only; DynamoDB maintains the indexes itself.
      Grant.addToPrincipal({ grantee, actions: WRITE_ACTIONS, resourceArns: [this.table.tableArn] });
    }
  }
}
