// Identifier formats. Order ids are ULIDs: time-sortable, 26 characters of Crockford base32, valid as a
// Step Functions execution name (the workflow's execution is named after its order: one per order).
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID from a timestamp (ms) and 16 random bytes. */
export function ulid(timeMs: number, random: Uint8Array): string {
  let time = "";
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = "";
  for (let i = 0; i < 16; i++) rand += CROCKFORD[(random[i] ?? 0) % 32];
  return time + rand;
}

export const ORDER_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
