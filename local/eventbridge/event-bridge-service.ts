// The local Amazon EventBridge (X-Amz-Target "AWSEvents", AWS JSON 1.1): event buses, rules, targets,
// connections and API destinations with the real API's inputs, outputs and error types; PutEvents matches
// events against rules' compiled patterns (domain/events/event-pattern.ts) and hands each (event, target) pair to the
// delivery engine (delivery.ts), which calls Lambda functions and API destinations asynchronously. State is
// in memory, or under `${dataDir}/eventbridge/` (file-store.ts) so a restart loses nothing. Rules'
// ScheduleExpressions are validated and stored only: schedules are run elsewhere.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import * as z from "zod";
import {
  type CompiledEventPattern,
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
} from "../../domain/events/event-pattern.ts";
import { type AwsJsonService, AwsServiceError, toEpochSeconds } from "../aws-protocol/aws-json-service.ts";
import { type LambdaInvoker, LOCAL_ACCOUNT, LOCAL_REGION } from "../functions/lambda-invoker.ts";
import { type DeadLetterFilter, DeliveryEngine, type Logger } from "./delivery.ts";
import { KeyedJournal, SnapshotFile } from "./file-store.ts";
import {
  type ApiDestinationRecord,
  ApiDestinationRefInput,
  type BusRecord,
  type ConnectionRecord,
  ConnectionRefInput,
  CreateApiDestinationInput,
  CreateConnectionInput,
  CreateEventBusInput,
  DeadLetter,
  DeleteEventBusInput,
  DeleteRuleInput,
  DeliveryRecord,
  DescribeEventBusInput,
  ListApiDestinationsInput,
  ListConnectionsInput,
  ListEventBusesInput,
  ListRuleNamesByTargetInput,
  ListRulesInput,
  ListTargetsByRuleInput,
  type PutEventsEntry,
  PutEventsInput,
  PutRuleInput,
  PutTargetsInput,
  parseInput,
  RemoveTargetsInput,
  type RuleRecord,
  RuleRefInput,
  StateSnapshot,
  type Target,
  TestEventPatternInput,
} from "./model.ts";
import { isoSeconds, renderTargetInput, validateTargetInput } from "./target-input.ts";
import {
  apiDestinationNameOf,
  DeliveryError,
  isLambdaArn,
  sendToApiDestination,
  sendToLambda,
  unsupportedTarget,
} from "./target-senders.ts";

export type { DeadLetter, DeadLetterFilter, Logger };

/** Where rules with SQS queue targets send the rendered input (the local SQS). */
export interface QueueTargets {
  /** The queue an ARN names, if it exists. */
  queueNameOfArn(arn: string): string | undefined;
  send(queueName: string, body: string): Promise<unknown>;
}

const SQS_ARN = /^arn:aws[\w-]*:sqs:/;
const EVENT_BUS_ARN = /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/;

export interface LocalEventBridgeOptions {
  /** Persist state under `${dataDir}/eventbridge/`; omitted, everything stays in memory. */
  dataDir?: string;
  invoker: LambdaInvoker;
  region?: string;
  account?: string;
  /** Base of the exponential retry backoff (default 1000 ms). */
  retryBaseDelayMs?: number;
  /** Longest wait between two attempts (default 5 minutes). */
  maxRetryDelayMs?: number;
  /** Caps every target's RetryPolicy.MaximumRetryAttempts (default 185, AWS's default). */
  maxRetryAttempts?: number;
  /** API destination request timeout (default 5000 ms, AWS's limit). */
  fetchTimeoutMs?: number;
  /** Deliveries attempted at the same time (default 64). */
  deliveryConcurrency?: number;
  /** SQS queue targets (the local SQS); without it a queue target fails as unsupported. */
  queues?: QueueTargets;
  logger?: Logger;
}

/** Where dead letters of targets without a DeadLetterConfig are kept. */
export const DEFAULT_DEAD_LETTER_STORE = "local:eventbridge:dead-letters";

const DEFAULT_BUS = "default";
const MAX_TARGETS_PER_RULE = 5;
const MAX_PUT_EVENTS_BYTES = 256 * 1024;
const PAGE_SIZE = 100;
const SCHEDULE = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$/;
/** Fields the TestEventPattern API requires in the test event. */
const TEST_EVENT_FIELDS = ["id", "account", "source", "time", "region", "resources", "detail-type"];

type Operation = (input: Record<string, unknown>) => unknown;
type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export class LocalEventBridge implements AwsJsonService {
  readonly targetPrefix = "AWSEvents";
  readonly jsonVersion = "1.1" as const;

  private readonly region: string;
  private readonly account: string;
  private readonly invoker: LambdaInvoker;
  private readonly queues: QueueTargets | undefined;
  private readonly fetchTimeoutMs: number;
  private readonly logger: Logger | undefined;
  private readonly buses = new Map<string, BusRecord>();
  /** Keyed by ruleKey(bus, name). */
  private readonly rules = new Map<string, RuleRecord>();
  private readonly patterns = new Map<string, CompiledEventPattern>();
  /** Enabled rules with a pattern and targets, by bus: rebuilt after any rule change. */
  private routing: Map<string, Array<{ rule: RuleRecord; pattern: CompiledEventPattern }>> | undefined;
  private readonly connections = new Map<string, ConnectionRecord>();
  private readonly apiDestinations = new Map<string, ApiDestinationRecord>();
  private readonly snapshot: SnapshotFile | undefined;
  private readonly engine: DeliveryEngine;
  private started: Promise<void> | undefined;
  private readonly operations: ReadonlyMap<string, Operation>;

  constructor(options: LocalEventBridgeOptions) {
    this.region = options.region ?? LOCAL_REGION;
    this.account = options.account ?? LOCAL_ACCOUNT;
    this.invoker = options.invoker;
    this.queues = options.queues;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 5000;
    this.logger = options.logger;
    const directory = options.dataDir === undefined ? undefined : join(options.dataDir, "eventbridge");
    this.snapshot =
      directory === undefined
        ? undefined
        : new SnapshotFile(join(directory, "state.json"), () => this.toSnapshot());
    // Records read back from disk are parsed again; one that no longer fits the schema is dropped.
    const journal = <T extends { id: string }>(file: string, schema: z.ZodType<T>) =>
      directory === undefined
        ? undefined
        : new KeyedJournal<T>(join(directory, file), { parse: (value) => schema.safeParse(value).data });
    this.engine = new DeliveryEngine({
      send: (record, target) => this.send(record, target),
      resolveTarget: (record) => this.currentTarget(record) ?? record.target,
      defaultDeadLetterArn: DEFAULT_DEAD_LETTER_STORE,
      deliveryJournal: journal("deliveries.jsonl", DeliveryRecord),
      deadLetterJournal: journal("dead-letters.jsonl", DeadLetter),
      retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 300_000,
      maxRetryAttempts: options.maxRetryAttempts ?? 185,
      concurrency: options.deliveryConcurrency ?? 64,
      logger: options.logger,
    });
    this.operations = new Map<string, Operation>([
      ["PutEvents", (input) => this.putEvents(input)],
      ["PutRule", (input) => this.putRule(input)],
      ["DescribeRule", (input) => this.describeRule(input)],
      ["DeleteRule", (input) => this.deleteRule(input)],
      ["ListRules", (input) => this.listRules(input)],
      ["EnableRule", (input) => this.setRuleState(input, "ENABLED")],
      ["DisableRule", (input) => this.setRuleState(input, "DISABLED")],
      ["PutTargets", (input) => this.putTargets(input)],
      ["RemoveTargets", (input) => this.removeTargets(input)],
      ["ListTargetsByRule", (input) => this.listTargetsByRule(input)],
      ["ListRuleNamesByTarget", (input) => this.listRuleNamesByTarget(input)],
      ["TestEventPattern", (input) => this.testEventPattern(input)],
      ["CreateEventBus", (input) => this.createEventBus(input)],
      ["DescribeEventBus", (input) => this.describeEventBus(input)],
      ["ListEventBuses", (input) => this.listEventBuses(input)],
      ["DeleteEventBus", (input) => this.deleteEventBus(input)],
      ["CreateConnection", (input) => this.createConnection(input)],
      ["DescribeConnection", (input) => this.describeConnection(input)],
      ["DeleteConnection", (input) => this.deleteConnection(input)],
      ["ListConnections", (input) => this.listConnections(input)],
      ["CreateApiDestination", (input) => this.createApiDestination(input)],
      ["DescribeApiDestination", (input) => this.describeApiDestination(input)],
      ["DeleteApiDestination", (input) => this.deleteApiDestination(input)],
      ["ListApiDestinations", (input) => this.listApiDestinations(input)],
    ]);
  }

  /** Loads persisted state and resumes pending deliveries. Idempotent; handle() calls it too. */
  start(): Promise<void> {
    this.started ??= this.load();
    return this.started;
  }

  /**
   * Cancels retry timers and waits for attempts in flight. Journaled deliveries resume when a new instance
   * starts on the same dataDir; a stopped instance is not restarted.
   */
  async stop(): Promise<void> {
    if (!this.started) return;
    await this.started;
    await this.engine.stop();
    await this.snapshot?.save();
  }

  /** Resolves when no delivery is in flight or waiting for a retry. */
  whenIdle(): Promise<void> {
    return this.engine.whenIdle();
  }

  /** Dead letters, oldest first (those of earlier runs once start() has resolved). */
  listDeadLetters(filter?: DeadLetterFilter): DeadLetter[] {
    return this.engine.listDeadLetters(filter);
  }

  /** Delivers matching dead letters again; returns how many. Await whenIdle() for the outcome. */
  async redriveDeadLetters(filter?: DeadLetterFilter): Promise<number> {
    await this.start();
    return this.engine.redrive(filter);
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    await this.start();
    const run = this.operations.get(operation);
    if (!run) {
      throw new AwsServiceError(
        "UnknownOperationException",
        `The local EventBridge does not implement ${operation}`,
      );
    }
    try {
      return await run(input);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        throw new AwsServiceError("InvalidEventPatternException", error.message);
      }
      throw error;
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Events

  /**
   * How AWS services (here: the local Step Functions) emit their own events, e.g. source "aws.states"
   * on the default bus. PutEvents refuses "aws." sources from clients, as AWS does; services may.
   */
  async putServiceEvents(entries: PutEventsEntry[]): Promise<void> {
    await this.start();
    const ingestedAt = Date.now();
    const deliveries: DeliveryRecord[] = [];
    for (const entry of entries) {
      const result = this.acceptEntry(entry, ingestedAt, deliveries, true);
      if ("ErrorCode" in result)
        throw new Error(`service event refused: ${result.ErrorCode} ${result.ErrorMessage}`);
    }
    await this.engine.enqueue(deliveries);
  }

  private async putEvents(input: Record<string, unknown>): Promise<unknown> {
    const { Entries } = parseInput(PutEventsInput, input);
    if (Entries.reduce((sum, entry) => sum + entrySize(entry), 0) > MAX_PUT_EVENTS_BYTES) {
      throw new AwsServiceError(
        "ValidationException",
        "Total size of the entries in the request is over the limit.",
      );
    }
    const ingestedAt = Date.now();
    const deliveries: DeliveryRecord[] = [];
    const results = Entries.map((entry) => this.acceptEntry(entry, ingestedAt, deliveries));
    await this.engine.enqueue(deliveries);
    return {
      FailedEntryCount: results.filter((result) => "ErrorCode" in result).length,
      Entries: results,
    };
  }

  private acceptEntry(
    entry: PutEventsEntry,
    ingestedAt: number,
    deliveries: DeliveryRecord[],
    fromService = false,
  ): ResultEntry {
    const busName = this.busNameOf(entry.EventBusName);
    if (!this.buses.has(busName)) {
      return { ErrorCode: "ResourceNotFoundException", ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    if (!entry.Source) return invalidArgument("Source");
    if (entry.Source.startsWith("aws.") && !fromService) {
      return { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." };
    }
    if (!entry.DetailType) return invalidArgument("DetailType");
    if (!entry.Detail) return invalidArgument("Detail");
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    const id = randomUUID();
    const event: Record<string, unknown> = {
      version: "0",
      id,
      "detail-type": entry.DetailType,
      source: entry.Source,
      account: this.account,
      time: isoSeconds(eventTime(entry.Time) ?? ingestedAt),
      region: this.region,
      resources: entry.Resources ?? [],
      detail,
    };
    for (const { rule, pattern } of this.routingFor(busName)) {
      if (!matchesEventPattern(pattern, event)) continue;
      for (const target of rule.targets) {
        deliveries.push({
          id: randomUUID(),
          eventId: id,
          event,
          ingestedAt,
          busName,
          ruleName: rule.name,
          ruleArn: rule.arn,
          target,
          attempts: 0,
          nextAttemptAt: ingestedAt,
        });
      }
    }
    return { EventId: id };
  }

  private testEventPattern(input: Record<string, unknown>): unknown {
    const { EventPattern, Event } = parseInput(TestEventPatternInput, input);
    const pattern = compileEventPattern(EventPattern);
    let event: unknown;
    try {
      event = JSON.parse(Event);
    } catch {
      event = undefined;
    }
    const valid =
      typeof event === "object" &&
      event !== null &&
      !Array.isArray(event) &&
      TEST_EVENT_FIELDS.every((field) => Object.hasOwn(event, field)) &&
      Array.isArray((event as Record<string, unknown>).resources);
    if (!valid) throw validation("Parameter Event is not valid.");
    return { Result: matchesEventPattern(pattern, event) };
  }

  // -------------------------------------------------------------------------------------------------
  // Rules

  private async putRule(input: Record<string, unknown>): Promise<unknown> {
    const request = parseInput(PutRuleInput, input);
    const busName = this.requireBus(request.EventBusName);
    if (request.EventPattern === undefined && request.ScheduleExpression === undefined) {
      throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
    }
    if (request.ScheduleExpression !== undefined) {
      if (busName !== DEFAULT_BUS)
        throw validation("ScheduleExpression is supported only on the default event bus.");
      if (!SCHEDULE.test(request.ScheduleExpression))
        throw validation("Parameter ScheduleExpression is not valid.");
    }
    const pattern =
      request.EventPattern === undefined ? undefined : compileEventPattern(request.EventPattern);
    const key = ruleKey(busName, request.Name);
    const existing = this.rules.get(key);
    // As on AWS, PutRule replaces the rule: omitted fields are cleared, targets are kept.
    const rule: RuleRecord = {
      name: request.Name,
      busName,
      arn: this.ruleArn(busName, request.Name),
      eventPattern: request.EventPattern,
      scheduleExpression: request.ScheduleExpression,
      state: request.State ?? "ENABLED",
      description: request.Description,
      roleArn: request.RoleArn,
      createdBy: this.account,
      targets: existing?.targets ?? [],
    };
    this.rules.set(key, rule);
    if (pattern) this.patterns.set(key, pattern);
    else this.patterns.delete(key);
    await this.rulesChanged();
    return { RuleArn: rule.arn };
  }

  private describeRule(input: Record<string, unknown>): unknown {
    const { Name, EventBusName } = parseInput(RuleRefInput, input);
    const rule = this.requireRule(Name, EventBusName);
    return { ...ruleView(rule), CreatedBy: rule.createdBy };
  }

  private async deleteRule(input: Record<string, unknown>): Promise<unknown> {
    const { Name, EventBusName } = parseInput(DeleteRuleInput, input);
    const key = ruleKey(this.requireBus(EventBusName), Name);
    const rule = this.rules.get(key);
    if (!rule) return {}; // DeleteRule is idempotent on AWS
    if (rule.targets.length > 0) throw validation("Rule can't be deleted since it has targets.");
    this.rules.delete(key);
    this.patterns.delete(key);
    await this.rulesChanged();
    return {};
  }

  private listRules(input: Record<string, unknown>): unknown {
    const request = parseInput(ListRulesInput, input);
    const busName = this.requireBus(request.EventBusName);
    const rules = [...this.rules.values()]
      .filter((rule) => rule.busName === busName && rule.name.startsWith(request.NamePrefix ?? ""))
      .sort(byKey((rule) => rule.name));
    const { items, nextToken } = page(rules, (rule) => rule.name, request.NextToken, request.Limit);
    return { Rules: items.map(ruleView), NextToken: nextToken };
  }

  private async setRuleState(
    input: Record<string, unknown>,
    state: "ENABLED" | "DISABLED",
  ): Promise<unknown> {
    const { Name, EventBusName } = parseInput(RuleRefInput, input);
    this.requireRule(Name, EventBusName).state = state;
    await this.rulesChanged();
    return {};
  }

  // -------------------------------------------------------------------------------------------------
  // Targets

  private async putTargets(input: Record<string, unknown>): Promise<unknown> {
    const request = parseInput(PutTargetsInput, input);
    const rule = this.requireRule(request.Rule, request.EventBusName);
    for (const target of request.Targets) {
      const problem = validateTargetInput(target);
      if (problem) throw validation(`Target ${target.Id}: ${problem}`);
    }
    const byId = new Map(rule.targets.map((target) => [target.Id, target]));
    // IAM is not emulated: RoleArn (which AWS requires for API destination targets) is stored, not checked.
    for (const target of request.Targets) byId.set(target.Id, target);
    if (byId.size > MAX_TARGETS_PER_RULE) {
      throw new AwsServiceError(
        "LimitExceededException",
        "The requested resource exceeds the maximum number allowed.",
      );
    }
    rule.targets = [...byId.values()];
    await this.rulesChanged();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private async removeTargets(input: Record<string, unknown>): Promise<unknown> {
    const request = parseInput(RemoveTargetsInput, input);
    const rule = this.requireRule(request.Rule, request.EventBusName);
    const removed = new Set(request.Ids);
    rule.targets = rule.targets.filter((target) => !removed.has(target.Id));
    await this.rulesChanged();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private listTargetsByRule(input: Record<string, unknown>): unknown {
    const request = parseInput(ListTargetsByRuleInput, input);
    const rule = this.requireRule(request.Rule, request.EventBusName);
    const targets = [...rule.targets].sort(byKey((target) => target.Id));
    const { items, nextToken } = page(targets, (target) => target.Id, request.NextToken, request.Limit);
    return { Targets: items, NextToken: nextToken };
  }

  private listRuleNamesByTarget(input: Record<string, unknown>): unknown {
    const request = parseInput(ListRuleNamesByTargetInput, input);
    const busName = this.requireBus(request.EventBusName);
    const names = [...this.rules.values()]
      .filter(
        (rule) => rule.busName === busName && rule.targets.some((target) => target.Arn === request.TargetArn),
      )
      .map((rule) => rule.name)
      .sort();
    const { items, nextToken } = page(names, (name) => name, request.NextToken, request.Limit);
    return { RuleNames: items, NextToken: nextToken };
  }

  // -------------------------------------------------------------------------------------------------
  // Event buses

  private async createEventBus(input: Record<string, unknown>): Promise<unknown> {
    const request = parseInput(CreateEventBusInput, input);
    if (this.buses.has(request.Name)) {
      throw new AwsServiceError(
        "ResourceAlreadyExistsException",
        `Event bus ${request.Name} already exists.`,
      );
    }
    const now = Date.now();
    const bus: BusRecord = {
      name: request.Name,
      arn: this.busArn(request.Name),
      description: request.Description,
      kmsKeyIdentifier: request.KmsKeyIdentifier,
      deadLetterConfig: request.DeadLetterConfig,
      creationTime: now,
      lastModifiedTime: now,
    };
    this.buses.set(bus.name, bus);
    await this.persist();
    return {
      EventBusArn: bus.arn,
      Description: bus.description,
      KmsKeyIdentifier: bus.kmsKeyIdentifier,
      DeadLetterConfig: bus.deadLetterConfig,
    };
  }

  private describeEventBus(input: Record<string, unknown>): unknown {
    const { Name } = parseInput(DescribeEventBusInput, input);
    const bus = this.buses.get(this.requireBus(Name)) as BusRecord;
    return {
      ...busView(bus),
      KmsKeyIdentifier: bus.kmsKeyIdentifier,
      DeadLetterConfig: bus.deadLetterConfig,
    };
  }

  private listEventBuses(input: Record<string, unknown>): unknown {
    const request = parseInput(ListEventBusesInput, input);
    const buses = [...this.buses.values()]
      .filter((bus) => bus.name.startsWith(request.NamePrefix ?? ""))
      .sort(byKey((bus) => bus.name));
    const { items, nextToken } = page(buses, (bus) => bus.name, request.NextToken, request.Limit);
    return { EventBuses: items.map(busView), NextToken: nextToken };
  }

  private async deleteEventBus(input: Record<string, unknown>): Promise<unknown> {
    const { Name } = parseInput(DeleteEventBusInput, input);
    if (Name === DEFAULT_BUS) throw validation("Cannot delete event bus default.");
    if (!this.buses.has(Name)) return {}; // idempotent, as on AWS
    if ([...this.rules.values()].some((rule) => rule.busName === Name)) {
      throw validation("EventBus can't be deleted since it has rules.");
    }
    this.buses.delete(Name);
    await this.persist();
    return {};
  }

  // -------------------------------------------------------------------------------------------------
  // Connections and API destinations

  private async createConnection(input: Record<string, unknown>): Promise<unknown> {
    const request = parseInput(CreateConnectionInput, input);
    if (this.connections.has(request.Name)) {
      throw new AwsServiceError(
        "ResourceAlreadyExistsException",
        `Connection ${request.Name} already exists.`,
      );
    }
    const required = {
      API_KEY: "ApiKeyAuthParameters",
      BASIC: "BasicAuthParameters",
      OAUTH_CLIENT_CREDENTIALS: "OAuthParameters",
    } as const;
    const needed = required[request.AuthorizationType];
    if (!request.AuthParameters[needed]) {
      throw validation(`${needed} must be specified for AuthorizationType ${request.AuthorizationType}.`);
    }
    const now = Date.now();
    const connection: ConnectionRecord = {
      name: request.Name,
      arn: `arn:aws:events:${this.region}:${this.account}:connection/${request.Name}/${randomUUID()}`,
      description: request.Description,
      authorizationType: request.AuthorizationType,
      authParameters: request.AuthParameters,
      // OAuth connections are reported authorized without contacting the authorization endpoint.
      state: "AUTHORIZED",
      creationTime: now,
      lastModifiedTime: now,
      lastAuthorizedTime: now,
    };
    this.connections.set(connection.name, connection);
    await this.persist();
    return {
      ConnectionArn: connection.arn,
      ConnectionState: connection.state,
      CreationTime: toEpochSeconds(now),
      LastModifiedTime: toEpochSeconds(now),
    };
  }

  private describeConnection(input: Record<string, unknown>): unknown {
    const { Name } = parseInput(ConnectionRefInput, input);
    const connection = this.requireConnection(Name);
    return {
      ...connectionView(connection),
      Description: connection.description,
      SecretArn: this.secretArnOf(connection),
      AuthParameters: withoutSecrets(connection.authParameters),
    };
  }

  private async deleteConnection(input: Record<string, unknown>): Promise<unknown> {
    const { Name } = parseInput(ConnectionRefInput, input);
    const connection = this.requireConnection(Name);
    this.connections.delete(Name);
    await this.persist();
    return {
      ConnectionArn: connection.arn,
      ConnectionState: "DELETING",
      CreationTime: toEpochSeconds(connection.creationTime),
      LastModifiedTime: toEpochSeconds(connection.lastModifiedTime),
      LastAuthorizedTime: toEpochSeconds(connection.lastAuthorizedTime),
    };
  }

  private listConnections(input: Record<string, unknown>): unknown {
    const request = parseInput(ListConnectionsInput, input);
    const connections = [...this.connections.values()]
      .filter(
        (connection) =>
          connection.name.startsWith(request.NamePrefix ?? "") &&
          (request.ConnectionState === undefined || connection.state === request.ConnectionState),
      )
      .sort(byKey((connection) => connection.name));
    const { items, nextToken } = page(connections, (c) => c.name, request.NextToken, request.Limit);
    return { Connections: items.map(connectionView), NextToken: nextToken };
  }

  private async createApiDestination(input: Record<string, unknown>): Promise<unknown> {
    const request = parseInput(CreateApiDestinationInput, input);
    if (this.apiDestinations.has(request.Name)) {
      throw new AwsServiceError(
        "ResourceAlreadyExistsException",
        `An api-destination '${request.Name}' already exists.`,
      );
    }
    if (![...this.connections.values()].some((connection) => connection.arn === request.ConnectionArn)) {
      throw notFound(`Connection '${request.ConnectionArn}' does not exist.`);
    }
    // AWS accepts only https endpoints; locally the receiving services listen on plain http.
    if (
      !URL.canParse(request.InvocationEndpoint) ||
      !/^https?:$/.test(new URL(request.InvocationEndpoint).protocol)
    ) {
      throw validation("Parameter InvocationEndpoint is not valid.");
    }
    const now = Date.now();
    const destination: ApiDestinationRecord = {
      name: request.Name,
      arn: `arn:aws:events:${this.region}:${this.account}:api-destination/${request.Name}/${randomUUID()}`,
      description: request.Description,
      connectionArn: request.ConnectionArn,
      invocationEndpoint: request.InvocationEndpoint,
      httpMethod: request.HttpMethod,
      invocationRateLimitPerSecond: request.InvocationRateLimitPerSecond ?? 300,
      state: "ACTIVE",
      creationTime: now,
      lastModifiedTime: now,
    };
    this.apiDestinations.set(destination.name, destination);
    await this.persist();
    return {
      ApiDestinationArn: destination.arn,
      ApiDestinationState: destination.state,
      CreationTime: toEpochSeconds(now),
      LastModifiedTime: toEpochSeconds(now),
    };
  }

  private describeApiDestination(input: Record<string, unknown>): unknown {
    const { Name } = parseInput(ApiDestinationRefInput, input);
    const destination = this.requireApiDestination(Name);
    return { ...apiDestinationView(destination), Description: destination.description };
  }

  private async deleteApiDestination(input: Record<string, unknown>): Promise<unknown> {
    const { Name } = parseInput(ApiDestinationRefInput, input);
    this.requireApiDestination(Name);
    this.apiDestinations.delete(Name);
    await this.persist();
    return {};
  }

  private listApiDestinations(input: Record<string, unknown>): unknown {
    const request = parseInput(ListApiDestinationsInput, input);
    const destinations = [...this.apiDestinations.values()]
      .filter(
        (destination) =>
          destination.name.startsWith(request.NamePrefix ?? "") &&
          (request.ConnectionArn === undefined || destination.connectionArn === request.ConnectionArn),
      )
      .sort(byKey((destination) => destination.name));
    const { items, nextToken } = page(destinations, (d) => d.name, request.NextToken, request.Limit);
    return { ApiDestinations: items.map(apiDestinationView), NextToken: nextToken };
  }

  // -------------------------------------------------------------------------------------------------
  // Delivery

  private async send(record: DeliveryRecord, target: Target): Promise<void> {
    const input = renderTargetInput(target, {
      event: record.event,
      ruleArn: record.ruleArn,
      ruleName: record.ruleName,
      ingestionTime: record.ingestedAt,
    });
    if (isLambdaArn(target.Arn)) return sendToLambda(this.invoker, target.Arn, input);
    if (SQS_ARN.test(target.Arn)) return this.sendToQueue(target.Arn, input.text);
    const busName = EVENT_BUS_ARN.exec(target.Arn)?.[1];
    if (busName !== undefined) return this.sendToBus(busName, target.Arn, record.event);
    const destinationName = apiDestinationNameOf(target.Arn);
    if (destinationName === undefined) throw unsupportedTarget(target.Arn);
    const destination = this.apiDestinations.get(destinationName);
    if (!destination) {
      throw new DeliveryError(
        "RESOURCE_NOT_FOUND",
        `API destination ${destinationName} does not exist`,
        false,
      );
    }
    const connection = [...this.connections.values()].find((c) => c.arn === destination.connectionArn);
    if (!connection) {
      throw new DeliveryError(
        "RESOURCE_NOT_FOUND",
        `Connection ${destination.connectionArn} does not exist`,
        false,
      );
    }
    return sendToApiDestination({ destination, connection, target, input, timeoutMs: this.fetchTimeoutMs });
  }

  private async sendToQueue(arn: string, body: string): Promise<void> {
    const name = this.queues?.queueNameOfArn(arn);
    if (!this.queues || name === undefined) {
      throw new DeliveryError("RESOURCE_NOT_FOUND", `Queue ${arn} does not exist`, false);
    }
    try {
      await this.queues.send(name, body);
    } catch (error) {
      throw new DeliveryError("SQS_ERROR", (error as Error).message, true);
    }
  }

  /**
   * Bus-to-bus delivery (a merchant's bus in another account): one machine has one account, so the bus
   * the ARN names is looked up by name here. The event arrives as sent (same detail, source and type).
   */
  private async sendToBus(busName: string, arn: string, event: Record<string, unknown>): Promise<void> {
    if (!this.buses.has(busName))
      throw new DeliveryError("RESOURCE_NOT_FOUND", `Event bus ${arn} does not exist`, false);
    const deliveries: DeliveryRecord[] = [];
    const result = this.acceptEntry(
      {
        EventBusName: busName,
        Source: String(event.source),
        DetailType: String(event["detail-type"]),
        Detail: JSON.stringify(event.detail),
        Resources: Array.isArray(event.resources) ? event.resources.map(String) : [],
        Time: String(event.time),
      },
      Date.now(),
      deliveries,
      true,
    );
    if ("ErrorCode" in result) throw new DeliveryError(result.ErrorCode, result.ErrorMessage, false);
    await this.engine.enqueue(deliveries);
  }

  private currentTarget(record: DeliveryRecord): Target | undefined {
    const rule = this.rules.get(ruleKey(record.busName, record.ruleName));
    return rule?.targets.find((target) => target.Id === record.target.Id);
  }

  private routingFor(busName: string): Array<{ rule: RuleRecord; pattern: CompiledEventPattern }> {
    if (!this.routing) {
      const routing = new Map<string, Array<{ rule: RuleRecord; pattern: CompiledEventPattern }>>();
      for (const [key, rule] of this.rules) {
        const pattern = this.patterns.get(key);
        if (!pattern || rule.state === "DISABLED" || rule.targets.length === 0) continue;
        const list = routing.get(rule.busName) ?? [];
        list.push({ rule, pattern });
        routing.set(rule.busName, list);
      }
      this.routing = routing;
    }
    return this.routing.get(busName) ?? [];
  }

  // -------------------------------------------------------------------------------------------------
  // State

  private async load(): Promise<void> {
    const stored = await this.snapshot?.load();
    if (stored !== undefined) {
      const parsed = StateSnapshot.safeParse(stored);
      if (!parsed.success) {
        throw new Error(`The stored EventBridge state is not valid: ${z.prettifyError(parsed.error)}`);
      }
      const state = parsed.data;
      for (const bus of state.buses) this.buses.set(bus.name, bus);
      for (const connection of state.connections) this.connections.set(connection.name, connection);
      for (const destination of state.apiDestinations)
        this.apiDestinations.set(destination.name, destination);
      for (const rule of state.rules) {
        const key = ruleKey(rule.busName, rule.name);
        this.rules.set(key, rule);
        if (rule.eventPattern === undefined) continue;
        try {
          this.patterns.set(key, compileEventPattern(rule.eventPattern));
        } catch (error) {
          this.logger?.error("Stored rule has an invalid event pattern; it will match nothing", {
            rule: rule.arn,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    if (!this.buses.has(DEFAULT_BUS)) {
      const now = Date.now();
      this.buses.set(DEFAULT_BUS, {
        name: DEFAULT_BUS,
        arn: this.busArn(DEFAULT_BUS),
        creationTime: now,
        lastModifiedTime: now,
      });
      await this.persist();
    }
    await this.engine.start();
  }

  private toSnapshot(): StateSnapshot {
    return {
      version: 1,
      buses: [...this.buses.values()],
      rules: [...this.rules.values()],
      connections: [...this.connections.values()],
      apiDestinations: [...this.apiDestinations.values()],
    };
  }

  private async rulesChanged(): Promise<void> {
    this.routing = undefined;
    await this.persist();
  }

  private async persist(): Promise<void> {
    await this.snapshot?.save();
  }

  // -------------------------------------------------------------------------------------------------
  // Names and ARNs

  /** A bus name from a name or an ARN; absent means the default bus. */
  private busNameOf(nameOrArn: string | undefined): string {
    if (nameOrArn === undefined || nameOrArn === "") return DEFAULT_BUS;
    const arn = /^arn:aws[\w-]*:events:([^:]*):([^:]*):event-bus\/(.+)$/.exec(nameOrArn);
    if (!arn) return nameOrArn;
    const [, region, account, name] = arn;
    // A bus of another region or account is not one of ours.
    return region === this.region && account === this.account ? (name as string) : nameOrArn;
  }

  private requireBus(nameOrArn: string | undefined): string {
    const name = this.busNameOf(nameOrArn);
    if (!this.buses.has(name)) throw notFound(`Event bus ${name} does not exist.`);
    return name;
  }

  private requireRule(name: string, busNameOrArn: string | undefined): RuleRecord {
    const busName = this.requireBus(busNameOrArn);
    const rule = this.rules.get(ruleKey(busName, name));
    if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${busName}.`);
    return rule;
  }

  private requireConnection(name: string): ConnectionRecord {
    const connection = this.connections.get(name);
    if (!connection)
      throw notFound(`Failed to describe the connection(s). Connection '${name}' does not exist.`);
    return connection;
  }

  private requireApiDestination(name: string): ApiDestinationRecord {
    const destination = this.apiDestinations.get(name);
    if (!destination) {
      throw notFound(
        `Failed to describe the api-destination(s). An api-destination '${name}' does not exist.`,
      );
    }
    return destination;
  }

  private busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.account}:event-bus/${name}`;
  }

  private ruleArn(busName: string, name: string): string {
    const path = busName === DEFAULT_BUS ? name : `${busName}/${name}`;
    return `arn:aws:events:${this.region}:${this.account}:rule/${path}`;
  }

  private secretArnOf(connection: ConnectionRecord): string {
    const id = connection.arn.split("/").at(-1);
    return `arn:aws:secretsmanager:${this.region}:${this.account}:secret:events!connection/${connection.name}/${id}`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Response shapes (dates as epoch seconds)

const ruleView = (rule: RuleRecord) => ({
  Name: rule.name,
  Arn: rule.arn,
  EventPattern: rule.eventPattern,
  ScheduleExpression: rule.scheduleExpression,
  State: rule.state,
  Description: rule.description,
  RoleArn: rule.roleArn,
  EventBusName: rule.busName,
});

const busView = (bus: BusRecord) => ({
  Name: bus.name,
  Arn: bus.arn,
  Description: bus.description,
  CreationTime: toEpochSeconds(bus.creationTime),
  LastModifiedTime: toEpochSeconds(bus.lastModifiedTime),
});

const connectionView = (connection: ConnectionRecord) => ({
  ConnectionArn: connection.arn,
  Name: connection.name,
  ConnectionState: connection.state,
  AuthorizationType: connection.authorizationType,
  CreationTime: toEpochSeconds(connection.creationTime),
  LastModifiedTime: toEpochSeconds(connection.lastModifiedTime),
  LastAuthorizedTime: toEpochSeconds(connection.lastAuthorizedTime),
});

const apiDestinationView = (destination: ApiDestinationRecord) => ({
  ApiDestinationArn: destination.arn,
  Name: destination.name,
  ApiDestinationState: destination.state,
  ConnectionArn: destination.connectionArn,
  InvocationEndpoint: destination.invocationEndpoint,
  HttpMethod: destination.httpMethod,
  InvocationRateLimitPerSecond: destination.invocationRateLimitPerSecond,
  CreationTime: toEpochSeconds(destination.creationTime),
  LastModifiedTime: toEpochSeconds(destination.lastModifiedTime),
});

/** DescribeConnection never returns secrets: API key values, passwords and client secrets are dropped. */
function withoutSecrets(auth: ConnectionRecord["authParameters"]): unknown {
  const invocation = auth.InvocationHttpParameters;
  const hideSecret = (p: { Key: string; Value: string; IsValueSecret?: boolean }) =>
    p.IsValueSecret ? { Key: p.Key, IsValueSecret: true } : p;
  return {
    ApiKeyAuthParameters: auth.ApiKeyAuthParameters && { ApiKeyName: auth.ApiKeyAuthParameters.ApiKeyName },
    BasicAuthParameters: auth.BasicAuthParameters && { Username: auth.BasicAuthParameters.Username },
    OAuthParameters: auth.OAuthParameters && {
      ClientParameters: { ClientID: auth.OAuthParameters.ClientParameters.ClientID },
      AuthorizationEndpoint: auth.OAuthParameters.AuthorizationEndpoint,
      HttpMethod: auth.OAuthParameters.HttpMethod,
      OAuthHttpParameters: auth.OAuthParameters.OAuthHttpParameters,
    },
    InvocationHttpParameters: invocation && {
      HeaderParameters: invocation.HeaderParameters?.map(hideSecret),
      QueryStringParameters: invocation.QueryStringParameters?.map(hideSecret),
      BodyParameters: invocation.BodyParameters?.map(hideSecret),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Helpers

const ruleKey = (busName: string, name: string): string => `${busName}\u0000${name}`;

const validation = (message: string): AwsServiceError => new AwsServiceError("ValidationException", message);
const notFound = (message: string): AwsServiceError =>
  new AwsServiceError("ResourceNotFoundException", message);

function invalidArgument(field: string): ResultEntry {
  return {
    ErrorCode: "InvalidArgument",
    ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
  };
}

/** The SDK sends Time as epoch seconds; an ISO string is accepted too. */
function eventTime(time: number | string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = typeof time === "number" ? time * 1000 : Date.parse(time);
  return Number.isFinite(ms) ? ms : undefined;
}

/** PutEvents entry size as AWS documents it: 14 bytes for Time plus the UTF-8 of the text fields. */
function entrySize(entry: PutEventsEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text));
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T): number => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  };

/**
 * One page of items sorted by key. The token names the last key returned, so pages stay consistent when
 * items are added or removed in between, and the last page carries no token (SDK paginators stop on it).
 */
function page<T>(
  items: T[],
  key: (item: T) => string,
  token: string | undefined,
  limit: number = PAGE_SIZE,
): { items: T[]; nextToken: string | undefined } {
  let start = 0;
  if (token !== undefined) {
    const after = decodeToken(token);
    start = items.findIndex((item) => key(item) > after);
    if (start === -1) start = items.length;
  }
  const slice = items.slice(start, start + limit);
  const last = slice.at(-1);
  const more = start + limit < items.length && last !== undefined;
  return {
    items: slice,
    nextToken: more ? Buffer.from(JSON.stringify({ after: key(last) })).toString("base64url") : undefined,
  };
}

function decodeToken(token: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (
      typeof decoded === "object" &&
      decoded !== null &&
      "after" in decoded &&
      typeof decoded.after === "string"
    ) {
      return decoded.after;
    }
  } catch {
    // falls through to the error below
  }
  throw validation("The NextToken is not valid.");
}
