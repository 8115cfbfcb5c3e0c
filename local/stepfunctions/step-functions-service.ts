// AWS Step Functions on one machine, spoken over the AWS JSON 1.0 protocol (X-Amz-Target
// AWSStepFunctions.*): this module owns the API surface (input validation, AWS error types, output shapes,
// dates as epoch seconds) and the service lifecycle; executions run in engine.ts, persistence is store.ts.
//
// Lifecycle: the first API call opens the store (replaying the journal under `dataDir`), so state machines
// can be created before start(); start() then resumes the executions a previous process left RUNNING;
// stop() interrupts runs without failing them and flushes the journal, so the next start() resumes them.
import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { type AwsJsonService, AwsServiceError, toEpochSeconds } from "../aws-protocol/aws-json-service.ts";
import { type LambdaInvoker, LOCAL_ACCOUNT, LOCAL_REGION } from "../functions/lambda-invoker.ts";
import {
  type ArnScope,
  assertExecutionArn,
  assertRoleArn,
  assertStateMachineArn,
  assertValidName,
  executionArn,
  stateMachineArn,
} from "./arns.ts";
import { compileDefinition, definitionId } from "./definition.ts";
import { ExecutionEngine } from "./engine.ts";
import { historyPage } from "./history.ts";
import type { Logger } from "./integrations.ts";
import { tryParseJson } from "./json.ts";
import { page } from "./paging.ts";
import { type EventsService, publishStatusChange } from "./status-events.ts";
import {
  type ExecutionRecord,
  executionStatusSchema,
  type StateMachineRecord,
  StepFunctionsStore,
} from "./store.ts";
import { TaskTokenRegistry } from "./task-tokens.ts";

export type { Logger } from "./integrations.ts";
export type { EventsService, ServiceEventEntry } from "./status-events.ts";

export interface LocalStepFunctionsOptions {
  /** Persist under `${dataDir}/stepfunctions/`; omitted = in memory. */
  dataDir?: string | undefined;
  /** Runs the Lambda functions that tasks invoke. */
  invoker: LambdaInvoker;
  /**
   * The local EventBridge: PutEvents for the events:putEvents integration, and `putServiceEvents` (when it
   * has one) for the "Step Functions Execution Status Change" events of Standard executions.
   */
  events?: EventsService | undefined;
  /** For the dynamodb:getItem/putItem/updateItem/deleteItem integrations. */
  dynamodb?: DynamoDBClient | undefined;
  region?: string | undefined;
  account?: string | undefined;
  /** Multiplies every Retry interval (tests use 0.001 so CDK-style Lambda retries take milliseconds). */
  retryIntervalScale?: number | undefined;
  logger?: Logger | undefined;
  /**
   * A run is restarted from its checkpoint this often (default 24 days) so the interpreter's 32-bit
   * timers never overflow during a long callback wait. Tests shorten it.
   */
  runRefreshSeconds?: number | undefined;
}

const silentInfoLogger: Logger = {
  info: () => {},
  warn: (message, details) => console.warn(`[stepfunctions] ${message}`, details ?? ""),
  error: (message, details) => console.error(`[stepfunctions] ${message}`, details ?? ""),
};

/** Executions can be redriven within 14 days of stopping (AWS). */
const REDRIVE_PERIOD_MS = 14 * 24 * 3600 * 1000;

interface Core {
  store: StepFunctionsStore;
  tokens: TaskTokenRegistry;
  engine: ExecutionEngine;
}

type Operation = (core: Core, input: Record<string, unknown>) => unknown;

// --- input schemas (lengths as in the API reference) ---------------------------------------------------
const arnInput = z.string().min(1).max(2048);
const maxResults = z.number().int().min(0).max(1000).optional();
const nextToken = z.string().min(1).max(1024).optional();
const jsonObject = z.record(z.string(), z.unknown());
const errorInput = z.string().max(256).optional();
const causeInput = z.string().max(32768).optional();

const CreateStateMachineInput = z.object({
  name: z.string(),
  definition: z.string().min(1).max(1_048_576),
  roleArn: arnInput,
  type: z.enum(["STANDARD", "EXPRESS"]).optional(),
  loggingConfiguration: jsonObject.optional(),
  tracingConfiguration: jsonObject.optional(),
});
const StateMachineArnInput = z.object({ stateMachineArn: arnInput });
const UpdateStateMachineInput = z.object({
  stateMachineArn: arnInput,
  definition: z.string().min(1).max(1_048_576).optional(),
  roleArn: arnInput.optional(),
  loggingConfiguration: jsonObject.optional(),
  tracingConfiguration: jsonObject.optional(),
});
const ListStateMachinesInput = z.object({ maxResults, nextToken });
const ValidateDefinitionInput = z.object({ definition: z.string().min(1).max(1_048_576) });
const StartExecutionInput = z.object({
  stateMachineArn: arnInput,
  name: z.string().optional(),
  input: z.string().max(262_144).optional(),
  traceHeader: z.string().optional(),
});
const ExecutionArnInput = z.object({ executionArn: arnInput });
const ListExecutionsInput = z.object({
  stateMachineArn: arnInput.optional(),
  mapRunArn: arnInput.optional(),
  statusFilter: executionStatusSchema.optional(),
  redriveFilter: z.enum(["REDRIVEN", "NOT_REDRIVEN"]).optional(),
  maxResults,
  nextToken: z.string().min(1).max(3096).optional(),
});
const GetExecutionHistoryInput = z.object({
  executionArn: arnInput,
  maxResults,
  nextToken,
  reverseOrder: z.boolean().optional(),
  includeExecutionData: z.boolean().optional(),
});
const StopExecutionInput = z.object({ executionArn: arnInput, error: errorInput, cause: causeInput });
const RedriveExecutionInput = z.object({
  executionArn: arnInput,
  clientToken: z.string().max(64).optional(),
});
const taskToken = z.string().min(1).max(2048);
const SendTaskSuccessInput = z.object({ taskToken, output: z.string().max(262_144) });
const SendTaskFailureInput = z.object({ taskToken, error: errorInput, cause: causeInput });
const SendTaskHeartbeatInput = z.object({ taskToken });

function parseInput<T>(schema: z.ZodType<T>, input: Record<string, unknown>): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `Value at '${issue.path.join(".")}' failed to satisfy constraint: ${issue.message}`,
  );
  throw new AwsServiceError(
    "ValidationException",
    `${problems.length} validation error${problems.length === 1 ? "" : "s"} detected: ${problems.join("; ")}`,
  );
}

const seconds = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : toEpochSeconds(ms);

/** Drops undefined fields so optional members are absent on the wire rather than null. */
function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class LocalStepFunctions implements AwsJsonService {
  readonly targetPrefix = "AWSStepFunctions";
  readonly jsonVersion = "1.0" as const;
  private readonly scope: ArnScope;
  private readonly logger: Logger;
  private core: Promise<Core> | undefined;
  private started = false;
  /** RedriveExecution clientToken -> the redrive it started (idempotent retries of the same call). */
  private readonly redriveTokens = new Map<string, { executionArn: string; redriveDate: number }>();

  private readonly operations: Record<string, Operation> = {
    CreateStateMachine: (core, input) => this.createStateMachine(core, input),
    DescribeStateMachine: (core, input) => this.describeStateMachine(core, input),
    UpdateStateMachine: (core, input) => this.updateStateMachine(core, input),
    ListStateMachines: (core, input) => this.listStateMachines(core, input),
    DeleteStateMachine: (core, input) => this.deleteStateMachine(core, input),
    ValidateStateMachineDefinition: (_core, input) => this.validateDefinition(input),
    StartExecution: (core, input) => this.startExecution(core, input),
    StartSyncExecution: (core, input) => this.startSyncExecution(core, input),
    DescribeExecution: (core, input) => this.describeExecution(core, input),
    DescribeStateMachineForExecution: (core, input) => this.describeStateMachineForExecution(core, input),
    ListExecutions: (core, input) => this.listExecutions(core, input),
    GetExecutionHistory: (core, input) => this.getExecutionHistory(core, input),
    StopExecution: (core, input) => this.stopExecution(core, input),
    RedriveExecution: (core, input) => this.redriveExecution(core, input),
    SendTaskSuccess: (core, input) => this.sendTaskSuccess(core, input),
    SendTaskFailure: (core, input) => this.sendTaskFailure(core, input),
    SendTaskHeartbeat: (core, input) => this.sendTaskHeartbeat(core, input),
  };

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.scope = { region: options.region ?? LOCAL_REGION, account: options.account ?? LOCAL_ACCOUNT };
    this.logger = options.logger ?? silentInfoLogger;
  }

  /** Loads persisted state and resumes the executions that were RUNNING when the last process stopped. */
  async start(): Promise<void> {
    const core = await this.open();
    if (this.started) return;
    this.started = true;
    core.engine.activate();
    const running = [...core.store.executions.values()].filter((e) => e.status === "RUNNING");
    for (const execution of running) {
      if (!core.engine.isRunning(execution.arn)) core.engine.resume(execution);
    }
    if (running.length > 0) this.logger.info("resumed step functions executions", { count: running.length });
  }

  /** Interrupts in-process runs without failing them and flushes the journal; start() resumes them. */
  async stop(): Promise<void> {
    const pending = this.core;
    if (!pending) return;
    const core = await pending;
    await core.engine.suspendAll();
    await core.store.close();
    this.started = false;
    // In memory the state is the only copy: keep it for a later start(). On disk, reopen from the journal.
    if (this.options.dataDir) this.core = undefined;
  }

  /** Resolves when no execution is running, not counting executions parked on a task token. */
  async whenIdle(): Promise<void> {
    if (!this.core) return;
    const core = await this.core;
    await core.engine.whenIdle();
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    const run = this.operations[operation];
    if (!run) throw new AwsServiceError("UnknownOperationException", `Unknown operation ${operation}`);
    return run(await this.open(), input);
  }

  private open(): Promise<Core> {
    this.core ??= this.openCore().catch((error: unknown) => {
      this.core = undefined;
      throw error;
    });
    return this.core;
  }

  private async openCore(): Promise<Core> {
    const store = await StepFunctionsStore.open(this.options.dataDir, this.logger);
    const tokens = new TaskTokenRegistry((record) => store.putToken(record));
    for (const record of store.restoredTokens) tokens.restore(record);
    const engine = new ExecutionEngine({
      store,
      tokens,
      integrations: {
        invoker: this.options.invoker,
        events: this.options.events,
        dynamodb: this.options.dynamodb,
        region: this.scope.region,
        account: this.scope.account,
        logger: this.logger,
      },
      retryIntervalScale: this.options.retryIntervalScale ?? 1,
      logger: this.logger,
      runRefreshSeconds: this.options.runRefreshSeconds,
      onStatusChange: (execution) => publishStatusChange(this.options.events, execution, this.logger),
    });
    await engine.init();
    return { store, tokens, engine };
  }

  // --- state machines ------------------------------------------------------------------------------------

  private createStateMachine(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(CreateStateMachineInput, raw);
    assertValidName(input.name, "state machine");
    assertRoleArn(input.roleArn);
    const type = input.type ?? "STANDARD";
    const id = this.acceptDefinition(core, input.definition);
    const arn = stateMachineArn(this.scope, input.name);
    const existing = core.store.stateMachines.get(arn);
    if (existing) {
      // Idempotent like AWS: same name, definition and type return the existing machine.
      if (existing.definitionId === id && existing.type === type) {
        return { stateMachineArn: arn, creationDate: toEpochSeconds(existing.creationDate) };
      }
      throw new AwsServiceError("StateMachineAlreadyExists", `State Machine Already Exists: '${arn}'`);
    }
    const now = Date.now();
    const record: StateMachineRecord = {
      arn,
      name: input.name,
      type,
      roleArn: input.roleArn,
      definitionId: id,
      creationDate: now,
      seq: core.store.nextSeq(),
      loggingConfiguration: input.loggingConfiguration,
      tracingConfiguration: input.tracingConfiguration,
    };
    core.store.putStateMachine(compact(record) as StateMachineRecord);
    return { stateMachineArn: arn, creationDate: toEpochSeconds(now) };
  }

  /** Validates a definition once per distinct text and stores it; returns its id. */
  private acceptDefinition(core: Core, text: string): string {
    const id = definitionId(text);
    if (!core.store.definitions.has(id)) {
      const compiled = compileDefinition(text, { validate: true });
      core.engine.remember(compiled);
      core.store.putDefinition(id, text);
    }
    return id;
  }

  private machine(core: Core, arn: string): StateMachineRecord {
    assertStateMachineArn(arn);
    const machine = core.store.stateMachines.get(arn);
    if (!machine)
      throw new AwsServiceError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private describeMachine(core: Core, machine: StateMachineRecord, definitionIdOverride?: string) {
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: "ACTIVE",
      definition: core.store.definitions.get(definitionIdOverride ?? machine.definitionId) ?? "",
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: toEpochSeconds(machine.creationDate),
      loggingConfiguration: machine.loggingConfiguration ?? { level: "OFF", includeExecutionData: false },
      tracingConfiguration: machine.tracingConfiguration ?? { enabled: false },
    };
  }

  private describeStateMachine(core: Core, raw: Record<string, unknown>) {
    const { stateMachineArn } = parseInput(StateMachineArnInput, raw);
    return this.describeMachine(core, this.machine(core, stateMachineArn));
  }

  private updateStateMachine(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(UpdateStateMachineInput, raw);
    const machine = this.machine(core, input.stateMachineArn);
    if (
      input.definition === undefined &&
      input.roleArn === undefined &&
      input.loggingConfiguration === undefined &&
      input.tracingConfiguration === undefined
    ) {
      throw new AwsServiceError(
        "MissingRequiredParameter",
        "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
      );
    }
    if (input.roleArn !== undefined) assertRoleArn(input.roleArn);
    const now = Date.now();
    // Running executions keep the definition they started with (they reference it by id).
    const updated: StateMachineRecord = compact({
      ...machine,
      definitionId:
        input.definition === undefined ? machine.definitionId : this.acceptDefinition(core, input.definition),
      roleArn: input.roleArn ?? machine.roleArn,
      loggingConfiguration: input.loggingConfiguration ?? machine.loggingConfiguration,
      tracingConfiguration: input.tracingConfiguration ?? machine.tracingConfiguration,
      updateDate: now,
    }) as StateMachineRecord;
    core.store.putStateMachine(updated);
    return { updateDate: toEpochSeconds(now) };
  }

  private listStateMachines(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(ListStateMachinesInput, raw);
    const machines = [...core.store.stateMachines.values()].sort((a, b) => a.seq - b.seq);
    const result = page(machines, (m) => m.seq, { ...input, tag: "state-machines" });
    return compact({
      stateMachines: result.items.map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: m.type,
        creationDate: toEpochSeconds(m.creationDate),
      })),
      nextToken: result.nextToken,
    });
  }

  private deleteStateMachine(core: Core, raw: Record<string, unknown>) {
    const { stateMachineArn } = parseInput(StateMachineArnInput, raw);
    assertStateMachineArn(stateMachineArn);
    // As on AWS, executions already running finish; deleting an unknown machine succeeds.
    core.store.deleteStateMachine(stateMachineArn);
    return {};
  }

  private validateDefinition(raw: Record<string, unknown>) {
    const { definition } = parseInput(ValidateDefinitionInput, raw);
    try {
      compileDefinition(definition, { validate: true });
      return { result: "OK", diagnostics: [] };
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      return {
        result: "FAIL",
        diagnostics: [{ severity: "ERROR", code: "SCHEMA_VALIDATION_FAILED", message: error.message }],
      };
    }
  }

  // --- executions ----------------------------------------------------------------------------------------

  private startExecution(core: Core, raw: Record<string, unknown>) {
    const execution = this.createExecution(core, raw);
    return { executionArn: execution.arn, startDate: toEpochSeconds(execution.startDate) };
  }

  private createExecution(core: Core, raw: Record<string, unknown>, requireExpress = false): ExecutionRecord {
    const input = parseInput(StartExecutionInput, raw);
    const machine = this.machine(core, input.stateMachineArn);
    if (requireExpress && machine.type !== "EXPRESS") {
      throw new AwsServiceError(
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
      );
    }
    const name = input.name ?? randomUUID();
    assertValidName(name, "execution");
    const text = input.input ?? "{}";
    const parsed = tryParseJson(text);
    if (!parsed) {
      throw new AwsServiceError(
        "InvalidExecutionInput",
        `Invalid State Machine Execution Input: '${text.slice(0, 200)}'`,
      );
    }
    const arn = executionArn(this.scope, machine.name, name, machine.type);
    const existing = core.store.executions.get(arn);
    if (existing) {
      // Standard executions are idempotent on name + input while running (AWS).
      const sameInput = JSON.stringify(tryParseJson(existing.input)?.value) === JSON.stringify(parsed.value);
      if (existing.status === "RUNNING" && sameInput) return existing;
      throw new AwsServiceError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
    }
    const execution = core.store.addExecution({
      seq: core.store.nextSeq(),
      arn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      type: machine.type,
      definitionId: machine.definitionId,
      roleArn: machine.roleArn,
      input: text,
      startDate: Date.now(),
    });
    core.engine.begin(execution);
    return execution;
  }

  private async startSyncExecution(core: Core, raw: Record<string, unknown>) {
    const execution = this.createExecution(core, raw, true);
    await core.engine.completion(execution.arn);
    const stopped = execution.status === "RUNNING";
    return compact({
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      startDate: toEpochSeconds(execution.startDate),
      stopDate: toEpochSeconds(execution.stopDate ?? Date.now()),
      status: stopped ? "FAILED" : execution.status,
      error: stopped ? "States.Runtime" : execution.error,
      cause: stopped ? "The local Step Functions stopped during the execution" : execution.cause,
      input: execution.input,
      inputDetails: { included: true },
      output: execution.output,
      outputDetails: execution.output === undefined ? undefined : { included: true },
      billingDetails: {
        billedMemoryUsedInMB: 64,
        billedDurationInMilliseconds: Math.max(100, (execution.stopDate ?? Date.now()) - execution.startDate),
      },
    });
  }

  private execution(core: Core, arn: string): ExecutionRecord {
    assertExecutionArn(arn);
    const execution = core.store.executions.get(arn);
    if (!execution) throw new AwsServiceError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private redriveBlocker(core: Core, execution: ExecutionRecord): string | undefined {
    if (execution.type === "EXPRESS") return "Execution of an EXPRESS state machine cannot be redriven.";
    if (execution.status === "RUNNING" || execution.status === "SUCCEEDED") {
      return `Execution is ${execution.status} and cannot be redriven.`;
    }
    if (!core.store.stateMachines.has(execution.stateMachineArn))
      return "State machine is in DELETING status.";
    if (Date.now() - (execution.stopDate ?? 0) > REDRIVE_PERIOD_MS)
      return "Execution redrivable period exceeded.";
    return undefined;
  }

  private describeExecution(core: Core, raw: Record<string, unknown>) {
    const { executionArn } = parseInput(ExecutionArnInput, raw);
    const execution = this.execution(core, executionArn);
    const blocker = this.redriveBlocker(core, execution);
    return compact({
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: toEpochSeconds(execution.startDate),
      stopDate: seconds(execution.stopDate),
      input: execution.input,
      inputDetails: { included: true },
      output: execution.output,
      outputDetails: execution.output === undefined ? undefined : { included: true },
      error: execution.error,
      cause: execution.cause,
      redriveCount: execution.redriveCount,
      redriveDate: seconds(execution.redriveDate),
      redriveStatus: blocker ? "NOT_REDRIVABLE" : "REDRIVABLE",
      redriveStatusReason: blocker,
    });
  }

  private describeStateMachineForExecution(core: Core, raw: Record<string, unknown>) {
    const { executionArn } = parseInput(ExecutionArnInput, raw);
    const execution = this.execution(core, executionArn);
    const machine: StateMachineRecord = core.store.stateMachines.get(execution.stateMachineArn) ?? {
      arn: execution.stateMachineArn,
      name: execution.stateMachineName,
      type: execution.type,
      roleArn: execution.roleArn,
      definitionId: execution.definitionId,
      creationDate: execution.startDate,
      seq: 0,
    };
    const { stateMachineArn, name, definition, roleArn, loggingConfiguration, tracingConfiguration } =
      this.describeMachine(core, machine, execution.definitionId);
    return {
      stateMachineArn,
      name,
      definition,
      roleArn,
      updateDate: toEpochSeconds(machine.updateDate ?? machine.creationDate),
      loggingConfiguration,
      tracingConfiguration,
    };
  }

  private listExecutions(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(ListExecutionsInput, raw);
    if (input.mapRunArn !== undefined) {
      throw new AwsServiceError("ResourceNotFound", `Map Run Does Not Exist: '${input.mapRunArn}'`);
    }
    if (input.stateMachineArn === undefined) {
      throw new AwsServiceError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
    }
    const machine = this.machine(core, input.stateMachineArn);
    const executions = core.store
      .executionsOf(machine.arn)
      .filter((e) => input.statusFilter === undefined || e.status === input.statusFilter)
      .filter(
        (e) =>
          input.redriveFilter === undefined || e.redriveCount > 0 === (input.redriveFilter === "REDRIVEN"),
      )
      .reverse();
    const result = page(executions, (e) => e.seq, {
      maxResults: input.maxResults,
      nextToken: input.nextToken,
      tag: `executions:${machine.arn}`,
      descending: true,
    });
    return compact({
      executions: result.items.map((e) =>
        compact({
          executionArn: e.arn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: toEpochSeconds(e.startDate),
          stopDate: seconds(e.stopDate),
          redriveCount: e.redriveCount,
          redriveDate: seconds(e.redriveDate),
        }),
      ),
      nextToken: result.nextToken,
    });
  }

  private getExecutionHistory(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(GetExecutionHistoryInput, raw);
    const execution = this.execution(core, input.executionArn);
    return historyPage(execution.events, input);
  }

  private stopExecution(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(StopExecutionInput, raw);
    const execution = this.execution(core, input.executionArn);
    core.engine.stop(execution, input.error, input.cause);
    return { stopDate: toEpochSeconds(execution.stopDate ?? Date.now()) };
  }

  private redriveExecution(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(RedriveExecutionInput, raw);
    const execution = this.execution(core, input.executionArn);
    const previous = input.clientToken ? this.redriveTokens.get(input.clientToken) : undefined;
    if (previous && previous.executionArn === execution.arn)
      return { redriveDate: toEpochSeconds(previous.redriveDate) };
    const blocker = this.redriveBlocker(core, execution);
    if (blocker) throw new AwsServiceError("ExecutionNotRedrivable", blocker);
    const redriveDate = core.engine.redrive(execution).getTime();
    if (input.clientToken)
      this.redriveTokens.set(input.clientToken, { executionArn: execution.arn, redriveDate });
    return { redriveDate: toEpochSeconds(redriveDate) };
  }

  // --- callbacks -----------------------------------------------------------------------------------------

  private sendTaskSuccess(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(SendTaskSuccessInput, raw);
    if (!tryParseJson(input.output)) {
      throw new AwsServiceError("InvalidOutput", `Invalid Output: '${input.output.slice(0, 200)}'`);
    }
    core.tokens.sendSuccess(input.taskToken, input.output);
    return {};
  }

  private sendTaskFailure(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(SendTaskFailureInput, raw);
    core.tokens.sendFailure(input.taskToken, input.error, input.cause);
    return {};
  }

  private sendTaskHeartbeat(core: Core, raw: Record<string, unknown>) {
    const input = parseInput(SendTaskHeartbeatInput, raw);
    core.tokens.sendHeartbeat(input.taskToken);
    return {};
  }
}
