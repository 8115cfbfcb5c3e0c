// A stuck order's reservation hold as stored data: one hold per stuck episode (the order and the instant
// it got stuck), due at that instant plus the channel's hold time. Pure: the DynamoDB adapter stores it
// and the sweep (usecases/reservations.ts expireDueHolds) ends the holds that are due.
import { z } from "zod";

/** A hold as the sweep sees it: whose, which episode, and when it falls due (ISO instants). */
export const reservationHoldSchema = z.object({
  orderId: z.string().min(1),
  /** Kept exactly as the order records it: the sweep compares it with the order's episode. */
  exceptionAt: z.string().min(1),
  dueAt: z.iso.datetime(),
});
export type ReservationHold = z.infer<typeof reservationHoldSchema>;

/**
 * The hold of an episode that began at `exceptionAt` and lasts `holdSeconds` (at least 1 s, whole
 * seconds, as the Wait state of the former timer workflow counted). Derived from the episode alone, so a
 * repeated start computes the same hold.
 */
export function newReservationHold(
  orderId: string,
  exceptionAt: string,
  holdSeconds: number,
): ReservationHold {
  const started = Date.parse(exceptionAt);
  if (Number.isNaN(started)) throw new RangeError(`exceptionAt is not an instant: ${exceptionAt}`);
  const seconds = Math.max(1, Math.round(holdSeconds));
  return reservationHoldSchema.parse({
    orderId,
    exceptionAt,
    dueAt: new Date(started + seconds * 1000).toISOString(),
  });
}

/** Due once its time has passed: the sweep's query asks for holds due strictly before `now`. */
export function isDue(hold: Pick<ReservationHold, "dueAt">, now: string): boolean {
  return hold.dueAt < now;
}
