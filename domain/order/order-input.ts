// What a sales channel submits: the zod schema of POST /orders bodies. Types derive from the schema;
// the OpenAPI document is generated from it.
import { z } from "zod";

export const ORDER_TYPES = ["HOME_DELIVERY"] as const;
export const orderTypeSchema = z.enum(ORDER_TYPES);
export type OrderType = z.infer<typeof orderTypeSchema>;

export const MAX_POSITIONS = 500;

const id = (what: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, `${what} may contain letters, digits and . _ : -`);

export const skuSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, "SKU may contain letters, digits and . _ / -");

export const addressSchema = z.strictObject({
  name: z.string().min(1).max(200),
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).optional(),
  postalCode: z.string().min(1).max(20),
  city: z.string().min(1).max(100),
  region: z.string().max(100).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, "country is an ISO 3166-1 alpha-2 code such as DE")
    .describe("ISO 3166-1 alpha-2"),
  coordinates: z
    .strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
    .optional(),
});

export const orderPositionInputSchema = z.strictObject({
  lineId: id("lineId")
    .optional()
    .describe("The channel's line reference; defaults to the 1-based line number"),
  sku: skuSchema,
  name: z.string().max(300).optional(),
  quantity: z
    .number()
    .int("quantity must be a whole number")
    .positive("quantity must be at least 1")
    .max(100_000),
  unitPrice: z.number().nonnegative("unitPrice must not be negative").max(10_000_000),
  category: z.string().min(1).max(100).optional().describe("Product category, for routing rules"),
  weight: z.number().nonnegative().max(100_000).optional().describe("Weight of one unit in kg"),
  hazardous: z.boolean().optional().describe("Dangerous goods: rules may restrict where they ship from"),
});

export const orderInputSchema = z
  .strictObject({
    channelId: id("channelId"),
    channelOrderRef: id("channelOrderRef").describe(
      "The order's number in the sales channel; unique per channel",
    ),
    orderType: orderTypeSchema.default("HOME_DELIVERY"),
    currency: z.string().regex(/^[A-Z]{3}$/, "currency is an ISO 4217 code such as EUR"),
    placedAt: z.iso.datetime({ offset: true }).optional(),
    customer: z.strictObject({
      id: id("customer.id").optional(),
      email: z.email(),
      name: z.string().min(1).max(200),
      tier: z.string().max(40).optional(),
    }),
    shippingAddress: addressSchema,
    billingAddress: addressSchema.optional(),
    paymentMethod: z.string().min(1).max(40),
    tags: z.array(z.string().min(1).max(40)).max(20).optional(),
    positions: z
      .array(orderPositionInputSchema)
      .min(1, "an order needs at least one position")
      .max(MAX_POSITIONS),
  })
  .superRefine((order, ctx) => {
    const seen = new Set<string>();
    order.positions.forEach((p, i) => {
      const lineId = p.lineId ?? String(i + 1);
      if (seen.has(lineId)) {
        ctx.addIssue({
          code: "custom",
          path: ["positions", i, "lineId"],
          message: `duplicate lineId ${lineId}`,
        });
      }
      seen.add(lineId);
    });
  });

export type OrderInput = z.infer<typeof orderInputSchema>;
