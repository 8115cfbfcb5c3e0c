// Routing rule sets (DOSE configuration): what one rule set says (rank, conditions on the order and its
// positions, location filters, criteria weights, split limits, delivery promise) as a zod schema, and
// its versions: a DRAFT is editable, PUBLISHED is immutable (a change is refused with a code), routing
// uses each rule set's latest published version, and an order records the versions that routed it.
import { z } from "zod";
import { FULFILLMENT_KINDS, LOCATION_KINDS } from "../inventory/location.ts";
import { routingConditionSchema } from "../rules/condition.ts";
import { ConflictError } from "../shared/errors.ts";

export const RULE_SET_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const ruleSetIdSchema = z
  .string()
  .regex(RULE_SET_ID_PATTERN, "ruleSetId is lower-case letters, digits and -, up to 63 characters");

const networkId = z.string().min(1).max(64);

/** Which locations a rule set may use at all (each filter that removes one is named in the trace). */
export const locationFiltersSchema = z.strictObject({
  kinds: z.array(z.enum(LOCATION_KINDS)).min(1).optional().describe("Only these location kinds"),
  networks: z.array(networkId).min(1).max(50).optional().describe("Only locations of one of these networks"),
  excludeNetworks: z.array(networkId).max(50).optional().describe("Never locations of these networks"),
  locationIds: z.array(z.string().min(1).max(64)).max(1000).optional().describe("Only these locations"),
  excludeLocationIds: z.array(z.string().min(1).max(64)).max(1000).optional(),
  fulfillmentKind: z.enum(FULFILLMENT_KINDS).default("SHIP"),
  /** Distance band: locations nearer than min or farther than max (km) from the customer are out. */
  minDistanceKm: z.number().nonnegative().max(40_000).optional(),
  maxDistanceKm: z.number().positive().max(40_000).optional(),
  /** Stock depth: a location of these kinds keeps this many units of each SKU (never sells its last ones). */
  keepUnits: z
    .strictObject({ kinds: z.array(z.enum(LOCATION_KINDS)).min(1), units: z.number().int().min(1).max(1000) })
    .optional(),
  /** Skip locations whose daily capacity (orders or units) is used up on their shipping day. */
  respectCapacity: z.boolean().default(true),
});
export type LocationFilters = z.infer<typeof locationFiltersSchema>;

/**
 * Criteria, combined by weight into one cost per route (docs/routing.md): per parcel, per km to the
 * customer, on the shipping cost (per parcel, per km, per unit, as configured on the location), and per
 * priority point of each location used.
 */
export const criteriaSchema = z.strictObject({
  parcel: z.number().nonnegative().max(1_000_000).default(10),
  distance: z.number().nonnegative().max(1_000_000).default(0).describe("Weight per km"),
  shippingCost: z.number().nonnegative().max(1_000_000).default(1),
  priority: z.number().nonnegative().max(1_000_000).default(0.1),
});
export type Criteria = z.infer<typeof criteriaSchema>;

export const transitBandSchema = z.strictObject({
  upToKm: z.number().positive().max(40_000).optional().describe("Absent: any distance (the last band)"),
  days: z.number().int().min(0).max(60),
});

export const DEFAULT_TRANSIT_BANDS = [{ upToKm: 300, days: 1 }, { upToKm: 1000, days: 2 }, { days: 4 }];

/**
 * The delivery promise: ship date from each location's calendar and cut-off, plus transit days by
 * distance band. The deadline is the order's requested delivery date, else its placement date +
 * `withinDays`; a location whose delivery date lies more than `toleranceDays` after it is not used by
 * this rule set (the cascade moves on; with no rule set left, the position is CHECK_ANNOUNCED).
 */
export const deliveryPromiseSchema = z.strictObject({
  withinDays: z.number().int().min(0).max(365).optional(),
  toleranceDays: z.number().int().min(0).max(365).default(0),
  transitDays: z
    .array(transitBandSchema)
    .min(1)
    .max(10)
    .default(DEFAULT_TRANSIT_BANDS)
    .refine((bands) => bands.at(-1)?.upToKm === undefined, "the last transit band has no upToKm"),
});

export const ruleSetDefinitionSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(1000).optional(),
  /** Lower ranks are tried first; ties break by rule set id. */
  rank: z.number().int().min(0).max(100_000),
  enabled: z.boolean().default(true),
  /** Which orders and positions this rule set routes; absent: all. */
  conditions: routingConditionSchema.optional(),
  filters: locationFiltersSchema.default({ fulfillmentKind: "SHIP", respectCapacity: true }),
  criteria: criteriaSchema.default({ parcel: 10, distance: 0, shippingCost: 1, priority: 0.1 }),
  /** Most locations (parcels) one order is split into by this rule set. */
  maxSplit: z.number().int().min(1).max(20).default(3),
  /** Whether one position's units may come from several locations (partial stock at each). */
  splitPositions: z.boolean().default(false),
  deliveryPromise: deliveryPromiseSchema.default({ toleranceDays: 0, transitDays: DEFAULT_TRANSIT_BANDS }),
});
export type RuleSetDefinition = z.infer<typeof ruleSetDefinitionSchema>;
export type RuleSetDefinitionInput = z.input<typeof ruleSetDefinitionSchema>;

export const RULE_SET_STATUSES = ["DRAFT", "PUBLISHED"] as const;

/** One version of a rule set as stored. */
export const ruleSetVersionSchema = z.object({
  ruleSetId: ruleSetIdSchema,
  version: z.number().int().positive(),
  status: z.enum(RULE_SET_STATUSES),
  definition: ruleSetDefinitionSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().optional(),
});
export type RuleSetVersion = z.infer<typeof ruleSetVersionSchema>;

/** A rule set's head: its versions so far and the one routing uses. */
export const ruleSetHeadSchema = z.object({
  ruleSetId: ruleSetIdSchema,
  latestVersion: z.number().int().positive(),
  /** The version routing uses (the last published); absent while only drafts exist. */
  publishedVersion: z.number().int().positive().optional(),
  /** A copy of the published definition, so routing reads every rule set in one Query. */
  published: ruleSetDefinitionSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RuleSetHead = z.infer<typeof ruleSetHeadSchema>;

/** A rule set version routing can use. */
export interface PublishedRuleSet {
  ruleSetId: string;
  version: number;
  definition: RuleSetDefinition;
}

/** POST /routing/rule-sets: an id and the first draft's definition. */
export const ruleSetCreateSchema = z.strictObject({
  ruleSetId: ruleSetIdSchema,
  ...ruleSetDefinitionSchema.shape,
});

/** A draft may change; a published version never does (ConflictError RULE_SET_VERSION_PUBLISHED). */
export function assertEditable(version: Pick<RuleSetVersion, "ruleSetId" | "version" | "status">): void {
  if (version.status === "PUBLISHED") {
    throw new ConflictError(
      "RULE_SET_VERSION_PUBLISHED",
      `rule set ${version.ruleSetId} version ${version.version} is published and cannot change; create a new version`,
      "version",
      { ruleSetId: version.ruleSetId, version: version.version },
    );
  }
}

/** Routing's view of the heads: enabled published versions in cascade order (rank, then id). */
export function cascadeOrder(heads: readonly RuleSetHead[]): PublishedRuleSet[] {
  return heads
    .flatMap((h) =>
      h.published && h.publishedVersion !== undefined && h.published.enabled
        ? [{ ruleSetId: h.ruleSetId, version: h.publishedVersion, definition: h.published }]
        : [],
    )
    .sort((a, b) => a.definition.rank - b.definition.rank || a.ruleSetId.localeCompare(b.ruleSetId));
}

/**
 * The rule set routing falls back on when none is published: every location the channel sees that
 * ships, fewest parcels first, then location priority (what the OMS did before rule sets existed); split
 * into at most 3 parcels, positions whole, no delivery deadline.
 */
export const BUILT_IN_RULE_SET: PublishedRuleSet = {
  ruleSetId: "built-in-default",
  version: 0,
  definition: ruleSetDefinitionSchema.parse({
    name: "Built-in default",
    rank: 100_000,
    criteria: { parcel: 1000, distance: 0, shippingCost: 0, priority: 1 },
  }),
};
