// Events, from the app declaration: the declared buses (OrderEventBuses, created before the functions,
// whose environment names the order bus) and what reacts to events (OrderEvents): each declared rule on
// its bus with Lambda targets, and each declared stream consumer on the table stream. Nothing is lost
// silently: every asynchronous path retries, then parks what still fails in an SQS dead-letter queue.
import { Duration, Validations } from "aws-cdk-lib";
import { type CfnRule, EventBus, type EventPattern, type IEventBus, Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { FilterCriteria, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  type EventBusId,
  eventBuses as eventBusDeclarations,
  type FunctionId,
  queueConsumers as queueConsumerDeclarations,
  rules as ruleDeclarations,
  streamConsumers as streamConsumerDeclarations,
} from "../../app/app-declaration.ts";
import type { AppFunctions } from "../functions/app-functions.ts";
import { mapRecord } from "../map-record.ts";
import type { DeliveryQueues } from "../queues/delivery-queues.ts";
import type { OrdersTable } from "../storage/orders-table.ts";

// EventBridge -> Lambda delivery: EventBridge retries throttling and service errors this often within
// this age; what it still cannot deliver goes to the rule target's dead-letter queue.
const TARGET_RETRY_ATTEMPTS = 8;
const TARGET_MAX_EVENT_AGE = Duration.hours(6);
// Lambda's own retries of an asynchronous invocation whose handler threw (EventBridge's retries above do
// not cover handler errors). The failed event then goes to the same dead-letter queue.
const ASYNC_HANDLER_RETRY_ATTEMPTS = 2;

export class OrderEventBuses extends Construct {
  readonly byId: Record<EventBusId, IEventBus>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.byId = mapRecord(
      eventBusDeclarations,
      (bus, busId): IEventBus => new EventBus(this, busId, { eventBusName: bus.name }),
    );
  }
}

export interface OrderEventsProps {
  functions: AppFunctions;
  table: OrdersTable;
  buses: OrderEventBuses;
  queues: DeliveryQueues;
}

export class OrderEvents extends Construct {
  constructor(scope: Construct, id: string, props: OrderEventsProps) {
    super(scope, id);
    const asyncConfigured = new Set<FunctionId>();

    for (const declaration of ruleDeclarations) {
      const rule = new Rule(this, declaration.name, {
        ruleName: declaration.name,
        description: declaration.description,
        // undefined = the account's default bus, where AWS services (Step Functions) publish.
        eventBus: declaration.bus === "default" ? undefined : props.buses.byId[declaration.bus],
        eventPattern: toEventPattern(declaration.pattern),
      });
      for (const [index, target] of declaration.targets.entries()) {
        const fn = props.functions.get(target.functionId).fn;
        const deadLetters = deadLetterQueue(
          this,
          `${declaration.name}-${target.id}-dlq`,
          `events of rule ${declaration.name} that function ${target.functionId} did not process`,
        );
        rule.addTarget(
          new LambdaFunction(fn, {
            retryAttempts: TARGET_RETRY_ATTEMPTS,
            maxEventAge: TARGET_MAX_EVENT_AGE,
            deadLetterQueue: deadLetters,
          }),
        );
        // The L2 numbers targets ("Target0"...); the declared id is what the local home and operators'
        // `aws events list-targets-by-rule` show, so both homes name a target the same way.
        (rule.node.defaultChild as CfnRule).addPropertyOverride(`Targets.${index}.Id`, target.id);
        // A function has one asynchronous-invocation config; the first rule targeting it sets it.
        if (!asyncConfigured.has(target.functionId)) {
          fn.configureAsyncInvoke({
            retryAttempts: ASYNC_HANDLER_RETRY_ATTEMPTS,
            onFailure: new SqsDestination(deadLetters),
          });
          asyncConfigured.add(target.functionId);
        }
      }
    }

    for (const consumer of streamConsumerDeclarations) {
      const consumerFunction = props.functions.get(consumer.functionId);
      const fn = consumerFunction.fn;
      const deadLetters = deadLetterQueue(
        this,
        `${consumer.functionId}-stream-dlq`,
        `table stream batches that function ${consumer.functionId} failed after ${consumer.maxRetryAttempts} retries`,
      );
      fn.addEventSource(
        new DynamoEventSource(props.table.table, {
          // From the oldest record still in the stream: the outbox must not skip events written while
          // the mapping was being created or disabled.
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: consumer.batchSize,
          retryAttempts: consumer.maxRetryAttempts,
          // A poison record is isolated by halving the batch instead of blocking its whole shard.
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(deadLetters),
          // The declared filter is already in the event-pattern syntax Lambda filters use.
          filters: [FilterCriteria.filter(consumer.filter)],
        }),
      );
      Validations.of(consumerFunction.role).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "The stream event source mapping needs dynamodb:ListStreams, which supports no resource-level permissions; the stream read actions are granted on the table's stream ARN only",
      });
    }

    // Queue consumers (webhook delivery): the function reports failed messages, whose next attempt it
    // paced itself (ChangeMessageVisibility); the queue's redrive policy catches what it cannot process.
    for (const consumer of queueConsumerDeclarations) {
      props.functions.get(consumer.functionId).fn.addEventSource(
        new SqsEventSource(props.queues.byId[consumer.queueId], {
          batchSize: consumer.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency: consumer.maxConcurrency,
        }),
      );
    }
  }
}

/** The declared pattern uses EventBridge's JSON keys ("detail-type"); CDK's EventPattern uses camelCase
 * keys and renders them back, so the template carries the declared pattern unchanged (test/infra checks). */
function toEventPattern(pattern: Record<string, unknown>): EventPattern {
  return Object.fromEntries(
    Object.entries(pattern).map(([key, value]) => [
      key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()),
      value,
    ]),
  ) as EventPattern;
}

function deadLetterQueue(scope: Construct, id: string, holds: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // The longest SQS allows: operators need time to find, fix and redrive.
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: "AwsSolutions-SQS3",
    reason: `This queue IS a dead-letter queue (it holds ${holds}); a dead-letter queue of its own would only move the same messages once more`,
  });
  return queue;
}
