// The capture schema: what a channel may send, and the field paths of what it may not.
import { describe, expect, it } from "vitest";
import { orderInputSchema } from "../../domain/order/order-input.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { requestHash } from "../../usecases/capture-order.ts";
import { sampleBody } from "../support/order-fixtures.ts";

// A loosely typed copy of the sample body, so each case can break one field.
// biome-ignore lint/suspicious/noExplicitAny: test mutations reach into arbitrary fields on purpose
type Body = Record<string, any>;

const issuesOf = (body: unknown) => {
  const result = orderInputSchema.safeParse(body);
  return result.success ? [] : toValidationError(result.error).issues;
};

describe("order input schema", () => {
  it("accepts the README sample and defaults the order type", () => {
    const { orderType: _dropped, ...body } = sampleBody();
    expect(orderInputSchema.parse(body).orderType).toBe("HOME_DELIVERY");
  });

  it.each([
    ["zero quantity", (b: Body) => (b.positions[0].quantity = 0), "positions.0.quantity"],
    ["negative quantity", (b: Body) => (b.positions[1].quantity = -3), "positions.1.quantity"],
    ["fractional quantity", (b: Body) => (b.positions[0].quantity = 1.5), "positions.0.quantity"],
    ["negative price", (b: Body) => (b.positions[0].unitPrice = -1), "positions.0.unitPrice"],
    ["missing channel", (b: Body) => delete b.channelId, "channelId"],
    ["no positions", (b: Body) => (b.positions = []), "positions"],
    ["bad country", (b: Body) => (b.shippingAddress.country = "Germany"), "shippingAddress.country"],
    ["bad email", (b: Body) => (b.customer.email = "nope"), "customer.email"],
    ["unknown field", (b: Body) => (b.discountCode = "X"), ""],
    ["malformed SKU", (b: Body) => (b.positions[0].sku = "a b"), "positions.0.sku"],
    [
      "duplicate lineId",
      (b: Body) =>
        (b.positions = [
          { ...b.positions[0], lineId: "A" },
          { ...b.positions[1], lineId: "A" },
        ]),
      "positions.1.lineId",
    ],
  ])("rejects %s at its field path", (_name, mutate, path) => {
    const body = sampleBody();
    mutate(body);
    const issues = issuesOf(body);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.map((i) => i.path)).toContain(path);
  });

  it("hashes requests canonically: key order does not matter, content does", () => {
    const a = orderInputSchema.parse(sampleBody());
    const reordered = orderInputSchema.parse(Object.fromEntries(Object.entries(sampleBody()).reverse()));
    expect(requestHash(a)).toBe(requestHash(reordered));
    const changed = orderInputSchema.parse({ ...sampleBody(), currency: "USD" });
    expect(requestHash(changed)).not.toBe(requestHash(a));
  });
});
