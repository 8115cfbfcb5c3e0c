// "Step Functions Execution Status Change" events, which AWS puts on the default event bus (source
// "aws.states") whenever a Standard execution starts, is redriven or ends. Rules such as "order workflows
// that failed" depend on them. They go through the local EventBridge's service entry point, because
// PutEvents refuses "aws." sources from clients (as AWS does).
import type { AwsJsonService } from "../aws-protocol/aws-json-service.ts";
import type { Logger } from "./integrations.ts";
import type { ExecutionRecord } from "./store.ts";

// A type alias, not an interface: it must be assignable to the EventBridge's loose (indexed) entry type.
export type ServiceEventEntry = {
  Source: string;
  DetailType: string;
  Detail: string;
  Resources: string[];
};

/** The local EventBridge as the Step Functions emulation sees it: its API, and maybe the service entry. */
export type EventsService = AwsJsonService & {
  putServiceEvents?(entries: ServiceEventEntry[]): Promise<void>;
};

/** AWS's event detail: dates in epoch milliseconds, absent values as null. */
export function statusChangeDetail(execution: ExecutionRecord): Record<string, unknown> {
  const failedRun = execution.status !== "RUNNING" && execution.status !== "SUCCEEDED";
  const redrivable = failedRun && execution.type === "STANDARD";
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    stopDate: execution.stopDate ?? null,
    input: execution.input,
    output: execution.output ?? null,
    inputDetails: { included: true },
    outputDetails: execution.output === undefined ? null : { included: true },
    error: execution.error ?? null,
    cause: execution.cause ?? null,
    redriveCount: execution.redriveCount,
    redriveDate: execution.redriveDate ?? null,
    redriveStatus: redrivable ? "REDRIVABLE" : "NOT_REDRIVABLE",
    redriveStatusReason: redrivable ? null : `Execution is ${execution.status} and cannot be redriven`,
  };
}

/** Publishes the execution's current status; Express executions emit none, as on AWS. */
export function publishStatusChange(
  events: EventsService | undefined,
  execution: ExecutionRecord,
  logger: Logger,
): void {
  if (!events?.putServiceEvents || execution.type !== "STANDARD") return;
  const entry: ServiceEventEntry = {
    Source: "aws.states",
    DetailType: "Step Functions Execution Status Change",
    Detail: JSON.stringify(statusChangeDetail(execution)),
    Resources: [execution.arn],
  };
  events.putServiceEvents([entry]).catch((error: unknown) => {
    logger.error("could not publish a Step Functions status change", {
      executionArn: execution.arn,
      status: execution.status,
      error: String(error),
    });
  });
}
