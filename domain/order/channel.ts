// Sales channel configuration: which merchant (tenant) owns it, which order types it may submit, its
// default location and what it sees of the inventory (visible locations and networks, what happens to a
// position no visible location has stock for, how long stuck orders hold stock). Stored in the table,
// read by capture, routing and availability.
import { z } from "zod";
import { orderTypeSchema } from "./order-input.ts";

export const OUT_OF_STOCK_RULES = ["BACKORDER", "NOT_ANNOUNCED"] as const;
export type OutOfStockRule = (typeof OUT_OF_STOCK_RULES)[number];

export const channelInventorySchema = z.strictObject({
  /** Locations this channel sees (besides its default location). */
  locationIds: z.array(z.string().min(1)).max(1000).default([]),
  /** Networks (location groups) this channel sees as a whole. */
  networks: z.array(z.string().min(1)).max(50).default([]),
  /**
   * No visible location has stock for a position: BACKORDER assigns the default location without a
   * reservation (the position is marked backordered); NOT_ANNOUNCED stops the order in NOT_ANNOUNCED.
   */
  whenOutOfStock: z.enum(OUT_OF_STOCK_RULES).default("BACKORDER"),
  /**
   * A NOT_ANNOUNCED order (no location holds a position) is cancelled at once instead of waiting for an
   * operator's manual routing task. Absent: false.
   */
  cancelWhenNotAnnounced: z.boolean().optional(),
  /** How long an order stuck awaiting a decision (EXCEPTION) keeps its reservations. */
  reservationHoldMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(60),
});
export type ChannelInventory = z.infer<typeof channelInventorySchema>;

export const channelSchema = z.strictObject({
  channelId: z.string().min(1),
  merchantId: z.string().min(1),
  name: z.string().min(1),
  orderTypes: z.array(orderTypeSchema).min(1),
  defaultLocationId: z.string().min(1),
  /** ISO country codes this channel delivers to; the validation step rejects other destinations. */
  shipToCountries: z.array(z.string().length(2)).min(1),
  active: z.boolean(),
  /** Absent: the channel sees only its default location and backorders what it lacks. */
  inventory: channelInventorySchema.optional(),
  /** Absent: each order is routed as it arrives (IMMEDIATE). */
  routing: z
    .strictObject({
      /**
       * IMMEDIATE: the route step routes the order at once. WAVE: it parks the order (AWAITING_WAVE) and the
       * next scheduled routing wave sources all waiting orders together, most valuable first.
       */
      mode: z.enum(["IMMEDIATE", "WAVE"]).default("IMMEDIATE"),
      /** In a wave, orders of channels with a higher priority are sourced first (then by order value). */
      wavePriority: z.number().int().min(0).max(1000).default(0),
    })
    .optional(),
});
export type Channel = z.infer<typeof channelSchema>;

/** The channel's inventory settings with their defaults filled in. */
export function channelInventory(channel: Channel): ChannelInventory {
  return channel.inventory ?? channelInventorySchema.parse({});
}
