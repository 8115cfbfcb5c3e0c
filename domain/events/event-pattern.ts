// Amazon EventBridge event patterns: validation and matching, pure and synchronous. Owns the complete
// syntax of the EventBridge user guide ("Creating event patterns", "Content filtering") and the checks
// PutRule/TestEventPattern apply, reported with AWS's reasons ("Event pattern is not valid. Reason: ...").
//
// Semantics follow aws/event-ruler, the open-source matcher behind EventBridge, where the user guide is
// silent:
// - `$or` is expanded at compile time into alternatives, each a set of field paths (a later path replaces
//   an earlier identical one), so an event matches when any alternative matches.
// - Arrays in events are "crushed": a pattern leaf matches if any leaf value at that path matches, and
//   fields of one alternative that sit in objects of an array must all match within the same element
//   (Ruler's array consistency). `exists: false` is tested against every element of such an array, as
//   Ruler tests absence before any element has been chosen.
// - Objects are not leaves: `exists` and every value matcher see only scalars (string, number, boolean,
//   null), so `exists: true` on an object field does not match and `exists: false` does.
// - Numbers compare numerically within +/-5.0e9 with six decimal digits (300 = 300.0 = 3e2); outside that
//   range numeric operators never match and exact values compare as plain JSON numbers.
// - Anything-but matches any present value it does not exclude, including values of another type.
// - A pattern string that is an IP address matches the same address in any notation; CIDR ranges start at
//   the address as written (Ruler does not mask it), and Ruler rejects /32 and /128.

export class InvalidEventPatternError extends Error {
  override readonly name = "InvalidEventPatternException";
  constructor(readonly reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
  }
}

type Scalar = string | number | boolean | null;
type ScalarTest = (value: Scalar) => boolean;

/** The compiled form of one leaf array, e.g. `["a", {"prefix": "b"}, {"exists": false}]`. */
interface LeafMatcher {
  /** Exact strings, booleans, null and numbers (as given). */
  readonly exact: Set<Scalar>;
  /** Comparable keys of exact numbers within the numeric range. */
  readonly numericKeys: Set<number>;
  /** Hex forms of exact strings that are IP addresses. */
  readonly exactIps: Set<string>;
  readonly tests: ScalarTest[];
  existsTrue: boolean;
  existsFalse: boolean;
}

interface PatternNode {
  leaf?: LeafMatcher;
  readonly children: Map<string, PatternNode>;
}

/** A node ready for matching: children split by whether they only assert absence. */
interface CompiledNode {
  readonly leaf: LeafMatcher | undefined;
  readonly absenceOnly: boolean;
  readonly absentChildren: ReadonlyArray<readonly [string, CompiledNode]>;
  readonly presentChildren: ReadonlyArray<readonly [string, CompiledNode]>;
}

export interface CompiledEventPattern {
  /** The `$or` alternatives; the pattern matches when any does. */
  readonly alternatives: readonly CompiledNode[];
}

const OR = "$or";
/** Field names that may not appear inside a `$or` branch (event-ruler's reserved words). */
const RESERVED_IN_OR = new Set([
  "exactly",
  "equals-ignore-case",
  "prefix",
  "suffix",
  "anything-but",
  "exists",
  "wildcard",
  "numeric",
  "cidr",
  "=",
  "<",
  "<=",
  ">",
  ">=",
  "regex",
  "not-wildcard",
  "not-equals-ignore-case",
  "date-after",
  "date-on-or-after",
  "date-before",
  "date-on-or-before",
  "in-date-range",
  "ip-address-in-range",
  "ip-address-not-in-range",
]);
/** Not an AWS limit: keeps a pathological nesting of `$or` from exhausting the local process. */
const MAX_ALTERNATIVES = 10_000;
const NUMERIC_LIMIT = 5e9;

/** Validates and compiles a pattern (JSON text or parsed). Throws InvalidEventPatternError. */
export function compileEventPattern(pattern: string | object): CompiledEventPattern {
  let parsed: unknown = pattern;
  if (typeof pattern === "string") {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPatternError(error instanceof Error ? error.message : "Malformed JSON");
    }
  }
  if (!isPlainObject(parsed)) fail("Filter is not an object");
  return { alternatives: addObject(parsed, [], [], false).map((paths) => finish(buildTree(paths))) };
}

/** True when the event (a parsed JSON object) matches the pattern. */
export function matchesEventPattern(compiled: CompiledEventPattern, event: unknown): boolean {
  if (!isPlainObject(event)) return false;
  for (const alternative of compiled.alternatives) {
    if (matchObject(alternative, event)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Compilation: JSON -> alternatives (path -> leaf) -> trees

type PathMap = Map<string, { path: string[]; leaf: LeafMatcher }>;

function addObject(
  object: Record<string, unknown>,
  path: string[],
  alternatives: PathMap[],
  insideOr: boolean,
): PathMap[] {
  const keys = Object.keys(object);
  if (keys.length === 0) fail("Empty objects are not allowed");
  let current = alternatives;
  for (const key of keys) {
    const value = object[key];
    if (key === OR) {
      current = addOr(value, path, current);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    }
    if (Array.isArray(value)) {
      const leaf = compileLeaf(value);
      if (current.length === 0) current = [new Map()];
      const fieldPath = [...path, key];
      const id = JSON.stringify(fieldPath);
      for (const alternative of current) alternative.set(id, { path: fieldPath, leaf });
    } else if (isPlainObject(value)) {
      current = addObject(value, [...path, key], current, insideOr);
    } else {
      fail(`"${key}" must be an object or an array`);
    }
  }
  return current;
}

function addOr(value: unknown, path: string[], alternatives: PathMap[]): PathMap[] {
  if (!Array.isArray(value)) fail(`It must be an Array followed with ${OR}.`);
  const result: PathMap[] = [];
  for (const branch of value) {
    if (!isPlainObject(branch)) fail(`Only JSON object is allowed in array of ${OR} relationship.`);
    const copies = alternatives.length === 0 ? [new Map()] : alternatives.map((a) => new Map(a));
    result.push(...addObject(branch, path, copies, true));
    if (result.length > MAX_ALTERNATIVES) {
      fail(`${OR} expands into more than ${MAX_ALTERNATIVES} alternatives (local limit)`);
    }
  }
  if (value.length < 2) fail(`There must have at least 2 Objects in ${OR} relationship.`);
  return result;
}

function buildTree(paths: PathMap): PatternNode {
  const root: PatternNode = { children: new Map() };
  for (const { path, leaf } of paths.values()) {
    let node = root;
    for (const step of path) {
      let child = node.children.get(step);
      if (!child) {
        child = { children: new Map() };
        node.children.set(step, child);
      }
      node = child;
    }
    node.leaf = leaf;
  }
  return root;
}

function finish(node: PatternNode): CompiledNode {
  const absentChildren: Array<readonly [string, CompiledNode]> = [];
  const presentChildren: Array<readonly [string, CompiledNode]> = [];
  for (const [key, child] of node.children) {
    const compiled = finish(child);
    (compiled.absenceOnly ? absentChildren : presentChildren).push([key, compiled]);
  }
  const leafIsAbsence = node.leaf ? isAbsenceOnly(node.leaf) : true;
  return {
    leaf: node.leaf,
    absenceOnly: leafIsAbsence && presentChildren.length === 0,
    absentChildren,
    presentChildren,
  };
}

function isAbsenceOnly(leaf: LeafMatcher): boolean {
  return (
    leaf.existsFalse &&
    !leaf.existsTrue &&
    leaf.exact.size === 0 &&
    leaf.exactIps.size === 0 &&
    leaf.tests.length === 0
  );
}

function compileLeaf(values: unknown[]): LeafMatcher {
  if (values.length === 0) fail("Empty arrays are not allowed");
  const leaf: LeafMatcher = {
    exact: new Set(),
    numericKeys: new Set(),
    exactIps: new Set(),
    tests: [],
    existsTrue: false,
    existsFalse: false,
  };
  for (const value of values) {
    if (value === null || typeof value === "boolean") {
      leaf.exact.add(value);
    } else if (typeof value === "string") {
      leaf.exact.add(value);
      const ip = ipToHex(value);
      if (ip !== undefined) leaf.exactIps.add(ip);
    } else if (typeof value === "number") {
      leaf.exact.add(value);
      if (inNumericRange(value)) leaf.numericKeys.add(numericKey(value));
    } else if (isPlainObject(value)) {
      compileMatchExpression(value, leaf);
    } else {
      fail("Match value must be String, number, true, false, or null");
    }
  }
  return leaf;
}

function compileMatchExpression(expression: Record<string, unknown>, leaf: LeafMatcher): void {
  const keys = Object.keys(expression);
  const operator = keys[0];
  if (operator === undefined) fail("Match expression name not found");
  const operand = expression[operator];
  switch (operator) {
    case "prefix":
      leaf.tests.push(compileAffix("prefix", operand));
      break;
    case "suffix":
      leaf.tests.push(compileAffix("suffix", operand));
      break;
    case "equals-ignore-case": {
      const target = requireString(
        operand,
        "equals-ignore-case match pattern must be a string",
      ).toLowerCase();
      leaf.tests.push((v) => typeof v === "string" && v.toLowerCase() === target);
      break;
    }
    case "wildcard": {
      const regex = compileWildcard(requireString(operand, "wildcard match pattern must be a string"));
      leaf.tests.push((v) => typeof v === "string" && regex.test(v));
      break;
    }
    case "anything-but":
      leaf.tests.push(compileAnythingBut(operand));
      if (keys.length > 1) fail("Too many elements in numeric expression");
      return;
    case "numeric":
      leaf.tests.push(compileNumeric(operand));
      if (keys.length > 1) fail("Too many elements in numeric expression");
      return;
    case "cidr": {
      const [bottom, top] = parseCidr(requireString(operand, "cidr match pattern must be a string"));
      leaf.tests.push((v) => {
        if (typeof v !== "string") return false;
        const hex = ipToHex(v);
        return hex !== undefined && hex.length === bottom.length && hex >= bottom && hex <= top;
      });
      break;
    }
    case "exists":
      if (operand === true) leaf.existsTrue = true;
      else if (operand === false) leaf.existsFalse = true;
      else fail("exists match pattern must be either true or false.");
      break;
    default:
      fail(`Unrecognized match type ${operator}`);
  }
  if (keys.length > 1) fail("Only one key allowed in match expression");
}

/** `{"prefix": "x"}`, `{"prefix": {"equals-ignore-case": "x"}}` and the suffix forms. */
function compileAffix(kind: "prefix" | "suffix", operand: unknown): ScalarTest {
  const Kind = kind === "prefix" ? "Prefix" : "Suffix";
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const inner = keys[0];
    if (inner === undefined) fail(`${Kind} expression name not found`);
    if (inner !== "equals-ignore-case") fail(`Unsupported ${kind} pattern: ${inner}`);
    const text = requireString(
      operand[inner],
      "equals-ignore-case match pattern must be a string",
    ).toLowerCase();
    if (keys.length > 1) fail("Only one key allowed in match expression");
    return kind === "prefix"
      ? (v) => typeof v === "string" && v.toLowerCase().startsWith(text)
      : (v) => typeof v === "string" && v.toLowerCase().endsWith(text);
  }
  const text = requireString(operand, `${kind} match pattern must be a string`);
  return kind === "prefix"
    ? (v) => typeof v === "string" && v.startsWith(text)
    : (v) => typeof v === "string" && v.endsWith(text);
}

function compileAnythingBut(operand: unknown): ScalarTest {
  if (isPlainObject(operand)) return compileAnythingButObject(operand);
  if (Array.isArray(operand)) {
    for (const value of operand) {
      if (typeof value !== "string" && typeof value !== "number") {
        fail("Inside anything but list, start|null|boolean is not supported.");
      }
    }
    const strings = operand.filter((v): v is string => typeof v === "string");
    const numbers = operand.filter((v): v is number => typeof v === "number");
    if (strings.length > 0 === numbers.length > 0) {
      fail("Inside anything but list, either all values are number or string, mixed type is not supported");
    }
    return strings.length > 0 ? excludeStrings(new Set(strings)) : excludeNumbers(numbers);
  }
  if (typeof operand === "string") return excludeStrings(new Set([operand]));
  if (typeof operand === "number") return excludeNumbers([operand]);
  fail("Value of anything-but must be an array or single string/number value.");
}

function compileAnythingButObject(operand: Record<string, unknown>): ScalarTest {
  const keys = Object.keys(operand);
  const inner = keys[0];
  if (inner === undefined) fail("Anything-But expression name not found");
  const value = operand[inner];
  let excluded: ScalarTest;
  switch (inner) {
    case "prefix":
    case "suffix": {
      // The user guide documents a single prefix/suffix; AWS rejects a list here.
      const text = requireString(value, "prefix/suffix match pattern must be a string");
      if (text === "") fail("Null prefix/suffix not allowed");
      excluded =
        inner === "prefix"
          ? (v) => typeof v === "string" && v.startsWith(text)
          : (v) => typeof v === "string" && v.endsWith(text);
      break;
    }
    case "equals-ignore-case": {
      const message =
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.";
      const texts = stringOrStrings(value, message).map((t) => t.toLowerCase());
      const set = new Set(texts);
      excluded = (v) => typeof v === "string" && set.has(v.toLowerCase());
      break;
    }
    case "wildcard": {
      const regexes = stringOrStrings(value, "wildcard match pattern must be a string").map(compileWildcard);
      excluded = (v) => typeof v === "string" && regexes.some((r) => r.test(v));
      break;
    }
    default:
      fail(`Unsupported anything-but pattern: ${inner}`);
  }
  if (keys.length > 1) fail("Only one key allowed in match expression");
  return (v) => !excluded(v);
}

function stringOrStrings(value: unknown, message: string): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.map((v) => requireString(v, message));
  if (typeof value === "number") fail(message);
  fail("Value of anything-but must be an array or single string/number value.");
}

function excludeStrings(excluded: Set<string>): ScalarTest {
  return (v) => !(typeof v === "string" && excluded.has(v));
}

function excludeNumbers(numbers: number[]): ScalarTest {
  for (const n of numbers) requireNumericRange(n);
  const keys = new Set(numbers.map(numericKey));
  return (v) => !(typeof v === "number" && inNumericRange(v) && keys.has(numericKey(v)));
}

// ---------------------------------------------------------------------------------------------------
// numeric

const describe = (value: unknown): string =>
  value === undefined
    ? "]"
    : Array.isArray(value)
      ? "["
      : isPlainObject(value)
        ? "{"
        : typeof value === "string"
          ? value
          : String(value);

function compileNumeric(operand: unknown): ScalarTest {
  if (!Array.isArray(operand)) fail("Value of numeric must be an array.");
  const [first, firstValue, second, secondValue] = operand;
  if (typeof first !== "string") fail(`Invalid member in numeric match: ${describe(first)}`);
  const requireValue = (value: unknown, op: string): number => {
    if (typeof value !== "number") fail(`Value of ${op} must be numeric`);
    return value;
  };
  let lower: { key: number; open: boolean } | undefined;
  let upper: { key: number; open: boolean } | undefined;
  switch (first) {
    case "=": {
      const value = requireValue(firstValue, "equals");
      if (operand.length > 2) fail("Too many elements in numeric expression");
      const key = numericKey(requireNumericRange(value));
      return (v) => typeof v === "number" && inNumericRange(v) && numericKey(v) === key;
    }
    case ">":
    case ">=": {
      const bottom = requireValue(firstValue, first);
      lower = { key: numericKey(requireNumericRange(bottom)), open: first === ">" };
      if (operand.length > 2) {
        if (typeof second !== "string") fail(`Bad value in numeric range: ${describe(second)}`);
        if (second !== "<" && second !== "<=") fail(`Bad numeric range operator: ${second}`);
        const top = requireValue(secondValue, second);
        if (operand.length > 4) fail("Too many terms in numeric range expression");
        upper = { key: numericKey(requireNumericRange(top)), open: second === "<" };
        if (lower.key >= upper.key) fail("Bottom must be less than top");
      }
      break;
    }
    case "<":
    case "<=": {
      const top = requireValue(firstValue, first);
      if (operand.length > 2) fail("Too many elements in numeric expression");
      upper = { key: numericKey(requireNumericRange(top)), open: first === "<" };
      break;
    }
    default:
      fail(`Unrecognized numeric range operator: ${first}`);
  }
  const lo = lower;
  const hi = upper;
  return (v) => {
    if (typeof v !== "number" || !inNumericRange(v)) return false;
    const key = numericKey(v);
    if (lo && (lo.open ? key <= lo.key : key < lo.key)) return false;
    if (hi && (hi.open ? key >= hi.key : key > hi.key)) return false;
    return true;
  };
}

const inNumericRange = (n: number): boolean => n >= -NUMERIC_LIMIT && n <= NUMERIC_LIMIT;

/** Six decimal digits, as AWS documents: 1.0000001 and 1 compare equal. */
const numericKey = (n: number): number => Math.round(n * 1e6);

function requireNumericRange(n: number): number {
  if (!inNumericRange(n)) fail("Value must be between -5.0E9 and 5.0E9, inclusive");
  return n;
}

// ---------------------------------------------------------------------------------------------------
// wildcard

/** `*` matches any run of characters; `\*` and `\\` are literal; `**` and other escapes are rejected. */
function compileWildcard(pattern: string): RegExp {
  let regex = "";
  // Positions are reported as AWS does: UTF-8 byte offsets into the quoted value.
  const pos = (index: number): number => Buffer.byteLength(pattern.slice(0, index)) + 1;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*") {
      if (pattern[i + 1] === "*") fail(`Consecutive wildcard characters at pos ${pos(i)}`);
      regex += ".*";
    } else if (char === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") fail(`Invalid escape character at pos ${pos(i)}`);
      regex += escapeRegex(next);
      i++;
    } else {
      regex += escapeRegex(char);
    }
  }
  return new RegExp(`^${regex}$`, "s");
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// ---------------------------------------------------------------------------------------------------
// IP addresses (IPv4 and IPv6), as fixed-length upper-case hex so ranges compare as strings

const IPV4 = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** Hex of the address, or undefined when the text is not an IP address literal. */
function ipToHex(text: string): string | undefined {
  const bytes = parseIp(text);
  return bytes && toHex(bytes);
}

function parseIp(text: string): number[] | undefined {
  if (IPV4.test(text)) {
    const octets = text.split(".").map(Number);
    return octets.every((o) => o <= 255) ? octets : undefined;
  }
  if (!IPV6.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined): string[] => (part ? part.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill("0"), ...tail];
  const bytes: number[] = [];
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    const value = Number.parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  // Java's InetAddress (which AWS uses) turns IPv4-mapped IPv6 addresses into IPv4 addresses.
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

const toHex = (bytes: number[]): string =>
  bytes.map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join("");

function parseCidr(cidr: string): [bottom: string, top: string] {
  const parts = cidr.split("/");
  if (parts.length !== 2 || parts[1] === "") fail("Malformed CIDR, one '/' required");
  const [address = "", maskText = ""] = parts;
  if (!/^[+-]?\d{1,10}$/.test(maskText) || Math.abs(Number(maskText)) > 2 ** 31 - 1) {
    fail("Malformed CIDR, mask bits must be an integer");
  }
  const maskBits = Number(maskText);
  if (maskBits < 0) fail("Malformed CIDR, mask bits must not be negative");
  if (!IPV4.test(address) && !IPV6.test(address)) fail(`Nonstandard IP address: ${address}`);
  const bytes = parseIp(address);
  if (!bytes) fail(`Invalid IP address: ${address}`);
  if (bytes.length === 4 && maskBits > 31) fail("IPv4 mask bits must be < 32");
  if (bytes.length === 16 && maskBits > 127) fail("IPv6 mask bits must be < 128");
  let hostBits = bytes.length * 8 - maskBits;
  const top = [...bytes];
  for (let i = top.length - 1; i >= 0 && hostBits > 0; i--, hostBits -= 8) {
    top[i] = (top[i] as number) | (hostBits >= 8 ? 0xff : (1 << hostBits) - 1);
  }
  return [toHex(bytes), toHex(top)];
}

// ---------------------------------------------------------------------------------------------------
// Matching

function matchNode(node: CompiledNode, value: unknown): boolean {
  if (node.leaf && !matchLeaf(node.leaf, value)) return false;
  const { absentChildren, presentChildren } = node;
  if (absentChildren.length === 0 && presentChildren.length === 0) return true;
  if (isPlainObject(value)) return matchObject(node, value);
  const objects = Array.isArray(value) ? flatten(value).filter(isPlainObject) : [];
  if (objects.length === 0) return presentChildren.every(([, child]) => matchNode(child, undefined));
  for (const [key, child] of absentChildren) {
    for (const object of objects) {
      if (!matchNode(child, field(object, key))) return false;
    }
  }
  return objects.some((object) =>
    presentChildren.every(([key, child]) => matchNode(child, field(object, key))),
  );
}

function matchObject(node: CompiledNode, object: Record<string, unknown>): boolean {
  for (const [key, child] of node.absentChildren) {
    if (!matchNode(child, field(object, key))) return false;
  }
  for (const [key, child] of node.presentChildren) {
    if (!matchNode(child, field(object, key))) return false;
  }
  return true;
}

function matchLeaf(leaf: LeafMatcher, value: unknown): boolean {
  if (value === undefined || (typeof value === "object" && value !== null && !Array.isArray(value))) {
    return leaf.existsFalse;
  }
  if (!Array.isArray(value)) return leaf.existsTrue || matchScalar(leaf, value as Scalar);
  let present = false;
  for (const element of flatten(value)) {
    if (typeof element === "object" && element !== null) continue;
    present = true;
    if (leaf.existsTrue || matchScalar(leaf, element as Scalar)) return true;
  }
  return !present && leaf.existsFalse;
}

function matchScalar(leaf: LeafMatcher, value: Scalar): boolean {
  if (leaf.exact.has(value)) return true;
  if (typeof value === "number") {
    if (inNumericRange(value) && leaf.numericKeys.has(numericKey(value))) return true;
  } else if (typeof value === "string" && leaf.exactIps.size > 0) {
    const hex = ipToHex(value);
    if (hex !== undefined && leaf.exactIps.has(hex)) return true;
  }
  for (const test of leaf.tests) {
    if (test(value)) return true;
  }
  return false;
}

function flatten(values: unknown[]): unknown[] {
  return values.some(Array.isArray) ? values.flat(Number.POSITIVE_INFINITY) : values;
}

const field = (object: Record<string, unknown>, key: string): unknown =>
  Object.hasOwn(object, key) ? object[key] : undefined;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireString(value: unknown, message: string): string {
  if (typeof value !== "string") fail(message);
  return value;
}

function fail(reason: string): never {
  throw new InvalidEventPatternError(reason);
}
