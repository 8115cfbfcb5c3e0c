// The environment contract between the app declaration (which sets these variables in both homes) and
// the handlers. Parsed once, at cold start; a missing variable fails loudly at the first use.
import { z } from "zod";

const environmentSchema = z.object({
  TABLE_NAME: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  STATE_MACHINE_ARN_HOME_DELIVERY: z.string().min(1),
  STATE_MACHINE_ARN_ORDER_APPROVAL: z.string().min(1),
  /** Seconds a warm function may serve channel configuration from memory (changes apply within it). */
  CONFIG_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  /** The webhook delivery queue (subscription rules' target, redeliveries); needed by those handlers only. */
  QUEUE_URL_WEBHOOK_DELIVERIES: z.string().optional(),
  QUEUE_ARN_WEBHOOK_DELIVERIES: z.string().optional(),
  /** The role EventBridge assumes to deliver to a merchant's event bus in another account (AWS only). */
  SUBSCRIPTION_BUS_TARGET_ROLE_ARN: z.string().optional(),
  /** Accept http:// webhook URLs (the one-machine home); on AWS webhooks must be https. */
  WEBHOOK_ALLOW_HTTP: z.stringbool().default(false),
  /** Webhook retries: first wait, longest wait, and the age after which a delivery is dead-lettered. */
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  WEBHOOK_RETRY_MAX_SECONDS: z.coerce.number().min(0).max(43_200).default(3600),
  WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().min(1).max(1_209_600).default(86_400),
  /** Seconds a warm delivery function may reuse a subscription it read (pause, rotation apply within it). */
  SUBSCRIPTION_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(5),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
  /** Order documents: the S3 bucket on AWS, or a folder in the one-machine home (one of the two). */
  DOCUMENT_BUCKET_NAME: z.string().min(1).optional(),
  DOCUMENTS_DIR: z.string().min(1).optional(),
});
export type Environment = z.infer<typeof environmentSchema>;

let cached: Environment | undefined;

export function environment(): Environment {
  cached ??= environmentSchema.parse(process.env);
  return cached;
}
