// The declared queues (app/app-declaration.ts `queues`): each with its dead-letter queue (redrive after
// maxReceiveCount), SQS-managed encryption and TLS-only access, and a resource policy that lets
// EventBridge send to it only from merchant subscription rules (`oms-sub-*` on the order bus), which the
// subscription API creates at run time. Also the role EventBridge assumes to deliver a subscription's
// events to a merchant's own event bus in another account.
import { Aws, Duration, Validations } from "aws-cdk-lib";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  eventBuses,
  type QueueId,
  queues as queueDeclarations,
  SUBSCRIPTION_RULE_PREFIX,
} from "../../app/app-declaration.ts";
import { mapRecord } from "../map-record.ts";

/** Rules of merchant subscriptions on the order bus: what may send to the queues and what the API manages. */
export const subscriptionRuleArnPattern = (): string =>
  `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${eventBuses.orders.name}/${SUBSCRIPTION_RULE_PREFIX}*`;

export class DeliveryQueues extends Construct {
  readonly byId: Record<QueueId, Queue>;
  /** Assumed by EventBridge to put a subscription's events on a merchant's bus (cross-account). */
  readonly busTargetRole: Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.byId = mapRecord(queueDeclarations, (declaration, queueId) => {
      const deadLetters = new Queue(this, `${queueId}-dlq`, {
        queueName: declaration.deadLetterQueue.name,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(deadLetters).acknowledge({
        id: "AwsSolutions-SQS3",
        reason: `This queue IS the dead-letter queue of ${declaration.name}; a dead-letter queue of its own would only move the same messages once more`,
      });
      const queue = new Queue(this, queueId, {
        queueName: declaration.name,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(declaration.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetters, maxReceiveCount: declaration.deadLetterQueue.maxReceiveCount },
      });
      queue.addToResourcePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal("events.amazonaws.com")],
          actions: ["sqs:SendMessage"],
          resources: [queue.queueArn],
          conditions: { ArnLike: { "aws:SourceArn": subscriptionRuleArnPattern() } },
        }),
      );
      return queue;
    });

    this.busTargetRole = new Role(this, "SubscriptionBusTargetRole", {
      assumedBy: new ServicePrincipal("events.amazonaws.com"),
      description: "EventBridge puts merchant subscription events on the merchant's own event bus",
    });
    this.busTargetRole.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["events:PutEvents"],
        resources: [`arn:${Aws.PARTITION}:events:*:*:event-bus/*`],
      }),
    );
    Validations.of(this.busTargetRole).acknowledge({
      id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:*:*:event-bus/*]",
      reason:
        "Merchants name their own event buses (any account) at run time; each bus's resource policy decides whether this account may put events on it",
    });
  }
}
