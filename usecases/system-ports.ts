// The real clock and id source (wall time, crypto randomness) used by handlers.
import { randomBytes, randomUUID } from "node:crypto";
import { ulid } from "../domain/shared/ids.ts";
import type { Clock, IdSource } from "./ports.ts";

export const systemClock: Clock = { now: () => new Date().toISOString() };

export const systemIds: IdSource = {
  orderId: () => ulid(Date.now(), randomBytes(16)),
  eventId: () => randomUUID(),
};
