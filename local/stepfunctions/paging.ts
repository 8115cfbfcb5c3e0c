// Opaque nextToken values for the List* and GetExecutionHistory operations. A page that reaches the end
// returns no token at all: SDK paginators loop forever on a repeated token (TOOLCHAIN.md).
import { AwsServiceError } from "../aws-protocol/aws-json-service.ts";

/** AWS maxResults: 0 or absent means the service maximum (1000). */
export function pageSize(maxResults: number | undefined): number {
  return maxResults === undefined || maxResults === 0 ? 1000 : maxResults;
}

export const encodePageToken = (cursor: number, tag: string): string =>
  Buffer.from(JSON.stringify({ c: cursor, t: tag })).toString("base64url");

/** The cursor inside a token issued for the same listing (`tag`), or InvalidToken. */
export function decodePageToken(token: string, tag: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && "c" in parsed && "t" in parsed) {
      const { c, t } = parsed;
      if (typeof c === "number" && Number.isInteger(c) && t === tag) return c;
    }
  } catch {
    // fall through
  }
  throw new AwsServiceError("InvalidToken", `Invalid Token: '${token}'`);
}

/**
 * One page of `items`, which are sorted by a unique, never reused numeric key (ascending or descending),
 * starting after the token's cursor. Comparing keys rather than looking the cursor item up keeps a token
 * valid when items are added, or drop out of a filtered listing, between two pages.
 */
export function page<T>(
  items: readonly T[],
  keyOf: (item: T) => number,
  options: {
    maxResults?: number | undefined;
    nextToken?: string | undefined;
    tag: string;
    descending?: boolean;
  },
): { items: T[]; nextToken?: string } {
  const size = pageSize(options.maxResults);
  let start = 0;
  if (options.nextToken) {
    const cursor = decodePageToken(options.nextToken, options.tag);
    start = items.findIndex((item) => (options.descending ? keyOf(item) < cursor : keyOf(item) > cursor));
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + size);
  const last = slice.at(-1);
  return start + size < items.length && last !== undefined
    ? { items: slice, nextToken: encodePageToken(keyOf(last), options.tag) }
    : { items: slice };
}
