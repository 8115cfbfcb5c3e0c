// Execution history in the shape of the Step Functions API (HistoryEvent): the stored event form, the
// mapping from aws-local-stepfunctions' event log to AWS event types, and the wire form with paging.
// Task-level events (TaskScheduled, TaskSucceeded...) come from the engine's task handler, not from here.
import type { StateMachine } from "aws-local-stepfunctions";
import { z } from "zod";
import { toEpochSeconds } from "../aws-protocol/aws-json-service.ts";
import type { StateInfo } from "./definition.ts";
import { isJsonObject, type JsonValue } from "./json.ts";
import { page } from "./paging.ts";

export const historyEventSchema = z.object({
  id: z.number(),
  previousEventId: z.number(),
  /** Epoch milliseconds; the wire form is epoch seconds. */
  timestamp: z.number(),
  type: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type HistoryEvent = z.infer<typeof historyEventSchema>;

export interface NewEvent {
  type: string;
  details?: Record<string, unknown>;
}

type LibraryEvent = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

/** AWS keys each event's details by its type: TaskScheduled -> taskScheduledEventDetails. */
function detailsKey(type: string): string {
  if (type.endsWith("StateEntered")) return "stateEnteredEventDetails";
  if (type.endsWith("StateExited")) return "stateExitedEventDetails";
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

const EXECUTION_DATA_KEYS = new Set(["input", "output", "parameters"]);

export function toWireEvent(event: HistoryEvent, includeExecutionData: boolean): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    timestamp: toEpochSeconds(event.timestamp),
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
  };
  if (event.details) {
    wire[detailsKey(event.type)] = includeExecutionData
      ? event.details
      : Object.fromEntries(Object.entries(event.details).filter(([k]) => !EXECUTION_DATA_KEYS.has(k)));
  }
  return wire;
}

export function historyPage(
  events: readonly HistoryEvent[],
  options: {
    maxResults?: number | undefined;
    nextToken?: string | undefined;
    reverseOrder?: boolean | undefined;
    includeExecutionData?: boolean | undefined;
  },
): { events: Record<string, unknown>[]; nextToken?: string } {
  const ordered = options.reverseOrder ? [...events].reverse() : events;
  const result = page(ordered, (e) => e.id, {
    maxResults: options.maxResults,
    nextToken: options.nextToken,
    tag: options.reverseOrder ? "history-desc" : "history-asc",
    descending: options.reverseOrder ?? false,
  });
  const wire = result.items.map((e) => toWireEvent(e, options.includeExecutionData ?? true));
  return result.nextToken ? { events: wire, nextToken: result.nextToken } : { events: wire };
}

export const dataDetails = (key: "input" | "output", value: JsonValue | string): Record<string, unknown> => ({
  [key]: typeof value === "string" ? value : JSON.stringify(value),
  [`${key}Details`]: { truncated: false },
});

/**
 * Turns the library's event log of one run into AWS history events. Stateful per run: a Map or Parallel
 * that failed and was then caught must not also report MapStateSucceeded on exit.
 */
export class HistoryMapper {
  private readonly failedContainers = new Set<string>();

  constructor(private readonly stateInfo: (name: string) => StateInfo | undefined) {}

  map(event: LibraryEvent): NewEvent[] {
    switch (event.type) {
      case "StateEntered": {
        const { name, type, input } = event.state;
        this.failedContainers.delete(name);
        const entered: NewEvent = {
          type: `${type}StateEntered`,
          details: { name, ...dataDetails("input", input) },
        };
        if (type === "Map") {
          const length = this.mapLength(name, input);
          return [entered, { type: "MapStateStarted", details: length === undefined ? {} : { length } }];
        }
        if (type === "Parallel") return [entered, { type: "ParallelStateStarted" }];
        return [entered];
      }
      case "StateExited": {
        const { name, type, output } = event.state;
        const exited: NewEvent = {
          type: `${type}StateExited`,
          details: { name, ...dataDetails("output", output ?? null) },
        };
        if ((type === "Map" || type === "Parallel") && !this.failedContainers.delete(name)) {
          return [{ type: `${type}StateSucceeded` }, exited];
        }
        return [exited];
      }
      case "StateFailed": {
        const { name, type } = event.state;
        if (type !== "Map" && type !== "Parallel") return [];
        this.failedContainers.add(name);
        return [{ type: `${type}StateFailed` }];
      }
      case "MapIterationStarted":
      case "MapIterationSucceeded":
      case "MapIterationFailed":
        return [{ type: event.type, details: { name: event.parentState.name, index: event.index } }];
      default:
        // Execution*, ParallelBranch*, StateRetried and StateCaught have no AWS counterpart or are recorded
        // by the engine itself.
        return [];
    }
  }

  /** MapStateStarted.length when the items are reachable by a plain path on the state input. */
  private mapLength(name: string, input: JsonValue): number | undefined {
    const node = this.stateInfo(name)?.node;
    if (!node || "InputPath" in node) return undefined;
    const items = evaluatePlainPath(node.ItemsPath ?? "$", input);
    return Array.isArray(items) ? items.length : undefined;
  }
}

/** `$`, `$.a.b`, `$.a[0]`, `$['a']`; undefined for anything richer (filters, wildcards) or a missing value. */
export function evaluatePlainPath(path: string, value: JsonValue): JsonValue | undefined {
  if (!path.startsWith("$")) return undefined;
  const segments = path.slice(1).match(/\.[A-Za-z_][\w-]*|\[\d+\]|\['[^']*'\]/g) ?? [];
  if (segments.join("") !== path.slice(1)) return undefined;
  let current: JsonValue | undefined = value;
  for (const segment of segments) {
    if (current === undefined) return undefined;
    if (segment.startsWith("[") && !segment.startsWith("['")) {
      current = Array.isArray(current) ? current[Number(segment.slice(1, -1))] : undefined;
    } else {
      const key = segment.startsWith(".") ? segment.slice(1) : segment.slice(2, -2);
      current = isJsonObject(current) ? current[key] : undefined;
    }
  }
  return current;
}
