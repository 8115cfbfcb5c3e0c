// The condition language shared by routing rule sets and approval reasons: AND/OR/NOT trees (bounded
// depth and width) of typed comparisons over a flat record of named facts, a zod schema that checks
// each comparison against the fact's declared type, and a pure evaluator that says why a condition
// held or failed. The catalogue of fact names is a parameter, so another feature can bring its own.
import { z } from "zod";

export const FACT_TYPES = ["string", "number", "boolean", "string-list", "datetime"] as const;
export type FactType = (typeof FACT_TYPES)[number];

/** Fact name -> its type and a one-line description (shown in the OpenAPI document). */
export type FactCatalogue = Record<string, { type: FactType; description: string }>;

/** What the order and its positions offer to conditions (see domain/rules/order-facts.ts). */
export const ORDER_FACTS = {
  "order.channel": { type: "string", description: "the sales channel id" },
  "order.type": { type: "string", description: "the order type, e.g. HOME_DELIVERY" },
  "order.country": { type: "string", description: "the shipping country (ISO 3166-1 alpha-2)" },
  "order.customerTier": { type: "string", description: "the customer's tier, when the channel sends one" },
  "order.totalValue": { type: "number", description: "the order total in its currency" },
  "order.currency": { type: "string", description: "the order currency (ISO 4217)" },
  "order.paymentMethod": { type: "string", description: "the payment method" },
  "order.tags": { type: "string-list", description: "the order's tags" },
  "order.date": { type: "datetime", description: "when the order was placed (ISO-8601)" },
  "order.positionCount": { type: "number", description: "how many positions the order has" },
  "order.newDeliveryAddress": {
    type: "boolean",
    description:
      "the order ships to another place than its billing address (street, postal code, city, country; not the name); false without a billing address",
  },
} as const satisfies FactCatalogue;

export const POSITION_FACTS = {
  "position.sku": { type: "string", description: "the position's SKU" },
  "position.category": { type: "string", description: "the product category, when sent" },
  "position.weight": { type: "number", description: "weight of one unit in kg, when sent" },
  "position.hazardous": { type: "boolean", description: "dangerous goods (absent means not hazardous)" },
  "position.quantity": { type: "number", description: "ordered quantity" },
  "position.value": { type: "number", description: "quantity x unit price" },
} as const satisfies FactCatalogue;

export const ROUTING_FACTS = { ...ORDER_FACTS, ...POSITION_FACTS } satisfies FactCatalogue;

/** A fact's value as conditions see it; `undefined` means the fact is absent. */
export type FactValue = string | number | boolean | readonly string[] | undefined;
export type Facts = Readonly<Record<string, FactValue>>;

export const MAX_CONDITION_DEPTH = 5;
export const MAX_CONDITION_CHILDREN = 20;

const scalar = z.union([z.string().max(200), z.number(), z.boolean()]);
const scalarList = z
  .array(z.union([z.string().max(200), z.number()]))
  .min(1)
  .max(100);
const comparable = z.union([z.number(), z.iso.datetime({ offset: true })]);

/** One comparison of a fact with a value. Which operators fit which fact type: see OPERATORS_BY_TYPE. */
export const comparisonSchema = z.discriminatedUnion("op", [
  z.strictObject({ fact: z.string(), op: z.literal("eq"), value: scalar }),
  z.strictObject({ fact: z.string(), op: z.literal("ne"), value: scalar }),
  z.strictObject({ fact: z.string(), op: z.literal("in"), value: scalarList }),
  z.strictObject({ fact: z.string(), op: z.literal("not-in"), value: scalarList }),
  z.strictObject({ fact: z.string(), op: z.literal("gt"), value: comparable }),
  z.strictObject({ fact: z.string(), op: z.literal("gte"), value: comparable }),
  z.strictObject({ fact: z.string(), op: z.literal("lt"), value: comparable }),
  z.strictObject({ fact: z.string(), op: z.literal("lte"), value: comparable }),
  z.strictObject({
    fact: z.string(),
    op: z.literal("between"),
    value: z.tuple([comparable, comparable]).describe("[low, high], both inclusive"),
  }),
  z.strictObject({ fact: z.string(), op: z.literal("contains"), value: z.string().max(200) }),
  z.strictObject({
    fact: z.string(),
    op: z.literal("any-of"),
    value: z.array(z.string().max(200)).min(1).max(100),
  }),
  z.strictObject({
    fact: z.string(),
    op: z.literal("all-of"),
    value: z.array(z.string().max(200)).min(1).max(100),
  }),
  z.strictObject({
    fact: z.string(),
    op: z.literal("none-of"),
    value: z.array(z.string().max(200)).min(1).max(100),
  }),
  z.strictObject({ fact: z.string(), op: z.literal("exists"), value: z.boolean() }),
  z.strictObject({
    fact: z.string(),
    op: z.literal("window"),
    value: z
      .strictObject({
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
      })
      .describe("a date window: from (inclusive) and/or to (exclusive)"),
  }),
]);
export type Comparison = z.infer<typeof comparisonSchema>;
export type Operator = Comparison["op"];

export const OPERATORS_BY_TYPE: Record<FactType, readonly Operator[]> = {
  string: ["eq", "ne", "in", "not-in", "exists"],
  number: ["eq", "ne", "in", "not-in", "gt", "gte", "lt", "lte", "between", "exists"],
  boolean: ["eq", "ne", "exists"],
  "string-list": ["contains", "any-of", "all-of", "none-of", "exists"],
  datetime: ["gt", "gte", "lt", "lte", "between", "window", "exists"],
};

export type Condition = Comparison | { all: Condition[] } | { any: Condition[] } | { not: Condition };

// Structural schema (recursive); fact names, types and depth are checked by conditionSchemaFor.
const conditionShape: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionShape).min(1).max(MAX_CONDITION_CHILDREN) }),
    z.strictObject({ any: z.array(conditionShape).min(1).max(MAX_CONDITION_CHILDREN) }),
    z.strictObject({ not: conditionShape }),
    comparisonSchema,
  ]),
);

function valueFitsType(comparison: Comparison, type: FactType): string | undefined {
  const { op, value } = comparison;
  const isDate = (v: unknown) => typeof v === "string";
  switch (op) {
    case "eq":
    case "ne":
      if (type === "number" && typeof value !== "number") return "a number";
      if (type === "boolean" && typeof value !== "boolean") return "true or false";
      if (type === "string" && typeof value !== "string") return "a string";
      return undefined;
    case "in":
    case "not-in":
      if (type === "number" && value.some((v) => typeof v !== "number")) return "numbers";
      if (type === "string" && value.some((v) => typeof v !== "string")) return "strings";
      return undefined;
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      if (type === "number" && typeof value !== "number") return "a number";
      if (type === "datetime" && !isDate(value)) return "an ISO-8601 date-time";
      return undefined;
    case "between": {
      const [low, high] = value;
      if (type === "number" && (typeof low !== "number" || typeof high !== "number")) return "two numbers";
      if (type === "datetime" && (!isDate(low) || !isDate(high))) return "two ISO-8601 date-times";
      if (compare(low, high) > 0) return "[low, high] with low <= high";
      return undefined;
    }
    case "window":
      if (value.from === undefined && value.to === undefined) return "from and/or to";
      if (value.from !== undefined && value.to !== undefined && compare(value.from, value.to) >= 0) {
        return "from before to";
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The schema of conditions over a fact catalogue: the structure, plus per comparison a known fact, an
 * operator its type supports and a value of the right kind, each refused at its path; depth <= 5.
 */
export function conditionSchemaFor(catalogue: FactCatalogue): z.ZodType<Condition> {
  return conditionShape.superRefine((root, ctx) => {
    const visit = (node: Condition, path: (string | number)[], depth: number) => {
      if (depth > MAX_CONDITION_DEPTH) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `conditions nest at most ${MAX_CONDITION_DEPTH} levels deep`,
        });
        return;
      }
      if ("all" in node || "any" in node) {
        const key = "all" in node ? "all" : "any";
        const children = "all" in node ? node.all : node.any;
        for (const [i, child] of children.entries()) visit(child, [...path, key, i], depth + 1);
      } else if ("not" in node) visit(node.not, [...path, "not"], depth + 1);
      else {
        const known = catalogue[node.fact];
        if (!known) {
          ctx.addIssue({
            code: "custom",
            path: [...path, "fact"],
            message: `unknown fact ${node.fact}; known: ${Object.keys(catalogue).join(", ")}`,
          });
          return;
        }
        if (!OPERATORS_BY_TYPE[known.type].includes(node.op)) {
          ctx.addIssue({
            code: "custom",
            path: [...path, "op"],
            message: `${node.fact} is a ${known.type}; its operators are ${OPERATORS_BY_TYPE[known.type].join(", ")}`,
          });
          return;
        }
        const expected = valueFitsType(node, known.type);
        if (expected) {
          ctx.addIssue({
            code: "custom",
            path: [...path, "value"],
            message: `${node.fact} ${node.op} expects ${expected}`,
          });
        }
      }
    };
    visit(root, [], 1);
  });
}

/** Conditions over order and position facts (routing rule sets). */
export const routingConditionSchema = conditionSchemaFor(ROUTING_FACTS);

export interface ConditionResult {
  result: boolean;
  /** Why: the comparison that decided it, with the fact's actual value. */
  explanation: string;
}

/** Numbers compare as numbers; strings (ISO date-times) compare as instants. */
function compare(a: string | number, b: string | number): number {
  const x = typeof a === "number" ? a : Date.parse(a);
  const y = typeof b === "number" ? b : Date.parse(b);
  return x - y;
}

const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

function evaluateComparison(c: Comparison, facts: Facts): ConditionResult {
  const actual = facts[c.fact];
  const said = (result: boolean) => ({
    result,
    explanation: `${c.fact} ${c.op} ${show(c.value)}: ${result} (${c.fact} = ${show(actual)})`,
  });
  if (c.op === "exists") return said((actual !== undefined) === c.value);
  if (actual === undefined) {
    // An absent fact fails every test but "ne" / "not-in" / "none-of", which it trivially satisfies.
    const holds = c.op === "ne" || c.op === "not-in" || c.op === "none-of";
    return { result: holds, explanation: `${c.fact} ${c.op} ${show(c.value)}: ${holds} (${c.fact} absent)` };
  }
  const list = Array.isArray(actual) ? (actual as readonly string[]) : undefined;
  const single = list ? undefined : (actual as string | number | boolean);
  switch (c.op) {
    case "eq":
      return said(single === c.value);
    case "ne":
      return said(single !== c.value);
    case "in":
      return said((c.value as readonly unknown[]).includes(single));
    case "not-in":
      return said(!(c.value as readonly unknown[]).includes(single));
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      if (typeof single !== "number" && typeof single !== "string") return said(false);
      const d = compare(single, c.value);
      if (Number.isNaN(d)) return said(false);
      return said(c.op === "gt" ? d > 0 : c.op === "gte" ? d >= 0 : c.op === "lt" ? d < 0 : d <= 0);
    }
    case "between": {
      if (typeof single !== "number" && typeof single !== "string") return said(false);
      return said(compare(single, c.value[0]) >= 0 && compare(single, c.value[1]) <= 0);
    }
    case "window": {
      if (typeof single !== "string" || Number.isNaN(Date.parse(single))) return said(false);
      const afterFrom = c.value.from === undefined || compare(single, c.value.from) >= 0;
      const beforeTo = c.value.to === undefined || compare(single, c.value.to) < 0;
      return said(afterFrom && beforeTo);
    }
    case "contains":
      return said(list?.includes(c.value) ?? single === c.value);
    case "any-of":
      return said(c.value.some((v) => list?.includes(v) ?? single === v));
    case "all-of":
      return said(c.value.every((v) => list?.includes(v) ?? single === v));
    case "none-of":
      return said(!c.value.some((v) => list?.includes(v) ?? single === v));
  }
}

/**
 * Evaluates a condition over facts. AND stops at the first failing branch and explains it; OR stops
 * at the first holding branch and explains it; NOT inverts. Pure; a missing condition means "always".
 */
export function evaluateCondition(condition: Condition | undefined, facts: Facts): ConditionResult {
  if (condition === undefined) return { result: true, explanation: "no condition" };
  if ("all" in condition) {
    let last: ConditionResult = { result: true, explanation: "" };
    for (const child of condition.all) {
      last = evaluateCondition(child, facts);
      if (!last.result) return last;
    }
    const n = condition.all.length;
    return { result: true, explanation: n === 1 ? last.explanation : `all ${n} conditions hold` };
  }
  if ("any" in condition) {
    const failed: string[] = [];
    for (const child of condition.any) {
      const r = evaluateCondition(child, facts);
      if (r.result) return r;
      failed.push(r.explanation);
    }
    return { result: false, explanation: `none holds: ${failed.join("; ")}` };
  }
  if ("not" in condition) {
    const r = evaluateCondition(condition.not, facts);
    return { result: !r.result, explanation: `not (${r.explanation})` };
  }
  return evaluateComparison(condition, facts);
}
