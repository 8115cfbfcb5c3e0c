// Runs executions on aws-local-stepfunctions and owns their lifecycle: start, task handling (service
// integrations, retries, timeouts, task tokens), history recording, terminal status, StopExecution,
// execution timeouts, resume after a restart, redrive, idle detection and suspension on stop().
//
// How a run maps onto the library:
// - Every Task state (including those inside Parallel branches and Map item processors) gets a handler in
//   `taskResourceLocalHandlers`, which the library keys by state name. The handler calls the integration,
//   retries per the state's Retry (stripped from the library's copy, see definition.ts), enforces
//   TimeoutSeconds, and records Task*/LambdaFunction* history events.
// - `$$.Task.Token` is a getter on the context object that mints a fresh token per read; a callback task
//   finds its token in its post-Parameters input and waits on the token registry.
// - State-level history comes from the library's event log, mapped by HistoryMapper.
// - Resume and redrive start a run at the last top-level state entered (history's checkpoint) with that
//   state's input. A failure or interruption inside a Parallel or Map therefore restarts the whole
//   top-level Parallel/Map state: its branches and iterations run again (tasks are idempotent by design).
//   AWS's redrive reruns only the failed branches and iterations; a resumed run does reuse the task-token
//   records of its interrupted attempt, so a callback task waits on the same token (or returns the outcome
//   that arrived meanwhile) instead of handing out a new one.
import "../polyfills.ts";
import { ExecutionAbortedError, ExecutionError, StateMachine } from "aws-local-stepfunctions";
import type { CompiledDefinition, TaskStateInfo } from "./definition.ts";
import { compileDefinition, TIMEOUT_PATH_WRAPPER } from "./definition.ts";
import { dataDetails, HistoryMapper, type NewEvent } from "./history.ts";
import {
  type CallContext,
  callResource,
  describeResource,
  type IntegrationDependencies,
  type Logger,
  type ResourceInfo,
  TaskFailure,
} from "./integrations.ts";
import {
  findString,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  replaceString,
  tryParseJson,
} from "./json.ts";
import { RetryPolicy } from "./retry.ts";
import type { Checkpoint, ExecutionRecord, ExecutionStatusFields, StepFunctionsStore } from "./store.ts";
import {
  mintTaskToken,
  type TaskTokenRecord,
  type TaskTokenRegistry,
  TOKEN_PLACEHOLDER,
  type TokenOutcome,
} from "./task-tokens.ts";
import { MAX_TIMER_MS, nextTurn, raceSignal, scheduleAt, sleep } from "./timers.ts";

type LibraryRunOptions = NonNullable<Parameters<StateMachine["run"]>[1]>;
type LibraryOverrides = NonNullable<LibraryRunOptions["overrides"]>;
type LibraryJson = Parameters<StateMachine["run"]>[0];
type LibraryRun = ReturnType<StateMachine["run"]>;

/** AWS ends an execution whose history reaches this many events. */
export const MAX_HISTORY_EVENTS = 25_000;

/** A run stops the library (and itself) at least this often, so no 32-bit library timer can overflow. */
const DEFAULT_RUN_REFRESH_SECONDS = 24 * 24 * 3600;

const FAIL_STATE_DEFAULT_CAUSE = "Execution failed because of a Fail state";

/** Why a run's work stops early: suspension (stop()), StopExecution, an execution timeout or its own end. */
class RunInterrupted extends Error {
  override readonly name = "RunInterrupted";
}

/** One shared instance: every run ends by aborting its signal, and a stack trace per run is wasted work. */
const INTERRUPTED = new RunInterrupted("run interrupted");

type RunMode = "running" | "suspended" | "concluded";

type Outcome =
  | { status: "SUCCEEDED"; output: string }
  | { status: "FAILED" | "ABORTED"; error?: string | undefined; cause?: string | undefined }
  | { status: "TIMED_OUT" };

interface TaskHandlerState extends TaskStateInfo {
  info: ResourceInfo;
}

class Run {
  mode: RunMode = "running";
  readonly controller = new AbortController();
  /** Task handlers in progress, and how many of them wait on a task token. */
  busy = 0;
  parked = 0;
  /** Wait states in progress (from the event log). */
  waits = 0;
  /** Tokens minted by `$$.Task.Token` reads and not yet claimed by a callback task. */
  readonly minted = new Set<string>();
  /** Token records of the interrupted attempt already reused by this run. */
  readonly claimed = new Set<string>();
  readonly mapper: HistoryMapper;
  abortLibrary: () => void = () => {};
  done: Promise<void> = Promise.resolve();
  private readonly cancels: (() => void)[] = [];
  private alreadyEntered: string | undefined;

  constructor(
    readonly execution: ExecutionRecord,
    readonly compiled: CompiledDefinition,
    /** Resumed runs: the checkpoint whose top-level StateEntered is already in the history. */
    readonly resumedFrom: Checkpoint | undefined,
  ) {
    this.mapper = new HistoryMapper((name) => compiled.states.get(name));
    this.alreadyEntered = resumedFrom?.state;
  }

  /** True once, for the resumed state's first StateEntered: it is in the history from before the restart. */
  isAlreadyEntered(stateName: string): boolean {
    if (this.alreadyEntered !== stateName) return false;
    this.alreadyEntered = undefined;
    return true;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isParked(): boolean {
    return this.parked > 0 && this.busy === this.parked && this.waits === 0;
  }

  at(time: number, fn: () => void): void {
    this.cancels.push(scheduleAt(time, fn));
  }

  /** Stops the library run and everything waiting inside it; true when the run was still running. */
  interrupt(mode: RunMode): boolean {
    if (this.mode !== "running") return false;
    this.mode = mode;
    this.dispose();
    this.abortLibrary();
    return true;
  }

  dispose(): void {
    for (const cancel of this.cancels.splice(0)) cancel();
    if (!this.signal.aborted) this.controller.abort(INTERRUPTED);
  }
}

export interface EngineOptions {
  store: StepFunctionsStore;
  tokens: TaskTokenRegistry;
  integrations: IntegrationDependencies;
  retryIntervalScale: number;
  logger: Logger;
  runRefreshSeconds?: number | undefined;
  /** Called after an execution's status changed (started, redriven, ended), e.g. to publish it. */
  onStatusChange?: ((execution: ExecutionRecord) => void) | undefined;
}

export class ExecutionEngine {
  private readonly runs = new Map<string, Run>();
  private readonly compiledById = new Map<string, CompiledDefinition>();
  private readonly taskStates = new WeakMap<CompiledDefinition, TaskHandlerState[]>();
  private idleWaiters: (() => void)[] = [];
  private idleCheckScheduled = false;
  private suspended = false;
  private makeTimeoutError: () => Error = () => Object.assign(new Error(""), { name: "States.Timeout" });

  constructor(private readonly options: EngineOptions) {}

  /** Must run once before executions start (captures the library's timeout error class). */
  async init(): Promise<void> {
    const timeoutClass = await captureStatesTimeoutClass();
    if (timeoutClass) {
      this.makeTimeoutError = () => {
        const error = new timeoutClass();
        error.message = "";
        return error;
      };
    } else {
      this.options.logger.warn(
        "could not capture the States.Timeout class: States.TaskFailed will match timeouts",
      );
    }
  }

  /** Allows runs to be re-armed again after suspendAll() (a service started again after stop()). */
  activate(): void {
    this.suspended = false;
  }

  /** The compiled definition, built once per definition (validated definitions are handed in by `remember`). */
  compiled(definitionId: string): CompiledDefinition {
    let compiled = this.compiledById.get(definitionId);
    if (!compiled) {
      const text = this.options.store.definitions.get(definitionId);
      if (text === undefined) throw new Error(`definition ${definitionId} is missing from the store`);
      compiled = compileDefinition(text, { validate: false });
      this.compiledById.set(definitionId, compiled);
    }
    return compiled;
  }

  remember(compiled: CompiledDefinition): void {
    this.compiledById.set(compiled.id, compiled);
  }

  isRunning(executionArn: string): boolean {
    return this.runs.has(executionArn);
  }

  /** Records ExecutionStarted and runs the execution from its StartAt. */
  begin(execution: ExecutionRecord): void {
    this.options.store.appendEvent(execution, {
      type: "ExecutionStarted",
      details: { ...dataDetails("input", execution.input), roleArn: execution.roleArn },
    });
    this.options.onStatusChange?.(execution);
    this.launch(execution, undefined, undefined);
  }

  /** Continues an execution that was RUNNING when the process stopped, from its checkpoint. */
  resume(execution: ExecutionRecord): void {
    const checkpoint = execution.checkpoint;
    this.launch(execution, checkpoint, checkpoint);
  }

  /** RedriveExecution: the service has checked that the execution is redrivable. */
  redrive(execution: ExecutionRecord): Date {
    const now = Date.now();
    this.options.store.setStatus(execution, {
      status: "RUNNING",
      redriveCount: execution.redriveCount + 1,
      redriveDate: now,
    });
    this.options.store.appendEvent(execution, {
      type: "ExecutionRedriven",
      details: { redriveCount: execution.redriveCount },
    });
    this.options.onStatusChange?.(execution);
    this.launch(execution, execution.checkpoint, undefined);
    return new Date(now);
  }

  /** StopExecution: ABORTED at once, whether or not a run is attached (e.g. before resume). */
  stop(execution: ExecutionRecord, error: string | undefined, cause: string | undefined): void {
    if (execution.status !== "RUNNING") return;
    this.conclude(execution, this.runs.get(execution.arn), { status: "ABORTED", error, cause });
  }

  /** Resolves when the execution's current run has ended (StartSyncExecution). */
  async completion(executionArn: string): Promise<void> {
    await this.runs.get(executionArn)?.done;
  }

  /** Resolves when every run is finished or parked on a task token. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.scheduleIdleCheck();
    });
  }

  /** Interrupts every run without recording anything, so that the next start resumes them. */
  async suspendAll(): Promise<void> {
    this.suspended = true;
    const runs = [...this.runs.values()];
    for (const run of runs) run.interrupt("suspended");
    await Promise.allSettled(runs.map((run) => run.done));
    this.options.tokens.stopTimers();
  }

  private launch(
    execution: ExecutionRecord,
    from: Checkpoint | undefined,
    resumedFrom: Checkpoint | undefined,
  ) {
    let compiled: CompiledDefinition;
    try {
      compiled = this.compiled(execution.definitionId);
    } catch (error) {
      this.conclude(execution, undefined, {
        status: "FAILED",
        error: "States.Runtime",
        cause: String(error),
      });
      return;
    }
    const run = new Run(execution, compiled, resumedFrom);
    this.runs.set(execution.arn, run);
    const now = Date.now();
    if (compiled.timeoutSeconds !== undefined) {
      const deadline = (execution.redriveDate ?? execution.startDate) + compiled.timeoutSeconds * 1000;
      run.at(deadline, () => this.conclude(execution, run, { status: "TIMED_OUT" }));
    }
    const refreshSeconds = this.options.runRefreshSeconds ?? DEFAULT_RUN_REFRESH_SECONDS;
    run.at(now + refreshSeconds * 1000, () => {
      this.refresh(run).catch((error: unknown) => this.options.logger.error("run refresh failed", { error }));
    });

    const startAt = from?.state ?? compiled.startAt;
    const input = tryParseJson(from?.input ?? execution.input)?.value ?? {};
    let library: LibraryRun;
    try {
      library = compiled.machineFor(startAt).run(input as LibraryJson, {
        context: this.contextFor(run),
        overrides: this.overridesFor(run, resumedFrom, now),
      });
    } catch (error) {
      this.conclude(execution, run, { status: "FAILED", error: "States.Runtime", cause: String(error) });
      this.runs.delete(execution.arn);
      return;
    }
    run.abortLibrary = library.abort;
    const consumed = this.consume(run, library.eventLogs);
    run.done = this.settle(run, library.result, consumed);
  }

  /** Re-arms a long run: the library's task timers are 32-bit, so a run restarts from its checkpoint. */
  private async refresh(run: Run): Promise<void> {
    if (!run.interrupt("suspended")) return;
    await run.done;
    if (!this.suspended && run.execution.status === "RUNNING" && !this.runs.has(run.execution.arn)) {
      this.resume(run.execution);
    }
  }

  private contextFor(run: Run): Record<string, unknown> {
    const { execution } = run;
    return {
      Execution: {
        Id: execution.arn,
        Name: execution.name,
        RoleArn: execution.roleArn,
        StartTime: new Date(execution.startDate).toISOString(),
        Input: tryParseJson(execution.input)?.value ?? {},
        RedriveCount: execution.redriveCount,
      },
      StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineName },
      // A getter, so every read (one per task, per Map item) mints a new token.
      Task: {
        get Token() {
          const token = mintTaskToken(execution.arn);
          run.minted.add(token);
          return token;
        },
      },
      State: {
        get EnteredTime() {
          return new Date().toISOString();
        },
      },
    };
  }

  private overridesFor(run: Run, resumedFrom: Checkpoint | undefined, now: number): LibraryOverrides {
    let tasks = this.taskStates.get(run.compiled);
    if (!tasks) {
      tasks = run.compiled.tasks.map((task) => ({ ...task, info: describeResource(task.resource) }));
      this.taskStates.set(run.compiled, tasks);
    }
    const handlers: NonNullable<LibraryOverrides["taskResourceLocalHandlers"]> = {};
    for (const state of tasks) {
      handlers[state.name] = async (input) => {
        if (state.timeoutSecondsPath === undefined) {
          return (await this.runTask(run, state, input as JsonValue)) as LibraryJson;
        }
        const wrapped = isJsonObject(input as JsonValue) ? (input as JsonObject) : {};
        const timeoutSeconds = resolveTimeoutPath(wrapped[TIMEOUT_PATH_WRAPPER.input], state);
        const parameters = (wrapped[TIMEOUT_PATH_WRAPPER.parameters] ?? null) as JsonValue;
        return (await this.runTask(run, { ...state, timeoutSeconds }, parameters)) as LibraryJson;
      };
    }
    const overrides: LibraryOverrides = { taskResourceLocalHandlers: handlers };
    const retryOverrides = run.compiled.libraryRetryOverrides(this.options.retryIntervalScale);
    if (retryOverrides) overrides.retryIntervalOverrides = retryOverrides;
    const resumedState = resumedFrom ? run.compiled.states.get(resumedFrom.state) : undefined;
    const seconds = resumedState?.node.Seconds;
    if (resumedFrom && resumedState?.type === "Wait" && seconds !== undefined) {
      // A resumed Wait waits only for what was left; a one-shot getter, so later visits wait in full.
      const remaining = Math.max(0, resumedFrom.timestamp + seconds * 1000 - now);
      let used = false;
      overrides.waitTimeOverrides = Object.defineProperty({}, resumedFrom.state, {
        enumerable: true,
        get: () => {
          if (used) return undefined;
          used = true;
          return Math.min(remaining, MAX_TIMER_MS);
        },
      });
    }
    return overrides;
  }

  private async consume(run: Run, events: LibraryRun["eventLogs"]): Promise<void> {
    try {
      for await (const event of events) {
        if (run.mode !== "running") continue;
        if ("state" in event && event.state.type === "Wait") {
          if (event.type === "StateEntered") run.waits++;
          else if (event.type === "StateExited" || event.type === "StateFailed")
            run.waits = Math.max(0, run.waits - 1);
          this.scheduleIdleCheck();
        }
        const mapped = run.mapper.map(event);
        if (event.type === "StateEntered" && run.isAlreadyEntered(event.state.name)) continue;
        for (const entry of mapped) {
          const name = entry.details?.["name"];
          const topLevel =
            entry.type.endsWith("StateEntered") &&
            typeof name === "string" &&
            run.compiled.states.get(name)?.topLevel === name;
          this.record(run, entry, topLevel);
        }
      }
    } catch (error) {
      this.options.logger.error("step functions history consumer failed", { error: String(error) });
    }
  }

  private async settle(run: Run, result: Promise<LibraryJson>, consumed: Promise<void>): Promise<void> {
    let outcome: Outcome | undefined;
    try {
      outcome = { status: "SUCCEEDED", output: JSON.stringify(await result) };
    } catch (error) {
      outcome = failureOf(error);
    }
    await consumed;
    if (outcome && run.mode === "running") this.conclude(run.execution, run, outcome);
    run.dispose();
    if (this.runs.get(run.execution.arn) === run) this.runs.delete(run.execution.arn);
    this.scheduleIdleCheck();
  }

  /** Records the terminal event and status once, closes the execution's tokens and stops its run. */
  private conclude(execution: ExecutionRecord, run: Run | undefined, outcome: Outcome): void {
    if (execution.status !== "RUNNING") return;
    run?.interrupt("concluded");
    const { store } = this.options;
    const now = Date.now();
    const fields: ExecutionStatusFields = {
      status: outcome.status,
      stopDate: now,
      redriveCount: execution.redriveCount,
      redriveDate: execution.redriveDate,
    };
    let event: NewEvent;
    switch (outcome.status) {
      case "SUCCEEDED":
        fields.output = outcome.output;
        event = { type: "ExecutionSucceeded", details: dataDetails("output", outcome.output) };
        break;
      case "TIMED_OUT":
        fields.error = "States.Timeout";
        event = { type: "ExecutionTimedOut", details: { error: "States.Timeout" } };
        break;
      default: {
        const details: Record<string, unknown> = {};
        if (outcome.error) details["error"] = fields.error = outcome.error;
        if (outcome.cause) details["cause"] = fields.cause = outcome.cause;
        event = { type: outcome.status === "FAILED" ? "ExecutionFailed" : "ExecutionAborted", details };
      }
    }
    store.appendEvent(execution, event, false, now);
    store.setStatus(execution, fields);
    this.options.tokens.closeExecution(execution.arn);
    this.options.onStatusChange?.(execution);
    this.scheduleIdleCheck();
  }

  private record(run: Run, event: NewEvent, topLevel = false): void {
    if (run.mode !== "running") return;
    if (run.execution.events.length >= MAX_HISTORY_EVENTS - 1) {
      this.conclude(run.execution, run, {
        status: "FAILED",
        error: "States.Runtime",
        cause: `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`,
      });
      return;
    }
    this.options.store.appendEvent(run.execution, event, topLevel);
  }

  private async runTask(run: Run, task: TaskHandlerState, input: JsonValue): Promise<JsonValue> {
    if (run.mode !== "running") throw INTERRUPTED;
    run.busy++;
    try {
      // The library calls a task handler in the same tick as it queues the state's StateEntered event, and
      // its event log is read asynchronously: one macrotask later the history has TaskStateEntered, and
      // the checkpoint is current, before this task records anything.
      await nextTurn();
      if (run.mode !== "running") throw INTERRUPTED;
      const policy = new RetryPolicy(task.retriers, this.options.retryIntervalScale);
      let token = task.info.callback ? findString(input, (s) => run.minted.has(s)) : undefined;
      let attemptInput = input;
      for (;;) {
        try {
          return await this.attempt(run, task, attemptInput, token);
        } catch (error) {
          if (run.mode !== "running" || !(error instanceof Error)) throw error;
          const delay = policy.nextDelayMs(error.name);
          if (delay === undefined) throw error;
          await sleep(delay, run.signal);
          if (token !== undefined) {
            // Each attempt of a callback task gets its own token, as on AWS.
            const fresh = mintTaskToken(run.execution.arn);
            attemptInput = replaceString(attemptInput, token, fresh);
            token = fresh;
          }
        }
      }
    } finally {
      run.busy--;
      this.scheduleIdleCheck();
    }
  }

  private async attempt(run: Run, task: TaskHandlerState, input: JsonValue, token: string | undefined) {
    if (task.info.callback) return this.callbackAttempt(run, task, input, token);
    this.recordScheduled(run, task, input);
    try {
      const timeoutMs = task.timeoutSeconds === undefined ? undefined : task.timeoutSeconds * 1000;
      const call = callResource(this.options.integrations, task.info, input, this.callContext(run));
      const result = await raceSignal(call, run.signal, timeoutMs, this.makeTimeoutError);
      this.recordOutcome(run, task, { kind: "succeeded", output: JSON.stringify(result) });
      return result;
    } catch (error) {
      throw this.recordFailure(run, task, error);
    }
  }

  private async callbackAttempt(
    run: Run,
    task: TaskHandlerState,
    input: JsonValue,
    minted: string | undefined,
  ) {
    const { execution } = run;
    if (minted === undefined) {
      this.recordScheduled(run, task, input);
      throw this.recordFailure(
        run,
        task,
        new TaskFailure("States.Runtime", `The Parameters of '${task.name}' must pass "$$.Task.Token"`),
      );
    }
    run.minted.delete(minted);
    const template = JSON.stringify(replaceString(input, minted, TOKEN_PLACEHOLDER));
    let record = this.reusableRecord(run, task, template);
    let callInput = input;
    if (record) {
      run.claimed.add(record.token);
      callInput = replaceString(input, minted, record.token);
    } else {
      this.recordScheduled(run, task, input);
      const now = Date.now();
      record = this.options.tokens.register({
        token: minted,
        executionArn: execution.arn,
        stateName: task.name,
        scope: execution.checkpoint?.eventId ?? 0,
        template,
        createdAt: now,
        timeoutAt: task.timeoutSeconds === undefined ? undefined : now + task.timeoutSeconds * 1000,
        heartbeatSeconds: task.heartbeatSeconds,
      });
    }
    const { token } = record;
    try {
      if (!record.submitted && !record.outcome) {
        const call = callResource(this.options.integrations, task.info, callInput, this.callContext(run));
        const submitted = await raceSignal(call, run.signal);
        this.options.tokens.markSubmitted(token);
        this.record(run, {
          type: "TaskSubmitted",
          details: { ...this.resourceDetails(task), ...dataDetails("output", submitted) },
        });
      }
      run.parked++;
      this.scheduleIdleCheck();
      let outcome: TokenOutcome;
      try {
        outcome = await this.options.tokens.wait(token, run.signal);
      } finally {
        run.parked--;
      }
      if (outcome.kind === "succeeded") {
        this.recordOutcome(run, task, outcome);
        return tryParseJson(outcome.output)?.value ?? null;
      }
      if (outcome.kind === "closed") throw INTERRUPTED;
      throw outcome.kind === "failed"
        ? new TaskFailure(outcome.error ?? "", outcome.cause ?? "")
        : outcome.heartbeat
          ? new TaskFailure("States.HeartbeatTimeout", "")
          : this.makeTimeoutError();
    } catch (error) {
      if (run.mode === "running" && !(error instanceof RunInterrupted)) {
        this.options.tokens.close(token, { kind: "closed" });
      }
      throw this.recordFailure(run, task, error);
    }
  }

  /** In a resumed run, the token record of the interrupted attempt this callback task continues. */
  private reusableRecord(run: Run, task: TaskHandlerState, template: string): TaskTokenRecord | undefined {
    if (!run.resumedFrom) return undefined;
    const candidates = this.options.tokens
      .recordsFor(run.execution.arn, task.name, run.resumedFrom.eventId)
      .filter((r) => !run.claimed.has(r.token) && r.outcome?.kind !== "closed");
    return candidates.find((r) => r.template === template) ?? candidates[0];
  }

  private callContext(run: Run): CallContext {
    return { executionArn: run.execution.arn, stateMachineArn: run.execution.stateMachineArn };
  }

  private resourceDetails(task: TaskHandlerState): Record<string, unknown> {
    return { resourceType: task.info.resourceType, resource: task.info.resource };
  }

  private recordScheduled(run: Run, task: TaskHandlerState, input: JsonValue): void {
    if (task.info.kind === "lambda-function") {
      const details: Record<string, unknown> = { resource: task.info.arn, ...dataDetails("input", input) };
      if (task.timeoutSeconds !== undefined) details["timeoutInSeconds"] = task.timeoutSeconds;
      this.record(run, { type: "LambdaFunctionScheduled", details });
      this.record(run, { type: "LambdaFunctionStarted" });
      return;
    }
    const details: Record<string, unknown> = {
      ...this.resourceDetails(task),
      region: this.options.integrations.region,
      parameters: JSON.stringify(input),
    };
    if (task.timeoutSeconds !== undefined) details["timeoutInSeconds"] = task.timeoutSeconds;
    if (task.heartbeatSeconds !== undefined) details["heartbeatInSeconds"] = task.heartbeatSeconds;
    this.record(run, { type: "TaskScheduled", details });
    this.record(run, { type: "TaskStarted", details: this.resourceDetails(task) });
  }

  private recordOutcome(run: Run, task: TaskHandlerState, outcome: { kind: "succeeded"; output: string }) {
    const lambda = task.info.kind === "lambda-function";
    this.record(run, {
      type: lambda ? "LambdaFunctionSucceeded" : "TaskSucceeded",
      details: { ...(lambda ? {} : this.resourceDetails(task)), ...dataDetails("output", outcome.output) },
    });
  }

  /** Records TaskFailed/TaskTimedOut (or the Lambda* forms) and returns the error to hand the library. */
  private recordFailure(run: Run, task: TaskHandlerState, error: unknown): Error {
    if (error instanceof RunInterrupted || run.mode !== "running") {
      return error instanceof Error ? error : INTERRUPTED;
    }
    const failure =
      error instanceof Error && (error instanceof TaskFailure || error.name === "States.Timeout")
        ? error
        : new TaskFailure("States.TaskFailed", error instanceof Error ? error.message : String(error));
    const timedOut = failure.name === "States.Timeout" || failure.name === "States.HeartbeatTimeout";
    const lambda = task.info.kind === "lambda-function";
    const details: Record<string, unknown> = lambda ? {} : this.resourceDetails(task);
    if (failure.name) details["error"] = failure.name;
    if (failure.message) details["cause"] = failure.message;
    const type = lambda
      ? timedOut
        ? "LambdaFunctionTimedOut"
        : "LambdaFunctionFailed"
      : timedOut
        ? "TaskTimedOut"
        : "TaskFailed";
    this.record(run, { type, details });
    return failure;
  }

  private scheduleIdleCheck(): void {
    if (this.idleCheckScheduled || this.idleWaiters.length === 0) return;
    this.idleCheckScheduled = true;
    // After every pending microtask: the library moves between states in microtasks, so a run that
    // looks parked now is really parked unless a timer or I/O wakes it.
    setImmediate(() => {
      this.idleCheckScheduled = false;
      if (![...this.runs.values()].every((run) => run.isParked)) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }
}

function failureOf(error: unknown): Outcome | undefined {
  if (error instanceof ExecutionAbortedError) return undefined;
  if (error instanceof ExecutionError && error.cause instanceof Error) {
    const cause = error.cause;
    // A Fail state without Error/Cause yields the library's defaults; AWS reports neither.
    if (cause.constructor.name === "FailStateError") {
      return {
        status: "FAILED",
        error: cause.name === "FailStateError" ? undefined : cause.name,
        cause: cause.message === FAIL_STATE_DEFAULT_CAUSE ? undefined : cause.message,
      };
    }
    return { status: "FAILED", error: cause.name, cause: cause.message };
  }
  return {
    status: "FAILED",
    error: "States.Runtime",
    cause: error instanceof Error ? error.message : String(error),
  };
}

/**
 * aws-local-stepfunctions decides "States.TaskFailed does not match a timeout" with `instanceof` on its
 * private StatesTimeoutError class; the engine's own task timeouts must be instances of it. The class is
 * not exported, so it is caught once from a 1 ms task timeout.
 */
async function captureStatesTimeoutClass(): Promise<(new () => Error) | undefined> {
  const probe = new StateMachine(
    {
      StartAt: "Probe",
      States: {
        Probe: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", TimeoutSeconds: 0.001, End: true },
      },
    },
    { validationOptions: { noValidate: true } },
  );
  const never = new Promise<LibraryJson>(() => {});
  try {
    await probe.run(null, { overrides: { taskResourceLocalHandlers: { Probe: () => never } } }).result;
  } catch (error) {
    if (
      error instanceof ExecutionError &&
      error.cause instanceof Error &&
      error.cause.name === "States.Timeout"
    ) {
      return error.cause.constructor as new () => Error;
    }
  }
  return undefined;
}

/**
 * A task's TimeoutSecondsPath (a reference path: `$` then `.name` steps) read from its state input; like
 * AWS, anything but a positive integer fails the state with States.Runtime.
 */
function resolveTimeoutPath(input: JsonValue | undefined, task: TaskStateInfo): number {
  const path = task.timeoutSecondsPath ?? "";
  let value: JsonValue | undefined = input;
  const steps = /^\$((\.[A-Za-z0-9_-]+)*)$/.exec(path)?.[1]?.split(".").slice(1);
  for (const step of steps ?? []) value = isJsonObject(value) ? value[step] : undefined;
  if (steps === undefined || typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new TaskFailure(
      "States.Runtime",
      `The TimeoutSecondsPath '${path}' of '${task.name}' must reference a positive integer in the state input`,
    );
  }
  return value;
}
