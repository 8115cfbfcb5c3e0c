// A reservation: units of one order position held at one location, from routing until they ship
// (CONSUMED) or are given back (RELEASED: the order was cancelled, declined, not announced, or stuck past
// its hold time). Keyed by order, line and location, so a retried routing step finds it instead of
// reserving twice. `parts` says which shard items of the position hold the units.
import { z } from "zod";

export const RESERVATION_STATUSES = ["ACTIVE", "RELEASED", "CONSUMED"] as const;
export const RELEASE_REASONS = [
  "CANCELLED",
  "DECLINED",
  "EXPIRED",
  "NOT_ANNOUNCED",
  "SUPERSEDED",
  /** The location rejected the line on submission (it is re-allocated). */
  "REJECTED",
] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];

export const reservationSchema = z.object({
  orderId: z.string(),
  lineId: z.string(),
  sku: z.string(),
  locationId: z.string(),
  quantity: z.number().int().positive(),
  parts: z
    .array(z.object({ shard: z.number().int().nonnegative(), quantity: z.number().int().positive() }))
    .min(1),
  status: z.enum(RESERVATION_STATUSES),
  releaseReason: z.enum(RELEASE_REASONS).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Reservation = z.infer<typeof reservationSchema>;

export const isActive = (r: Pick<Reservation, "status">): boolean => r.status === "ACTIVE";
