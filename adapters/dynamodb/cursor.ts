// Opaque paging cursors: a DynamoDB LastEvaluatedKey as base64url JSON. A cursor that does not decode to
// a key of string attributes is a client error, not a 500.
import { ValidationError } from "../../domain/shared/errors.ts";

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.length > 0 && entries.every(([, v]) => typeof v === "string")) {
        return Object.fromEntries(entries) as Record<string, string>;
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw ValidationError.single("cursor", "INVALID_CURSOR", "cursor is not one this API returned");
}
