// Sales channel configuration: which merchant (tenant) owns it, which order types it may submit and the
// placeholder routing default. Stored in the table, read by capture and routing.
import { z } from "zod";
import { orderTypeSchema } from "./order-input.ts";

export const channelSchema = z.strictObject({
  channelId: z.string().min(1),
  merchantId: z.string().min(1),
  name: z.string().min(1),
  orderTypes: z.array(orderTypeSchema).min(1),
  defaultLocationId: z.string().min(1),
  /** ISO country codes this channel delivers to; the validation step rejects other destinations. */
  shipToCountries: z.array(z.string().length(2)).min(1),
  active: z.boolean(),
});
export type Channel = z.infer<typeof channelSchema>;

export const locationSchema = z.strictObject({
  locationId: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(["WAREHOUSE", "STORE", "SUPPLIER"]),
  country: z.string().length(2),
  active: z.boolean(),
});
export type Location = z.infer<typeof locationSchema>;
