// The cost arithmetic the e2e benchmark and docs/costs.md rely on: unit prices times counts.
import { describe, expect, it } from "vitest";
import { costPerMillionOrders, expressBilledSeconds, writeUnits } from "../../bench/cost-model.ts";

const zero = {
  standardTransitions: 0,
  expressExecutions: 0,
  expressBilledSeconds: 0,
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  apiRequests: 0,
  dynamoWriteUnits: 0,
  dynamoReadUnits: 0,
  events: 0,
};

describe("cost per million orders", () => {
  it("prices DESIGN.md's all-Standard 15-transition flow at $375 of transitions", () => {
    expect(costPerMillionOrders({ ...zero, standardTransitions: 15 }).usdPerMillionOrders).toBe(375);
  });

  it("prices an approval's Standard transitions per state entered: 4 of order-approval = $100", () => {
    // order-approval enters Ranks, Reasons, Request, Approve; the reservation hold is a table item now.
    const cost = costPerMillionOrders({ ...zero, standardTransitions: 4, expressExecutions: 2 });
    expect(cost.lines.find((l) => l.item.includes("Standard"))?.usdPerMillionOrders).toBe(100);
    expect(cost.usdPerMillionOrders).toBe(102);
  });

  it("prices one Express execution of 0.8 s at $1 per million starts plus 64 MB x 0.8 s", () => {
    const cost = costPerMillionOrders({ ...zero, expressExecutions: 1, expressBilledSeconds: 0.8 });
    // 1 + 0.8 s x 0.0625 GB x $0.06/3600 x 1e6 = 1 + 0.8333
    expect(cost.usdPerMillionOrders).toBe(1.83);
  });

  it("keeps storage and events out of the workflow figure and in the all-in one", () => {
    const cost = costPerMillionOrders({ ...zero, lambdaInvocations: 4, dynamoWriteUnits: 20, events: 4 });
    expect(cost.usdPerMillionOrders).toBe(0.8);
    expect(cost.usdPerMillionOrdersAllIn).toBe(0.8 + 12.5 + 4);
  });

  it("rounds Express durations up to 100 ms and item writes up to whole KB, doubled in transactions", () => {
    expect(expressBilledSeconds(1)).toBe(0.1);
    expect(expressBilledSeconds(100)).toBe(0.1);
    expect(expressBilledSeconds(101)).toBe(0.2);
    expect(writeUnits(100, false)).toBe(1);
    expect(writeUnits(1_025, false)).toBe(2);
    expect(writeUnits(1_025, true)).toBe(4);
  });
});
