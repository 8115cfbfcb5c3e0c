// JSON value types and the few helpers the Step Functions emulation needs: execution data crosses the API as
// JSON strings, and everything handed to the interpreter must be plain JSON (no undefined, Dates, classes).

export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses a JSON text; undefined when it is not JSON. */
export function tryParseJson(text: string): { value: JsonValue } | undefined {
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch {
    return undefined;
  }
}

/** Normalises what a handler returned into plain JSON (undefined becomes null, Dates become strings). */
export function toJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value) ?? "null") as JsonValue;
}

/** Depth-first search for the first string that satisfies `match`. */
export function findString(value: JsonValue, match: (s: string) => boolean): string | undefined {
  if (typeof value === "string") return match(value) ? value : undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findString(item, match);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isJsonObject(value)) {
    for (const item of Object.values(value)) {
      const found = findString(item, match);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Replaces every occurrence of one string value (e.g. a task token) by another anywhere in a JSON value. */
export function replaceString(value: JsonValue, from: string, to: string): JsonValue {
  if (typeof value === "string") return value === from ? to : value;
  if (Array.isArray(value)) return value.map((item) => replaceString(item, from, to));
  if (isJsonObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceString(v, from, to)]));
  }
  return value;
}
