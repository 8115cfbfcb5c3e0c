// Amazon States Language definitions: validation at the API (InvalidDefinition), and the compiled form the
// engine runs. aws-local-stepfunctions interprets a *runtime copy* of each definition that differs from the
// original on purpose:
// - Task states lose `Retry` (the engine retries inside its task handler, see retry.ts) and get the largest
//   TimeoutSeconds a 32-bit timer allows: the library otherwise times every Task out after 60 s, and the
//   engine enforces the real TimeoutSeconds itself so that it survives restarts.
// - The top-level TimeoutSeconds goes too: the engine times executions out itself (same reasons).
// - `"x.$": "$$.State.Name"` in Parameters/ItemSelector becomes the literal state name (the library has no
//   $$.State in its context object).
// Validation (~125 ms, asl-validator) runs once on the original; runtime copies, including the ones that
// start at another state for resume and redrive, are built with `noValidate` and cached per start state.
import "../polyfills.ts";
import { createHash } from "node:crypto";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { z } from "zod";
import { AwsServiceError } from "../aws-protocol/aws-json-service.ts";
import { isJsonObject, type JsonObject, type JsonValue, tryParseJson } from "./json.ts";
import type { Retrier } from "./retry.ts";

/** setTimeout's 32-bit limit: a longer Task TimeoutSeconds would make the library fire at once. */
export const LIBRARY_TIMER_CAP_SECONDS = 2_147_483;

const retrierSchema = z.object({
  ErrorEquals: z.array(z.string()).min(1),
  IntervalSeconds: z.number().optional(),
  MaxAttempts: z.number().optional(),
  BackoffRate: z.number().optional(),
  MaxDelaySeconds: z.number().optional(),
  JitterStrategy: z.enum(["FULL", "NONE"]).optional(),
});

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number | undefined;
  QueryLanguage?: string | undefined;
}

export interface AslState {
  Type: string;
  Resource?: string | undefined;
  Retry?: Retrier[] | undefined;
  TimeoutSeconds?: number | undefined;
  TimeoutSecondsPath?: string | undefined;
  HeartbeatSeconds?: number | undefined;
  Seconds?: number | undefined;
  ItemsPath?: string | undefined;
  Branches?: AslMachine[] | undefined;
  ItemProcessor?: AslMachine | undefined;
  Iterator?: AslMachine | undefined;
  QueryLanguage?: string | undefined;
  ItemReader?: unknown;
  ResultWriter?: unknown;
}

const stateSchema: z.ZodType<AslState> = z.lazy(() =>
  z.looseObject({
    Type: z.string(),
    Resource: z.string().optional(),
    Retry: z.array(retrierSchema).optional(),
    TimeoutSeconds: z.number().optional(),
    TimeoutSecondsPath: z.string().optional(),
    HeartbeatSeconds: z.number().optional(),
    Seconds: z.number().optional(),
    ItemsPath: z.string().optional(),
    Branches: z.array(machineSchema).optional(),
    ItemProcessor: machineSchema.optional(),
    Iterator: machineSchema.optional(),
    QueryLanguage: z.string().optional(),
    ItemReader: z.unknown().optional(),
    ResultWriter: z.unknown().optional(),
  }),
);

const machineSchema: z.ZodType<AslMachine> = z.lazy(() =>
  z.looseObject({
    StartAt: z.string(),
    States: z.record(z.string(), stateSchema),
    TimeoutSeconds: z.number().optional(),
    QueryLanguage: z.string().optional(),
  }),
);

export interface StateInfo {
  name: string;
  type: string;
  /** The enclosing top-level state (the state itself when it is top-level): resume and redrive restart it. */
  topLevel: string;
  node: AslState;
}

export interface TaskStateInfo extends StateInfo {
  resource: string;
  retriers: Retrier[];
  timeoutSeconds?: number | undefined;
  /** Read from the state's input per run (see TIMEOUT_PATH_WRAPPER). */
  timeoutSecondsPath?: string | undefined;
  heartbeatSeconds?: number | undefined;
}

/**
 * A task with TimeoutSecondsPath gets its Parameters wrapped as `{input: $, parameters: <original>}` for
 * the library, which would evaluate the path against the post-Parameters input (AWS reads the state's
 * input) and race its own timer; the engine unwraps both and applies the timeout itself, as for
 * TimeoutSeconds (callback deadlines included).
 */
export const TIMEOUT_PATH_WRAPPER = { input: "input", parameters: "parameters" } as const;

export const definitionId = (text: string): string => createHash("sha256").update(text).digest("hex");

const invalid = (reason: string): AwsServiceError =>
  new AwsServiceError("InvalidDefinition", `Invalid State Machine Definition: '${reason}'`);

/** Child machines of a state: Parallel branches and the Map item processor (or legacy Iterator). */
function childMachines(state: AslState): AslMachine[] {
  const children = [...(state.Branches ?? [])];
  const processor = state.ItemProcessor ?? state.Iterator;
  if (processor) children.push(processor);
  return children;
}

export class CompiledDefinition {
  readonly states = new Map<string, StateInfo>();
  readonly tasks: TaskStateInfo[] = [];
  readonly startAt: string;
  readonly timeoutSeconds: number | undefined;
  private readonly runtime: JsonObject;
  private readonly machines = new Map<string, StateMachine>();
  private readonly retryOverrides = new Map<number, Record<string, number[]>>();

  constructor(
    readonly id: string,
    readonly text: string,
    document: JsonObject,
    machine: AslMachine,
  ) {
    this.startAt = machine.StartAt;
    this.timeoutSeconds = machine.TimeoutSeconds;
    this.index(machine, undefined);
    this.runtime = structuredClone(document);
    delete this.runtime["TimeoutSeconds"];
    this.rewriteForRuntime(this.runtime);
  }

  get topLevelStates(): string[] {
    return [...this.states.values()].filter((s) => s.topLevel === s.name).map((s) => s.name);
  }

  /** The interpreter for this definition starting at `startAt` (a top-level state), built once and reused. */
  machineFor(startAt: string): StateMachine {
    let machine = this.machines.get(startAt);
    if (!machine) {
      // The runtime copy was derived from a definition validated at CreateStateMachine; validating a copy
      // that starts elsewhere would fail ("state X is not reachable"), hence noValidate.
      const definition = { ...this.runtime, StartAt: startAt } as unknown as StateMachineDefinition;
      machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
      this.machines.set(startAt, machine);
    }
    return machine;
  }

  /**
   * Interval overrides for the Retry of Map and Parallel states, which the library still runs: scaled
   * IntervalSeconds per retrier (the library's override has no backoff).
   */
  libraryRetryOverrides(scale: number): Record<string, number[]> | undefined {
    if (scale === 1) return undefined;
    let overrides = this.retryOverrides.get(scale);
    if (!overrides) {
      overrides = {};
      for (const state of this.states.values()) {
        if (state.type !== "Task" && state.node.Retry) {
          overrides[state.name] = state.node.Retry.map((r) => (r.IntervalSeconds ?? 1) * 1000 * scale);
        }
      }
      this.retryOverrides.set(scale, overrides);
    }
    return overrides;
  }

  private index(machine: AslMachine, topLevel: string | undefined): void {
    for (const [name, node] of Object.entries(machine.States)) {
      if (this.states.has(name)) {
        // The interpreter resolves task handlers by state name across branches, so names must be unique
        // in the whole definition (AWS requires the same).
        throw invalid(`DUPLICATE_STATE_NAME: State name '${name}' is used more than once`);
      }
      const info: StateInfo = { name, type: node.Type, topLevel: topLevel ?? name, node };
      this.states.set(name, info);
      if (node.Type === "Task") {
        this.tasks.push({
          ...info,
          resource: node.Resource ?? "",
          retriers: node.Retry ?? [],
          timeoutSeconds: node.TimeoutSeconds,
          timeoutSecondsPath: node.TimeoutSecondsPath,
          heartbeatSeconds: node.HeartbeatSeconds,
        });
      }
      for (const child of childMachines(node)) this.index(child, topLevel ?? name);
    }
  }

  private rewriteForRuntime(machine: JsonObject): void {
    const states = machine["States"];
    if (!isJsonObject(states)) return;
    for (const [name, state] of Object.entries(states)) {
      if (!isJsonObject(state)) continue;
      if (state["Type"] === "Choice" && Array.isArray(state["Choices"])) {
        state["Choices"] = state["Choices"].map(negatedTypeTests);
      }
      for (const key of ["Parameters", "ItemSelector"]) {
        const template = state[key];
        if (template !== undefined) state[key] = inlineStateName(template, name);
      }
      if (state["Type"] === "Task") {
        delete state["Retry"];
        if (state["TimeoutSecondsPath"] !== undefined) {
          delete state["TimeoutSecondsPath"];
          const parameters = state["Parameters"];
          state["Parameters"] = {
            [`${TIMEOUT_PATH_WRAPPER.input}.$`]: "$",
            ...(parameters === undefined
              ? { [`${TIMEOUT_PATH_WRAPPER.parameters}.$`]: "$" }
              : { [TIMEOUT_PATH_WRAPPER.parameters]: parameters }),
          };
        }
        state["TimeoutSeconds"] = LIBRARY_TIMER_CAP_SECONDS;
      }
      const branches = state["Branches"];
      if (Array.isArray(branches)) for (const b of branches) if (isJsonObject(b)) this.rewriteForRuntime(b);
      for (const key of ["ItemProcessor", "Iterator"]) {
        const processor = state[key];
        if (isJsonObject(processor)) this.rewriteForRuntime(processor);
      }
    }
  }
}

const TYPE_TESTS = ["IsPresent", "IsNull", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"];

/**
 * aws-local-stepfunctions evaluates a type test set to false (`"IsPresent": false`) as never matching
 * (`false && ...`); on AWS it matches when the test fails. Rewritten as `Not` of the true test, which it
 * gets right, in nested And/Or/Not rules too.
 */
function negatedTypeTests(rule: JsonValue): JsonValue {
  if (!isJsonObject(rule)) return rule;
  const out: JsonObject = { ...rule };
  for (const key of ["And", "Or"]) {
    const nested = out[key];
    if (Array.isArray(nested)) out[key] = nested.map(negatedTypeTests);
  }
  if (out["Not"] !== undefined) out["Not"] = negatedTypeTests(out["Not"]);
  const test = TYPE_TESTS.find((t) => out[t] === false);
  if (!test || typeof out["Variable"] !== "string") return out;
  const { Next: next, [test]: _false, Variable: variable, ...rest } = out;
  return {
    ...rest,
    Not: { Variable: variable, [test]: true },
    ...(next === undefined ? {} : { Next: next }),
  };
}

function inlineStateName(template: JsonValue, stateName: string): JsonValue {
  if (Array.isArray(template)) return template.map((t) => inlineStateName(t, stateName));
  if (!isJsonObject(template)) return template;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith(".$") && value === "$$.State.Name") out[key.slice(0, -2)] = stateName;
    else out[key] = inlineStateName(value, stateName);
  }
  return out;
}

function assertSupported(machine: AslMachine): void {
  if (machine.QueryLanguage === "JSONata") {
    // aws-local-stepfunctions accepts JSONata and silently ignores Output/Assign: refuse it loudly.
    throw invalid("UNSUPPORTED_FEATURE: QueryLanguage JSONata is not supported locally; use JSONPath");
  }
  for (const [name, state] of Object.entries(machine.States)) {
    if (state.QueryLanguage === "JSONata") {
      throw invalid(`UNSUPPORTED_FEATURE: State '${name}' uses JSONata, which is not supported locally`);
    }
    if (state.ItemReader !== undefined || state.ResultWriter !== undefined) {
      throw invalid(
        `UNSUPPORTED_FEATURE: Map '${name}' reads or writes S3 (distributed Map): not supported locally`,
      );
    }
    for (const child of childMachines(state)) assertSupported(child);
  }
}

/**
 * Parses and checks a definition. `validate: false` is for definitions read back from the journal, which
 * were validated when they were created.
 */
export function compileDefinition(text: string, options: { validate: boolean }): CompiledDefinition {
  const parsed = tryParseJson(text);
  if (!parsed || !isJsonObject(parsed.value)) {
    throw invalid("INVALID_JSON_DESCRIPTION: The definition is not a JSON object");
  }
  const structure = machineSchema.safeParse(parsed.value);
  if (!structure.success) {
    const issue = structure.error.issues[0];
    throw invalid(
      `SCHEMA_VALIDATION_FAILED: ${issue?.message ?? "invalid"} at /${issue?.path.join("/") ?? ""}`,
    );
  }
  assertSupported(structure.data);
  if (options.validate) {
    try {
      new StateMachine(parsed.value as unknown as StateMachineDefinition);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw invalid(`SCHEMA_VALIDATION_FAILED: ${message.replace(/\s+/g, " ").trim()}`);
    }
  }
  return new CompiledDefinition(definitionId(text), text, parsed.value, structure.data);
}
