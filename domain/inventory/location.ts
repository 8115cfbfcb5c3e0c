// Fulfillment locations (warehouses, stores, suppliers/drop-shippers): their configuration as a zod schema
// (the API's input and the stored shape derive from it) and the pure questions routing and availability
// ask of a location: is it open for orders now, does it offer a fulfillment kind, how far is it.
import { z } from "zod";
import { locationDocumentsSchema } from "../fulfillment/documents.ts";
import { locationSubmissionSchema } from "../fulfillment/submission.ts";
import { skuSchema } from "../order/order-input.ts";

export const LOCATION_KINDS = ["WAREHOUSE", "STORE", "SUPPLIER"] as const;
/** SHIP: parcel to the customer; PICKUP: click & collect at the location; SHIP_TO_STORE: to a store. */
export const FULFILLMENT_KINDS = ["SHIP", "PICKUP", "SHIP_TO_STORE"] as const;
export type FulfillmentKind = (typeof FULFILLMENT_KINDS)[number];

/** Price lists live on the location item (read with the cached directory): kept to supplier-sized lists. */
export const MAX_PURCHASE_PRICES = 1000;

export const LOCATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export const locationIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(LOCATION_ID_PATTERN, "locationId may contain letters, digits and . _ : -");

const networkSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(LOCATION_ID_PATTERN, "a network id may contain letters, digits and . _ : -");

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const coordinatesSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type Coordinates = z.infer<typeof coordinatesSchema>;

const locationAddressSchema = z.strictObject({
  line1: z.string().min(1).max(200).optional(),
  postalCode: z.string().min(1).max(20),
  city: z.string().min(1).max(100),
  country: z.string().regex(/^[A-Z]{2}$/, "country is an ISO 3166-1 alpha-2 code such as DE"),
});

const downtimeSchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    reason: z.string().max(200).optional(),
  })
  .refine((d) => Date.parse(d.from) < Date.parse(d.to), { message: "from must be before to", path: ["to"] });

/** What a client sends to create or replace a location (the id travels in the path or beside it). */
export const locationInputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  kind: z.enum(LOCATION_KINDS),
  address: locationAddressSchema,
  coordinates: coordinatesSchema.optional(),
  fulfillmentKinds: z
    .array(z.enum(FULFILLMENT_KINDS))
    .min(1)
    .default(["SHIP"])
    .refine((kinds) => new Set(kinds).size === kinds.length, "fulfillment kinds must not repeat"),
  /** Daily capacity: routing (the DOSE issue) stops assigning once it is used up. */
  capacity: z
    .strictObject({ perDay: z.number().int().positive().max(10_000_000), unit: z.enum(["ORDERS", "UNITS"]) })
    .optional(),
  /** Orders assigned after this local time ship the next working day. */
  cutOffTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "cutOffTime is HH:MM (24-hour)")
    .default("16:00"),
  timeZone: z.string().refine(isTimeZone, "timeZone is an IANA zone such as Europe/Berlin").default("UTC"),
  /** ISO weekdays the location works (1 = Monday ... 7 = Sunday). */
  workingDays: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5]),
  holidays: z.array(z.iso.date()).max(366).default([]),
  enabled: z.boolean().default(true),
  /** Planned or unplanned windows without fulfillment (stock stays visible to operators, not channels). */
  downtimes: z.array(downtimeSchema).max(50).default([]),
  /** Groups a channel can be given access to as a whole ("de-stores", "eu-warehouses"). */
  networks: z.array(networkSchema).max(20).default([]),
  /** Routing preference after the channel's default location: lower first. */
  priority: z.number().int().min(0).max(1000).default(100),
  shippingCost: z
    .strictObject({
      currency: z.string().regex(/^[A-Z]{3}$/, "currency is an ISO 4217 code such as EUR"),
      perParcel: z.number().nonnegative().max(100_000),
      perUnit: z.number().nonnegative().max(100_000).default(0),
      perKm: z.number().nonnegative().max(1_000).default(0),
    })
    .optional(),
  /** Working days before goods can leave (suppliers, drop-shippers), added to the planned shipping date; absent = 0. */
  leadTimeDays: z.number().int().min(0).max(365).optional(),
  /**
   * What the merchant pays this location per unit of a SKU (a supplier's or drop-shipper's price list),
   * in the orders' currency; shown in the temporary order response. Absent SKUs have no purchase price.
   */
  purchasePrices: z
    .record(skuSchema, z.number().nonnegative().max(10_000_000))
    .refine((prices) => Object.keys(prices).length <= MAX_PURCHASE_PRICES, {
      message: `at most ${MAX_PURCHASE_PRICES} purchase prices per location`,
    })
    .optional(),
  /** The documents its parcels carry; absent = the default of its kind (see domain/fulfillment/documents.ts). */
  documents: locationDocumentsSchema.optional(),
  /**
   * How its part of an order reaches it and whether its system answers (absent: an EventBridge event,
   * accepted as dispatched). See domain/fulfillment/submission.ts and docs/submission.md.
   */
  submission: locationSubmissionSchema.optional(),
});
export type LocationInput = z.input<typeof locationInputSchema>;
export type LocationSettings = z.infer<typeof locationInputSchema>;

export const locationSchema = z.object({
  locationId: locationIdSchema,
  ...locationInputSchema.shape,
  disabledReason: z.string().max(200).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Optimistic-lock counter of the configuration. */
  version: z.number().int().positive(),
});
export type Location = z.infer<typeof locationSchema>;

/** A location as the API shows it: a WEBHOOK location's signing secret is never returned. */
export function locationView(location: Location) {
  const webhook = location.submission?.webhook;
  if (!location.submission || !webhook) return location;
  return {
    ...location,
    submission: { ...location.submission, webhook: { url: webhook.url, secret: "********" } },
  };
}

/** True while `at` lies inside one of the location's downtime windows. */
export function inDowntime(location: Pick<Location, "downtimes">, at: string): boolean {
  const t = Date.parse(at);
  return location.downtimes.some((d) => Date.parse(d.from) <= t && t < Date.parse(d.to));
}

/** Enabled and not in downtime: may be assigned orders and counts for channels' availability. */
export function isOperational(location: Pick<Location, "enabled" | "downtimes">, at: string): boolean {
  return location.enabled && !inDowntime(location, at);
}

export function offers(location: Pick<Location, "fulfillmentKinds">, kind: FulfillmentKind): boolean {
  return location.fulfillmentKinds.includes(kind);
}

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance (haversine), km. */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * How close two postcodes of the same country are without a geocoder: the length of their common prefix
 * (German, French, Dutch... postcodes are assigned by region from the first digit on). 0 across countries.
 */
export function postcodeCloseness(
  a: { postalCode: string; country: string },
  b: { postalCode: string; country: string },
): number {
  if (a.country !== b.country) return 0;
  const x = a.postalCode.replace(/\s+/g, "").toUpperCase();
  const y = b.postalCode.replace(/\s+/g, "").toUpperCase();
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}

/** POST /locations: the id plus the configuration. */
export const locationCreateSchema = z.strictObject({
  locationId: locationIdSchema,
  ...locationInputSchema.shape,
});

/** POST /locations/{id}/disable. */
export const locationDisableSchema = z.strictObject({ reason: z.string().min(1).max(200).optional() });
