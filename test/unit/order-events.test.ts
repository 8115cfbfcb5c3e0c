// The event catalogue: every type has a versioned JSON Schema in docs/events, current with the code.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eventJsonSchemas } from "../../app/event-schemas.ts";
import { orderEventSchema } from "../../domain/events/order-events.ts";

describe("order event catalogue", () => {
  it("publishes one current JSON Schema per event type and version (npm run docs)", () => {
    const generated = eventJsonSchemas();
    const files = readdirSync("docs/events").filter((f) => f.endsWith(".json"));
    expect(files.map((f) => f.replace(/\.json$/, "")).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, schema] of Object.entries(generated)) {
      expect(JSON.parse(readFileSync(`docs/events/${name}.json`, "utf8"))).toEqual(
        JSON.parse(JSON.stringify(schema)),
      );
    }
  });

  it("refuses an event without tenant, order id or sequence", () => {
    const event = {
      eventId: "e1",
      type: "order.validated",
      version: 1,
      occurredAt: "2026-11-23T10:00:00Z",
      merchantId: "m1",
      channelId: "c1",
      orderId: "o1",
      sequence: 2,
      data: { status: "VALIDATED", previousStatus: "INITIAL" },
    };
    expect(orderEventSchema.safeParse(event).success).toBe(true);
    for (const field of ["merchantId", "orderId", "sequence", "eventId"]) {
      const { [field]: _removed, ...rest } = event as Record<string, unknown>;
      expect(orderEventSchema.safeParse(rest).success).toBe(false);
    }
  });
});
