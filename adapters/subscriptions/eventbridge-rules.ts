// A subscription's EventBridge rule on the order bus, through the EventBridge API (the local EventBridge
// in the one-machine home): PutRule with the scoped pattern, then PutTargets. A webhook rule targets the
// delivery queue with an input transformer that wraps the event with its subscription; a bus rule
// targets the merchant's event bus (cross-account, through the role EventBridge assumes).
import {
  DeleteRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  type EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
  type Target,
} from "@aws-sdk/client-eventbridge";
import type { SubscriptionRules } from "../../usecases/ports.ts";

export interface EventBridgeRulesConfig {
  busName: string;
  /** The webhook delivery queue's ARN. */
  deliveryQueueArn: string;
  /** The role EventBridge assumes to put events on another account's bus (none locally). */
  eventBusTargetRoleArn?: string;
  /** Retries and age limit of EventBridge's own delivery to the target (queue or bus). */
  maxEventAgeSeconds?: number;
}

const TARGET_ID = "delivery";

export class EventBridgeSubscriptionRules implements SubscriptionRules {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly config: EventBridgeRulesConfig,
  ) {}

  async create(rule: Parameters<SubscriptionRules["create"]>[0]): Promise<void> {
    const bus = this.config.busName;
    await this.client.send(
      new PutRuleCommand({
        Name: rule.ruleName,
        EventBusName: bus,
        EventPattern: rule.scopedPattern,
        Description: rule.description,
        State: "ENABLED",
      }),
    );
    const retry = {
      MaximumRetryAttempts: 185,
      MaximumEventAgeInSeconds: this.config.maxEventAgeSeconds ?? 86_400,
    };
    const target: Target =
      rule.target.type === "WEBHOOK"
        ? {
            Id: TARGET_ID,
            Arn: this.config.deliveryQueueArn,
            // Ids are [0-9A-Z] and merchant ids [A-Za-z0-9._-]: safe inside the JSON template as they are.
            InputTransformer: {
              InputTemplate: `{"subscriptionId":"${rule.subscriptionId}","merchantId":"${rule.merchantId}","event":<aws.events.event>}`,
            },
            RetryPolicy: retry,
          }
        : {
            Id: TARGET_ID,
            Arn: rule.target.eventBusArn,
            ...(this.config.eventBusTargetRoleArn ? { RoleArn: this.config.eventBusTargetRoleArn } : {}),
            RetryPolicy: retry,
          };
    const result = await this.client.send(
      new PutTargetsCommand({ Rule: rule.ruleName, EventBusName: bus, Targets: [target] }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) {
      throw new Error(`PutTargets failed: ${JSON.stringify(result.FailedEntries)}`);
    }
  }

  async enable(ruleName: string): Promise<void> {
    await this.client.send(new EnableRuleCommand({ Name: ruleName, EventBusName: this.config.busName }));
  }

  async disable(ruleName: string): Promise<void> {
    await this.client.send(new DisableRuleCommand({ Name: ruleName, EventBusName: this.config.busName }));
  }

  async remove(ruleName: string): Promise<void> {
    try {
      await this.client.send(
        new RemoveTargetsCommand({ Rule: ruleName, EventBusName: this.config.busName, Ids: [TARGET_ID] }),
      );
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await this.client.send(new DeleteRuleCommand({ Name: ruleName, EventBusName: this.config.busName }));
  }
}
