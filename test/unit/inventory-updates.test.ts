// Stock update batches are validated whole before anything is written: schema, line count, SKU format,
// sign rules of movements, duplicate counts. Field paths name the offending line.
import { describe, expect, it } from "vitest";
import { locationCreateSchema } from "../../domain/inventory/location.ts";
import { MAX_STOCK_UPDATE_LINES, stockUpdateSchema } from "../../domain/inventory/stock-updates.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";

const snapshot = (lines: object[]) => ({
  updateId: "u-1",
  type: "SNAPSHOT",
  asOf: "2026-11-23T10:00:00+01:00",
  lines,
});
const line = (i: number) => ({ sku: `SKU-${i}`, locationId: "wh-1", onHand: i });

/** The first issue's field path, as the API answers it. */
function fieldOf(body: unknown): string | undefined {
  const parsed = stockUpdateSchema.safeParse(body);
  return parsed.success ? undefined : toValidationError(parsed.error).issues[0]?.path;
}

describe("stock update validation", () => {
  it("accepts up to 1,000 lines and refuses 1,001 at the lines field", () => {
    const full = Array.from({ length: MAX_STOCK_UPDATE_LINES }, (_, i) => line(i));
    expect(stockUpdateSchema.safeParse(snapshot(full)).success).toBe(true);
    expect(fieldOf(snapshot([...full, line(1000)]))).toBe("lines");
    expect(fieldOf(snapshot([]))).toBe("lines");
  });

  it("names the line of a negative on-hand, a malformed SKU and a malformed location id", () => {
    expect(fieldOf(snapshot([line(1), { ...line(2), onHand: -1 }]))).toBe("lines.1.onHand");
    expect(fieldOf(snapshot([{ ...line(1), sku: "bad sku!" }]))).toBe("lines.0.sku");
    expect(fieldOf(snapshot([{ ...line(1), locationId: "#x" }]))).toBe("lines.0.locationId");
    expect(fieldOf(snapshot([{ ...line(1), onHand: 1.5 }]))).toBe("lines.0.onHand");
    expect(fieldOf(snapshot([{ ...line(1), extra: true }]))).toBe("lines.0");
  });

  it("refuses two counts of one SKU at one location, but adds up two movements", () => {
    expect(fieldOf(snapshot([line(1), line(2), line(1)]))).toBe("lines.2.sku");
    const moves = {
      updateId: "d-1",
      type: "DELTA",
      lines: [
        { sku: "A", locationId: "wh-1", change: -1, reason: "SALE" },
        { sku: "A", locationId: "wh-1", change: -2, reason: "SALE" },
      ],
    };
    expect(stockUpdateSchema.safeParse(moves).success).toBe(true);
  });

  it("checks a movement's sign against its reason", () => {
    const move = (change: number, reason: string) => ({
      updateId: "d-1",
      type: "DELTA",
      lines: [{ sku: "A", locationId: "wh-1", change, reason }],
    });
    expect(fieldOf(move(2, "SALE"))).toBe("lines.0.change");
    expect(fieldOf(move(-2, "RECEIPT"))).toBe("lines.0.change");
    expect(fieldOf(move(0, "CORRECTION"))).toBe("lines.0.change");
    expect(fieldOf(move(-2, "TRANSFER"))).toBeUndefined();
    expect(fieldOf(move(3, "CORRECTION"))).toBeUndefined();
    expect(fieldOf(move(3, "THEFT"))).toBe("lines.0.reason");
  });

  it("needs an updateId and a type", () => {
    expect(fieldOf({ type: "SNAPSHOT", asOf: "2026-11-23T10:00:00Z", lines: [line(1)] })).toBe("updateId");
    expect(fieldOf({ updateId: "u", lines: [line(1)] })).toBe("type");
  });
});

describe("location validation", () => {
  const valid = {
    locationId: "wh-1",
    name: "Warehouse",
    kind: "WAREHOUSE",
    address: { postalCode: "10115", city: "Berlin", country: "DE" },
  };

  it("fills the defaults of a minimal location", () => {
    expect(locationCreateSchema.parse(valid)).toMatchObject({
      fulfillmentKinds: ["SHIP"],
      enabled: true,
      priority: 100,
      timeZone: "UTC",
      cutOffTime: "16:00",
      workingDays: [1, 2, 3, 4, 5],
      networks: [],
      downtimes: [],
    });
  });

  it("names the field of a bad time zone, cut-off time, downtime window or coordinate", () => {
    const field = (patch: object) => {
      const parsed = locationCreateSchema.safeParse({ ...valid, ...patch });
      return parsed.success ? undefined : toValidationError(parsed.error).issues[0]?.path;
    };
    expect(field({ timeZone: "Mars/Olympus" })).toBe("timeZone");
    expect(field({ cutOffTime: "25:00" })).toBe("cutOffTime");
    expect(field({ downtimes: [{ from: "2026-11-24T10:00:00Z", to: "2026-11-24T09:00:00Z" }] })).toBe(
      "downtimes.0.to",
    );
    expect(field({ coordinates: { lat: 95, lon: 0 } })).toBe("coordinates.lat");
    expect(field({ fulfillmentKinds: ["SHIP", "SHIP"] })).toBe("fulfillmentKinds");
    expect(field({ locationId: "has space" })).toBe("locationId");
  });
});
