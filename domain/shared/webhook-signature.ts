// Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with a subscription's secret, sent as
// `OMS-Signature: v1=<hex>` next to `OMS-Timestamp: <epoch seconds>`. One pure module for everything the
// OMS signs (merchant event webhooks, submissions to locations) and for receivers that verify.
// While a rotated secret is in its grace period the sender signs with both secrets
// (`v1=<new>,v1=<old>`), so a receiver holding either one verifies.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_SCHEME = "v1";
/** Receivers refuse timestamps further than this from their clock (replay protection). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const HEX_SHA256 = /^[0-9a-f]{64}$/;

function hmacHex(secret: string, timestamp: string, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/** The signature of one body: `v1=<hex>`. `timestamp` is the `OMS-Timestamp` header (epoch seconds). */
export function sign(secret: string, timestamp: string | number, body: string): string {
  return `${SIGNATURE_SCHEME}=${hmacHex(secret, String(timestamp), body)}`;
}

/** The `OMS-Signature` header value: one `v1=` entry per secret (current first), comma-separated. */
export function signatureHeader(
  secrets: readonly string[],
  timestamp: string | number,
  body: string,
): string {
  return secrets.map((secret) => sign(secret, timestamp, body)).join(",");
}

export type VerifyResult =
  | { valid: true }
  | { valid: false; reason: "MALFORMED_HEADER" | "TIMESTAMP_OUT_OF_TOLERANCE" | "SIGNATURE_MISMATCH" };

export interface VerifyInput {
  secret: string;
  /** The `OMS-Timestamp` header. */
  timestamp: string | undefined;
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string;
  /** The `OMS-Signature` header. */
  signature: string | undefined;
  /** The receiver's clock, epoch seconds (default: now). */
  nowSeconds?: number;
  toleranceSeconds?: number;
}

/**
 * Verify a delivery: the timestamp is within the tolerance window of the receiver's clock and one of
 * the header's `v1=` entries is the HMAC of `<timestamp>.<body>` under `secret` (constant-time compare).
 */
export function verify(input: VerifyInput): VerifyResult {
  const { secret, timestamp, body, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) {
    return { valid: false, reason: "MALFORMED_HEADER" };
  }
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    return { valid: false, reason: "TIMESTAMP_OUT_OF_TOLERANCE" };
  }
  const candidates = signature
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${SIGNATURE_SCHEME}=`))
    .map((part) => part.slice(SIGNATURE_SCHEME.length + 1))
    .filter((hex) => HEX_SHA256.test(hex));
  if (candidates.length === 0) return { valid: false, reason: "MALFORMED_HEADER" };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), "hex");
  // Compare every candidate (no early exit) so timing does not reveal which entry matched.
  let matched = false;
  for (const hex of candidates) {
    if (timingSafeEqual(Buffer.from(hex, "hex"), expected)) matched = true;
  }
  return matched ? { valid: true } : { valid: false, reason: "SIGNATURE_MISMATCH" };
}
