// The pure rules of merchant subscriptions: the tenant scope every pattern gets (and what is refused),
// the retry schedule, the secrets a delivery is signed with, and matching stored events on replay.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../domain/shared/errors.ts";
import {
  eventMatcher,
  nextRetryDelay,
  type Subscription,
  scopePattern,
  signingSecrets,
} from "../../domain/subscriptions/subscription.ts";

const event = (merchantId: string, type = "order.created") => ({
  eventId: "e1",
  type,
  version: 1,
  occurredAt: "2026-11-23T10:00:00.000Z",
  merchantId,
  channelId: "c1",
  orderId: "o1",
  sequence: 1,
  data: { status: "INITIAL" },
});

function refusal(pattern: Record<string, unknown>): { code: string; path: string } | undefined {
  try {
    scopePattern("me", pattern);
    return undefined;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { code: error.code, path: error.issues[0]?.path ?? "" };
  }
}

describe("scopePattern", () => {
  it("adds detail.merchantId to the merchant's pattern", () => {
    expect(JSON.parse(scopePattern("me", { "detail-type": ["order.created.v1"] }))).toEqual({
      "detail-type": ["order.created.v1"],
      detail: { merchantId: ["me"] },
    });
    expect(JSON.parse(scopePattern("me", { detail: { channelId: ["web"] } }))).toEqual({
      detail: { channelId: ["web"], merchantId: ["me"] },
    });
  });

  it("refuses any mention of merchantId, naming the field, including inside $or", () => {
    expect(refusal({ detail: { merchantId: [{ "anything-but": "me" }] } })).toEqual({
      code: "MERCHANT_SCOPE_FIXED",
      path: "eventPattern.detail.merchantId",
    });
    expect(refusal({ $or: [{ source: ["x"] }, { detail: { merchantId: ["other"] } }] })).toEqual({
      code: "MERCHANT_SCOPE_FIXED",
      path: "eventPattern.$or.1.detail.merchantId",
    });
    expect(
      refusal({ detail: { $or: [{ merchantId: [{ exists: false }] }, { orderId: ["o"] }] } })?.path,
    ).toBe("eventPattern.detail.$or.0.merchantId");
  });

  it("refuses invalid patterns as INVALID_EVENT_PATTERN", () => {
    expect(refusal({ source: "oms.orders" })?.code).toBe("INVALID_EVENT_PATTERN");
    expect(refusal({ detail: ["x"] })).toEqual({
      code: "INVALID_EVENT_PATTERN",
      path: "eventPattern.detail",
    });
    expect(refusal({ source: ["x".repeat(5000)] })?.code).toBe("INVALID_EVENT_PATTERN");
  });

  it("a scoped pattern never matches another merchant's event, whatever else it says (property)", () => {
    const leaf = fc.oneof(
      fc.constant([{ exists: true }]),
      fc.constant([{ prefix: "" }]),
      fc.constant([{ "anything-but": "nobody" }]),
      fc.constantFrom(["order.created.v1"], ["oms.orders"], ["c1"], ["o1"]),
    );
    const fields = fc.record(
      {
        source: leaf,
        "detail-type": leaf,
        detail: fc.record({ channelId: leaf, orderId: leaf, type: leaf }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    const pattern = fc.oneof(
      fields,
      fc.array(fields, { minLength: 2, maxLength: 3 }).map((alts) => ({ $or: alts })),
    );
    fc.assert(
      fc.property(pattern, fc.constantFrom("other", "ME", "me2", ""), (p, other) => {
        let scoped: string;
        try {
          scoped = scopePattern("me", p as Record<string, unknown>);
        } catch {
          return true; // refused: nothing to deliver
        }
        return !eventMatcher(scoped)(event(other));
      }),
    );
  });

  it("matches the merchant's own stored events on replay", () => {
    const matches = eventMatcher(scopePattern("me", { "detail-type": ["order.created.v1"] }));
    expect(matches(event("me"))).toBe(true);
    expect(matches(event("me", "order.submitted"))).toBe(false);
    expect(matches(event("other"))).toBe(false);
  });
});

describe("nextRetryDelay", () => {
  const schedule = { baseSeconds: 10, maxSeconds: 3600, maxAgeSeconds: 86_400 };

  it("doubles (with jitter between half and all) up to the cap", () => {
    expect(nextRetryDelay(schedule, 1, 0, 1)).toBe(10);
    expect(nextRetryDelay(schedule, 1, 0, 0)).toBe(5);
    expect(nextRetryDelay(schedule, 4, 0, 1)).toBe(80);
    expect(nextRetryDelay(schedule, 20, 0, 1)).toBe(3600);
  });

  it("never waits past the age limit, and stops there (dead letter)", () => {
    expect(nextRetryDelay(schedule, 20, 86_400 - 100, 1)).toBe(100);
    expect(nextRetryDelay(schedule, 20, 86_400, 1)).toBeUndefined();
  });

  it("a delivery failing forever is retried for about the age limit in a bounded number of attempts", () => {
    let age = 0;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const delay = nextRetryDelay(schedule, attempts, age, 0.5);
      if (delay === undefined) break;
      age += delay;
    }
    expect(age).toBe(86_400);
    expect(attempts).toBeLessThan(500); // the queue's maxReceiveCount stays above it
  });
});

describe("signingSecrets", () => {
  const base = { secret: "new", previousSecret: "old", previousSecretExpiresAt: "2026-11-24T00:00:00.000Z" };
  it("signs with the previous secret too until its grace period ends", () => {
    expect(signingSecrets(base as Subscription, "2026-11-23T12:00:00.000Z")).toEqual(["new", "old"]);
    expect(signingSecrets(base as Subscription, "2026-11-24T00:00:00.001Z")).toEqual(["new"]);
  });
});
