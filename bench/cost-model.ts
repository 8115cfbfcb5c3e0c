// What an order costs on AWS at list prices (us-east-1, on-demand, no free tier), from the counts the
// e2e benchmark measures per order. Pure arithmetic, unit-tested; docs/costs.md shows the same table.
// `usdPerMillionOrders` is the orchestration and compute the order's workflow implies (Step Functions,
// Lambda, the API call that submits it); `usdPerMillionOrdersAllIn` adds storage and events.

/** Unit prices in USD (list prices, us-east-1, checked 2026-11; first pricing tier). */
export const PRICES = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  standardTransition: 0.025 / 1_000,
  /** Step Functions Express: $1.00 per million requests (executions started). */
  expressRequest: 1 / 1_000_000,
  /** Express duration: $0.06 per GB-hour (first 1,000 GB-hours), 100 ms steps, 64 MB chunks. */
  expressGbSecond: 0.06 / 3_600,
  /** Lambda: $0.20 per million requests. */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda on Arm (Graviton): $0.0000133334 per GB-second, billed per millisecond. */
  lambdaArmGbSecond: 0.000_013_333_4,
  /** API Gateway HTTP API: $1.00 per million requests (first 300 million). */
  httpApiRequest: 1 / 1_000_000,
  /** DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read units. */
  dynamoWriteUnit: 0.625 / 1_000_000,
  dynamoReadUnit: 0.125 / 1_000_000,
  /** EventBridge: $1.00 per million custom events published (64 KB chunks). */
  eventBridgeEvent: 1 / 1_000_000,
} as const;

/** Express executions are billed at 64 MB (the smallest chunk; the order workflow needs no more). */
export const EXPRESS_BILLED_GB = 64 / 1_024;

/** Per order, as the benchmark measured them. */
export interface PerOrderCounts {
  standardTransitions: number;
  expressExecutions: number;
  /** Sum over the order's Express executions of their duration rounded up to 100 ms, in seconds. */
  expressBilledSeconds: number;
  lambdaInvocations: number;
  /** Sum over the order's invocations of duration x configured memory, GB-seconds. */
  lambdaGbSeconds: number;
  apiRequests: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  events: number;
}

export interface CostLine {
  item: string;
  perOrder: number;
  unitPriceUsd: number;
  usdPerMillionOrders: number;
  allInOnly: boolean;
}

export interface OrderCost {
  lines: CostLine[];
  usdPerMillionOrders: number;
  usdPerMillionOrdersAllIn: number;
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

export function costPerMillionOrders(c: PerOrderCounts): OrderCost {
  const line = (item: string, perOrder: number, unitPriceUsd: number, allInOnly = false): CostLine => ({
    item,
    perOrder: round(perOrder, 4),
    unitPriceUsd,
    usdPerMillionOrders: round(perOrder * unitPriceUsd * 1_000_000),
    allInOnly,
  });
  const lines = [
    line("Step Functions Standard transitions", c.standardTransitions, PRICES.standardTransition),
    line("Step Functions Express requests", c.expressExecutions, PRICES.expressRequest),
    line(
      "Step Functions Express GB-seconds",
      c.expressBilledSeconds * EXPRESS_BILLED_GB,
      PRICES.expressGbSecond,
    ),
    line("Lambda requests", c.lambdaInvocations, PRICES.lambdaRequest),
    line("Lambda GB-seconds (Arm)", c.lambdaGbSeconds, PRICES.lambdaArmGbSecond),
    line("HTTP API requests", c.apiRequests, PRICES.httpApiRequest),
    line("DynamoDB write units", c.dynamoWriteUnits, PRICES.dynamoWriteUnit, true),
    line("DynamoDB read units", c.dynamoReadUnits, PRICES.dynamoReadUnit, true),
    line("EventBridge events", c.events, PRICES.eventBridgeEvent, true),
  ];
  const sum = (ls: CostLine[]) => round(ls.reduce((a, l) => a + l.usdPerMillionOrders, 0));
  return {
    lines,
    usdPerMillionOrders: sum(lines.filter((l) => !l.allInOnly)),
    usdPerMillionOrdersAllIn: sum(lines),
  };
}

/** Express bills each execution's duration rounded up to the next 100 ms. */
export function expressBilledSeconds(durationMs: number): number {
  return Math.ceil(Math.max(durationMs, 1) / 100) / 10;
}

/** DynamoDB write units of one item write: 1 per KB started, doubled inside a transaction. */
export function writeUnits(itemBytes: number, transactional: boolean): number {
  return Math.max(1, Math.ceil(itemBytes / 1_024)) * (transactional ? 2 : 1);
}
