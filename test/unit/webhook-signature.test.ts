// Webhook signatures: known vectors, the tolerance window, rotation (two entries), tampering.
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sign, signatureHeader, verify } from "../../domain/shared/webhook-signature.ts";

const secret = "whsec_test";
const body = '{"eventId":"e1","type":"order.created"}';

describe("webhook signature", () => {
  it("is v1= followed by HMAC-SHA256 hex of `<timestamp>.<body>`", () => {
    const expected = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(sign(secret, 1700000000, body)).toBe(`v1=${expected}`);
    expect(sign(secret, "1700000000", body)).toBe(`v1=${expected}`);
  });

  it("verifies its own signature within the tolerance window and refuses outside it", () => {
    const signature = sign(secret, "1700000000", body);
    expect(verify({ secret, timestamp: "1700000000", body, signature, nowSeconds: 1700000299 })).toEqual({
      valid: true,
    });
    expect(verify({ secret, timestamp: "1700000000", body, signature, nowSeconds: 1700000301 })).toEqual({
      valid: false,
      reason: "TIMESTAMP_OUT_OF_TOLERANCE",
    });
    expect(
      verify({
        secret,
        timestamp: "1700000000",
        body,
        signature,
        nowSeconds: 1700001000,
        toleranceSeconds: 1000,
      }).valid,
    ).toBe(true);
  });

  it("refuses a changed body, timestamp or secret, and malformed headers", () => {
    const now = 1700000000;
    const signature = sign(secret, now, body);
    const base = { secret, timestamp: String(now), body, signature, nowSeconds: now };
    expect(verify({ ...base, body: `${body} ` }).valid).toBe(false);
    expect(verify({ ...base, timestamp: String(now + 1) })).toEqual({
      valid: false,
      reason: "SIGNATURE_MISMATCH",
    });
    expect(verify({ ...base, secret: "other" }).valid).toBe(false);
    expect(verify({ ...base, signature: undefined })).toEqual({ valid: false, reason: "MALFORMED_HEADER" });
    expect(verify({ ...base, signature: "v0=abc" })).toEqual({ valid: false, reason: "MALFORMED_HEADER" });
    expect(verify({ ...base, timestamp: "soon" })).toEqual({ valid: false, reason: "MALFORMED_HEADER" });
  });

  it("accepts either secret while both sign (rotation grace period)", () => {
    const header = signatureHeader(["new-secret", "old-secret"], 1700000000, body);
    expect(header.split(",")).toHaveLength(2);
    for (const s of ["new-secret", "old-secret"]) {
      expect(
        verify({ secret: s, timestamp: "1700000000", body, signature: header, nowSeconds: 1700000000 }).valid,
      ).toBe(true);
    }
    expect(
      verify({ secret: "third", timestamp: "1700000000", body, signature: header, nowSeconds: 1700000000 })
        .valid,
    ).toBe(false);
  });

  it("any change of one body character breaks the signature (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(), (text, index) => {
        const i = index % text.length;
        const changed = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 1) + text.slice(i + 1);
        const signature = sign(secret, 1, text);
        return !verify({ secret, timestamp: "1", body: changed, signature, nowSeconds: 1 }).valid;
      }),
    );
  });

  it("the verification snippet in docs/events.md accepts what sign() makes and refuses the rest", async () => {
    const doc = readFileSync("docs/events.md", "utf8");
    const snippet = /<!-- verify-snippet -->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(snippet).toBeDefined();
    const file = join(mkdtempSync(join(tmpdir(), "oms-snippet-")), "verify.mjs");
    writeFileSync(file, snippet ?? "");
    const { verifyOmsWebhook } = (await import(pathToFileURL(file).href)) as {
      verifyOmsWebhook: (secret: string, headers: Record<string, string>, body: string) => boolean;
    };
    const now = String(Math.floor(Date.now() / 1000));
    const headers = { "oms-timestamp": now, "oms-signature": signatureHeader(["new", "old"], now, body) };
    expect(verifyOmsWebhook("new", headers, body)).toBe(true);
    expect(verifyOmsWebhook("old", headers, body)).toBe(true);
    expect(verifyOmsWebhook("other", headers, body)).toBe(false);
    expect(verifyOmsWebhook("new", headers, `${body} `)).toBe(false);
    expect(verifyOmsWebhook("new", { ...headers, "oms-timestamp": String(Number(now) - 301) }, body)).toBe(
      false,
    );
  });
});
