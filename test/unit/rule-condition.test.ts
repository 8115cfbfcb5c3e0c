// The condition language: the schema refuses unknown facts, operators that do not fit a fact's type,
// ill-typed values and too-deep trees at their paths; the evaluator answers each operator correctly,
// explains the deciding comparison, and obeys boolean algebra (checked on random trees). The order facts
// are what the order says: order.newDeliveryAddress compares the shipping and billing places.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Condition,
  conditionSchemaFor,
  evaluateCondition,
  type Facts,
  routingConditionSchema,
} from "../../domain/rules/condition.ts";
import { isNewDeliveryAddress, orderFacts, routingFacts } from "../../domain/rules/order-facts.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { sampleOrder } from "../support/order-fixtures.ts";

const facts: Facts = {
  "order.channel": "web-de",
  "order.country": "DE",
  "order.totalValue": 120,
  "order.tags": ["vip", "gift"],
  "order.date": "2026-11-23T10:00:00.000Z",
  "position.hazardous": false,
};

const holds = (c: Condition, f: Facts = facts) => evaluateCondition(c, f).result;

const pathsOf = (value: unknown) => {
  const parsed = routingConditionSchema.safeParse(value);
  return parsed.success ? [] : toValidationError(parsed.error).issues.map((i) => i.path);
};

describe("condition schema", () => {
  it("accepts a nested AND/OR tree over known facts", () => {
    const c = {
      all: [
        { fact: "order.country", op: "in", value: ["DE", "AT"] },
        {
          any: [
            { fact: "order.totalValue", op: "between", value: [100, 500] },
            { fact: "order.tags", op: "contains", value: "vip" },
          ],
        },
        { fact: "order.date", op: "window", value: { from: "2026-11-01T00:00:00Z" } },
        { not: { fact: "position.hazardous", op: "eq", value: true } },
      ],
    };
    expect(pathsOf(c)).toEqual([]);
  });

  it.each([
    ["an unknown fact", { fact: "order.colour", op: "eq", value: "red" }, "fact"],
    ["an operator the type lacks", { fact: "order.country", op: "gt", value: 3 }, "op"],
    ["a value of the wrong type", { fact: "order.totalValue", op: "eq", value: "100" }, "value"],
    ["a reversed range", { fact: "order.totalValue", op: "between", value: [5, 1] }, "value"],
    ["an empty window", { fact: "order.date", op: "window", value: {} }, "value"],
    ["tags compared as a string", { fact: "order.tags", op: "eq", value: "vip" }, "op"],
    [
      "a nested bad fact",
      {
        all: [
          { fact: "order.country", op: "eq", value: "DE" },
          { not: { fact: "x", op: "exists", value: true } },
        ],
      },
      "all.1.not.fact",
    ],
  ])("refuses %s at its path", (_name, condition, path) => {
    expect(pathsOf(condition)).toContain(path);
  });

  it("refuses trees deeper than five levels", () => {
    let c: unknown = { fact: "order.country", op: "eq", value: "DE" };
    for (let i = 0; i < 5; i++) c = { not: c };
    expect(pathsOf(c)).toEqual(["not.not.not.not.not"]);
  });

  it("takes another catalogue for another feature", () => {
    const approval = conditionSchemaFor({ "payment.risk": { type: "number", description: "score" } });
    expect(approval.safeParse({ fact: "payment.risk", op: "gte", value: 70 }).success).toBe(true);
    expect(approval.safeParse({ fact: "order.country", op: "eq", value: "DE" }).success).toBe(false);
  });
});

describe("evaluateCondition", () => {
  it.each<[string, Condition, boolean]>([
    ["eq", { fact: "order.country", op: "eq", value: "DE" }, true],
    ["ne", { fact: "order.country", op: "ne", value: "DE" }, false],
    ["in", { fact: "order.country", op: "in", value: ["AT", "DE"] }, true],
    ["not-in", { fact: "order.country", op: "not-in", value: ["AT", "DE"] }, false],
    ["gt", { fact: "order.totalValue", op: "gt", value: 120 }, false],
    ["gte", { fact: "order.totalValue", op: "gte", value: 120 }, true],
    ["lt", { fact: "order.totalValue", op: "lt", value: 121 }, true],
    ["lte", { fact: "order.totalValue", op: "lte", value: 119 }, false],
    ["between", { fact: "order.totalValue", op: "between", value: [120, 130] }, true],
    ["contains", { fact: "order.tags", op: "contains", value: "gift" }, true],
    ["any-of", { fact: "order.tags", op: "any-of", value: ["b2b", "vip"] }, true],
    ["all-of", { fact: "order.tags", op: "all-of", value: ["b2b", "vip"] }, false],
    ["none-of", { fact: "order.tags", op: "none-of", value: ["b2b"] }, true],
    ["exists", { fact: "order.customerTier", op: "exists", value: false }, true],
    ["date after", { fact: "order.date", op: "gt", value: "2026-11-23T09:00:00+00:00" }, true],
    [
      "window (to is exclusive)",
      {
        fact: "order.date",
        op: "window",
        value: { from: "2026-11-01T00:00:00Z", to: "2026-11-23T10:00:00Z" },
      },
      false,
    ],
    ["absent fact fails eq", { fact: "order.customerTier", op: "eq", value: "gold" }, false],
    ["absent fact passes ne", { fact: "order.customerTier", op: "ne", value: "gold" }, true],
    ["boolean eq", { fact: "position.hazardous", op: "eq", value: false }, true],
  ])("%s", (_name, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });

  it("explains the comparison that decided an AND and an OR", () => {
    const and = evaluateCondition(
      {
        all: [
          { fact: "order.country", op: "eq", value: "DE" },
          { fact: "order.totalValue", op: "gt", value: 500 },
        ],
      },
      facts,
    );
    expect(and).toEqual({
      result: false,
      explanation: "order.totalValue gt 500: false (order.totalValue = 120)",
    });
    const or = evaluateCondition(
      {
        any: [
          { fact: "order.country", op: "eq", value: "FR" },
          { fact: "order.tags", op: "contains", value: "vip" },
        ],
      },
      facts,
    );
    expect(or.result).toBe(true);
    expect(or.explanation).toContain("order.tags contains vip: true");
  });

  it("reads the facts of a stored order and its positions", () => {
    const order = sampleOrder();
    const f = routingFacts(order, order.positions[0]!);
    expect(f["order.country"]).toBe(order.shippingAddress.country);
    expect(f["position.sku"]).toBe(order.positions[0]!.sku);
    expect(f["position.hazardous"]).toBe(false);
    expect(
      routingConditionSchema.safeParse({ fact: "position.category", op: "exists", value: true }).success,
    ).toBe(true);
  });

  it("obeys boolean algebra on random trees", () => {
    const leaf = fc.constantFrom<Condition>(
      { fact: "order.country", op: "eq", value: "DE" },
      { fact: "order.totalValue", op: "gt", value: 200 },
      { fact: "order.tags", op: "contains", value: "vip" },
      { fact: "order.customerTier", op: "exists", value: true },
    );
    const tree = fc.letrec<{ node: Condition }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
        fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
        tie("node").map((not) => ({ not })),
      ),
    })).node;
    fc.assert(
      fc.property(tree, tree, (a, b) => {
        expect(holds({ not: { not: a } })).toBe(holds(a));
        expect(holds({ all: [a, b] })).toBe(holds(a) && holds(b));
        expect(holds({ any: [a, b] })).toBe(holds(a) || holds(b));
        expect(holds({ not: { all: [a, b] } })).toBe(holds({ any: [{ not: a }, { not: b }] }));
      }),
    );
  });
});

describe("order.newDeliveryAddress", () => {
  const shipping = sampleOrder().shippingAddress;
  const withBilling = (billing: Record<string, unknown> | undefined) => {
    const order = sampleOrder();
    return billing === undefined ? order : { ...order, billingAddress: { ...shipping, ...billing } };
  };

  it("is false without a billing address (the order ships to it) and for the same address", () => {
    expect(sampleOrder().billingAddress).toBeUndefined();
    expect(isNewDeliveryAddress(sampleOrder())).toBe(false);
    expect(isNewDeliveryAddress(withBilling({}))).toBe(false);
  });

  it("is true when the street, second line, postal code, city or country differs", () => {
    expect(isNewDeliveryAddress(withBilling({ line1: "Heidestrasse 71" }))).toBe(true);
    expect(isNewDeliveryAddress(withBilling({ line2: "c/o Packstation 104" }))).toBe(true);
    expect(isNewDeliveryAddress(withBilling({ postalCode: "51149" }))).toBe(true);
    expect(isNewDeliveryAddress(withBilling({ city: "Bonn" }))).toBe(true);
    expect(isNewDeliveryAddress(withBilling({ country: "AT" }))).toBe(true);
    // An abbreviation is another spelling: when in doubt the address is new.
    expect(isNewDeliveryAddress(withBilling({ line1: "Heidestr. 17" }))).toBe(true);
  });

  it("compares places, not typing: name, region, coordinates, case, accents, punctuation do not count", () => {
    expect(
      isNewDeliveryAddress(
        withBilling({
          name: "Mustermann GmbH",
          region: "NRW",
          coordinates: { lat: 50.9, lon: 7.1 },
          line1: "  HEIDESTRASSE   17 ",
          city: "koeln",
        }),
      ),
    ).toBe(false);
    const order = sampleOrder();
    const accented = {
      ...order,
      shippingAddress: { ...order.shippingAddress, line1: "Heidestraße 17", city: "Mülheim" },
      billingAddress: { ...order.shippingAddress, line1: "Heidestrasse 17", city: "Mulheim" },
    };
    expect(isNewDeliveryAddress(accented)).toBe(false);
  });

  it("is a fact routing and approval conditions can test", () => {
    const condition = { fact: "order.newDeliveryAddress", op: "eq", value: true } as const;
    expect(routingConditionSchema.safeParse(condition).success).toBe(true);
    expect(routingConditionSchema.safeParse({ ...condition, value: "yes" }).success).toBe(false);
    const moved = withBilling({ city: "Bonn" });
    expect(orderFacts(moved)["order.newDeliveryAddress"]).toBe(true);
    expect(holds(condition, routingFacts(moved, moved.positions[0]!))).toBe(true);
    expect(holds(condition, routingFacts(sampleOrder(), sampleOrder().positions[0]!))).toBe(false);
  });
});
