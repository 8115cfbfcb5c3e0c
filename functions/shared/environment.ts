// The environment contract between the app declaration (which sets these variables in both homes) and
// the handlers. Parsed once, at cold start; a missing variable fails loudly at the first use.
import { z } from "zod";

const environmentSchema = z.object({
  TABLE_NAME: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  STATE_MACHINE_ARN_HOME_DELIVERY: z.string().min(1),
  STATE_MACHINE_ARN_RESERVATION_HOLD: z.string().min(1),
  STATE_MACHINE_ARN_ORDER_APPROVAL: z.string().min(1),
  /** Seconds a warm function may serve channel configuration from memory (changes apply within it). */
  CONFIG_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
});
export type Environment = z.infer<typeof environmentSchema>;

let cached: Environment | undefined;

export function environment(): Environment {
  cached ??= environmentSchema.parse(process.env);
  return cached;
}
