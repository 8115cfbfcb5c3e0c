// The project's Lambda function: a NodejsFunction with the defaults every OMS handler shares (current
// Node.js runtime on ARM64, active X-Ray tracing, its own log group, a minified ESM bundle with source
// maps) and least-privilege binding helpers. Its role carries no managed policy: it may write to its own
// log group, send traces, and whatever the bind* helpers add, nothing else.
import { Duration, Stack, Validations } from "aws-cdk-lib";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import { Effect, type IRole, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { CfnBucket } from "aws-cdk-lib/aws-s3";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { FunctionDeclaration } from "../../app/app-declaration.ts";
import { fromRepoRoot, repoRoot } from "../paths.ts";
import { subscriptionRuleArnPattern } from "../queues/delivery-queues.ts";
import type { DocumentAccess, DocumentsBucket } from "../storage/documents-bucket.ts";
import type { OrdersTable, TableAccess } from "../storage/orders-table.ts";

export interface OmsFunctionProps {
  declaration: FunctionDeclaration;
  environment: Record<string, string>;
}

export class OmsFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: OmsFunctionProps) {
    super(scope, id);
    const { declaration } = props;

    this.logGroup = new LogGroup(this, "Logs", { retention: RetentionDays.ONE_MONTH });

    // An explicit role instead of the default one with AWSLambdaBasicExecutionRole: that managed policy
    // lets the function write to every log group in the account.
    const role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `${declaration.description} (execution role)`,
    });
    this.logGroup.grantWrite(role);
    this.role = role;

    this.fn = new NodejsFunction(this, "Function", {
      entry: fromRepoRoot(declaration.entry),
      handler: declaration.handler,
      description: declaration.description,
      projectRoot: repoRoot,
      depsLockFilePath: fromRepoRoot("package-lock.json"),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: declaration.memoryMb,
      timeout: Duration.seconds(declaration.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        // Stack traces in CloudWatch point at the TypeScript sources, not the minified bundle.
        NODE_OPTIONS: "--enable-source-maps",
      },
      bundling: {
        format: OutputFormat.ESM,
        // Prefer packages' ES module builds so the bundle tree-shakes.
        mainFields: ["module", "main"],
        minify: true,
        sourceMap: true,
        // File and line mapping without embedding every source file: a much smaller asset to upload.
        sourcesContent: false,
        // Bundle the SDK the tests ran against instead of trusting the runtime's copy to match.
        bundleAwsSDK: true,
        // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
        banner:
          "import { createRequire as __omsCreateRequire } from 'node:module';const require = __omsCreateRequire(import.meta.url);",
      },
    });

    Validations.of(role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (Resource must be *)",
    });
  }

  get functionArn(): string {
    return this.fn.functionArn;
  }

  /** `read` or `readWrite` on the order table and its declared indexes. */
  bindTable(table: OrdersTable, access: TableAccess): void {
    table.grantAccess(this.fn, access);
  }

  /** states:StartExecution on exactly these state machine ARNs (composed from their names: see
   * stateMachineArnFromName in lib/workflows, which breaks the function <-> state machine cycle). */
  bindStartExecution(stateMachineArns: string[]): void {
    if (stateMachineArns.length === 0) return;
    this.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["states:StartExecution"],
        resources: stateMachineArns,
      }),
    );
  }

  /** sqs:SendMessage (and the queue's URL/attributes) on exactly these queues. */
  bindSendMessages(queues: IQueue[]): void {
    for (const queue of queues) queue.grantSendMessages(this.fn);
  }

  /**
   * Manage merchant subscription rules: the rule actions on `rule/oms-orders/oms-sub-*` only (no other
   * rule of the account), and iam:PassRole of the bus-target role to EventBridge alone.
   */
  bindSubscriptionRules(busTargetRole: IRole): void {
    this.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [
          "events:PutRule",
          "events:PutTargets",
          "events:RemoveTargets",
          "events:DeleteRule",
          "events:EnableRule",
          "events:DisableRule",
          "events:DescribeRule",
        ],
        resources: [subscriptionRuleArnPattern()],
      }),
    );
    this.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["iam:PassRole"],
        resources: [busTargetRole.roleArn],
        conditions: { StringEquals: { "iam:PassedToService": "events.amazonaws.com" } },
      }),
    );
    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/oms-orders/oms-sub-*]",
      reason:
        "Subscription rules are created at run time, one per merchant subscription; the grant is limited to the oms-sub- prefix on the order bus",
    });
  }

  /** events:PutEvents on exactly these buses. */
  bindPutEvents(buses: IEventBus[]): void {
    for (const bus of buses) bus.grantPutEventsTo(this.fn);
  }

  /** GetObject (and PutObject for readWrite) on the document keys of the documents bucket. */
  bindDocuments(documents: DocumentsBucket, access: DocumentAccess): void {
    documents.grantAccess(this.fn, access);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(documents.bucket.node.defaultChild as CfnBucket)}.Arn>/orders/*]`,
      reason:
        "Document keys are orders/<orderId>/<locationId>/<kind>.pdf, made per order at run time: the grant is limited to the documents' prefix and to GetObject/PutObject",
    });
  }
}
