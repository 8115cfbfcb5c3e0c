// What a rule target receives: the whole event, a constant Input, the part an InputPath selects, or an
// InputTransformer's template filled from JSON paths and EventBridge's predefined variables. Pure: the
// service validates targets with it at PutTargets and renders the input at delivery time.

/** One compiled JSON path: `$`, `$.a.b`, `$.a-b`, `$['a b']`, `$.list[0]`, `$.list[*]`, `$.*`. */
export interface JsonPath {
  readonly steps: readonly JsonPathStep[];
  /** False when a wildcard can select several values: the result is then always an array. */
  readonly definite: boolean;
}
type JsonPathStep = { kind: "key"; key: string } | { kind: "index"; index: number } | { kind: "all" };

const MAX_JSON_PATH_LENGTH = 256;

export function compileJsonPath(text: string): JsonPath | undefined {
  if (!text.startsWith("$") || text.length > MAX_JSON_PATH_LENGTH) return undefined;
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < text.length) {
    if (text[i] === ".") {
      const match = /^(\*|[^.[\]\s]+)/.exec(text.slice(i + 1));
      if (!match?.[1]) return undefined;
      steps.push(match[1] === "*" ? { kind: "all" } : { kind: "key", key: match[1] });
      i += 1 + match[1].length;
    } else if (text[i] === "[") {
      const match = /^\[(?:'([^']*)'|"([^"]*)"|(\d+)|(\*))\]/.exec(text.slice(i));
      if (!match) return undefined;
      const [whole, single, double, index, all] = match;
      if (all) steps.push({ kind: "all" });
      else if (index !== undefined) steps.push({ kind: "index", index: Number(index) });
      else steps.push({ kind: "key", key: single ?? double ?? "" });
      i += whole.length;
    } else {
      return undefined;
    }
  }
  return { steps, definite: steps.every((s) => s.kind !== "all") };
}

/** The selected value, or undefined when a definite path selects nothing. */
export function evaluateJsonPath(path: JsonPath, document: unknown): unknown {
  let current: unknown[] = [document];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === "all") {
        if (Array.isArray(value)) next.push(...value);
        else if (isObject(value)) next.push(...Object.values(value));
      } else if (step.kind === "index") {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (isObject(value) && Object.hasOwn(value, step.key)) {
        next.push(value[step.key]);
      }
    }
    current = next;
  }
  return path.definite ? current[0] : current;
}

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

/** The input-shaping fields of a target, as PutTargets accepts them. */
export interface TargetInputSpec {
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

/** EventBridge's predefined template variables; InputPathsMap may not redefine them. */
const PREDEFINED = new Set([
  "aws.events.rule-arn",
  "aws.events.rule-name",
  "aws.events.event",
  "aws.events.event.ingestion-time",
  "aws.events.event.json",
]);
const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;
const MAX_VARIABLES = 100;
const MAX_TEMPLATE_LENGTH = 8192;

/** The reason a target's input settings are invalid, or undefined when they are valid. */
export function validateTargetInput(target: TargetInputSpec): string | undefined {
  const given = [target.Input, target.InputPath, target.InputTransformer].filter((v) => v !== undefined);
  if (given.length > 1) return "Only one of Input, InputPath, or InputTransformer must be provided.";
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      return "Input is not valid JSON text.";
    }
  }
  if (target.InputPath !== undefined && !compileJsonPath(target.InputPath)) {
    return `InputPath ${target.InputPath} is not a valid JSON path.`;
  }
  const transformer = target.InputTransformer;
  if (transformer) {
    const template = transformer.InputTemplate;
    if (template.length === 0 || template.length > MAX_TEMPLATE_LENGTH) {
      return `InputTemplate must be between 1 and ${MAX_TEMPLATE_LENGTH} characters.`;
    }
    const entries = Object.entries(transformer.InputPathsMap ?? {});
    if (entries.length > MAX_VARIABLES) return `InputPathsMap may define at most ${MAX_VARIABLES} variables.`;
    for (const [name, path] of entries) {
      if (PREDEFINED.has(name)) return `InputPathsMap key ${name} is reserved.`;
      if (!VARIABLE_NAME.test(name)) return `InputPathsMap key ${name} is not valid.`;
      if (!compileJsonPath(path))
        return `InputPathsMap value ${path} for key ${name} is not a valid JSON path.`;
    }
  }
  return undefined;
}

export interface InputContext {
  event: Record<string, unknown>;
  ruleArn: string;
  ruleName: string;
  /** When EventBridge received the event (epoch ms). */
  ingestionTime: number;
}

/**
 * What the target receives. `value` is the JSON value (a Lambda payload); `text` is the wire form (an
 * HTTP body). A transformer template that does not render to JSON is passed on as plain text, as AWS does.
 */
export interface TargetInput {
  value: unknown;
  text: string;
}

/** Renders a target's input; the target must have passed validateTargetInput. */
export function renderTargetInput(target: TargetInputSpec, context: InputContext): TargetInput {
  if (target.Input !== undefined) return fromValue(JSON.parse(target.Input));
  if (target.InputPath !== undefined) {
    const path = compileJsonPath(target.InputPath);
    return fromValue(path ? (evaluateJsonPath(path, context.event) ?? null) : null);
  }
  if (target.InputTransformer) {
    const text = renderTemplate(target.InputTransformer, context);
    try {
      return { value: JSON.parse(text), text };
    } catch {
      return { value: text, text };
    }
  }
  return fromValue(context.event);
}

const fromValue = (value: unknown): TargetInput => ({ value, text: JSON.stringify(value) });

/**
 * Fills `<name>` placeholders. Inside a JSON string literal a string value is inserted as is (AWS does not
 * escape it); elsewhere the value is inserted as JSON. A path that selects nothing leaves `null` (or an
 * empty string inside a literal), and an unknown `<name>` is left untouched.
 */
function renderTemplate(transformer: InputTransformer, context: InputContext): string {
  const variables = new Map<string, unknown>([
    ["aws.events.rule-arn", context.ruleArn],
    ["aws.events.rule-name", context.ruleName],
    ["aws.events.event", context.event],
    ["aws.events.event.ingestion-time", isoSeconds(context.ingestionTime)],
    ["aws.events.event.json", JSON.stringify(context.event)],
  ]);
  for (const [name, pathText] of Object.entries(transformer.InputPathsMap ?? {})) {
    const path = compileJsonPath(pathText);
    variables.set(name, path ? evaluateJsonPath(path, context.event) : undefined);
  }
  const template = transformer.InputTemplate;
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string;
    if (char === "<") {
      const match = /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i));
      const name = match?.[1];
      if (match && name !== undefined && variables.has(name)) {
        const value = variables.get(name);
        if (inString)
          out += value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
        else out += value === undefined ? "null" : JSON.stringify(value);
        i += match[0].length - 1;
        continue;
      }
    }
    if (char === "\\" && inString) {
      out += char + (template[i + 1] ?? "");
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    out += char;
  }
  return out;
}

/** Event times are ISO 8601 in whole seconds, as EventBridge writes them. */
export const isoSeconds = (epochMs: number): string =>
  new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
