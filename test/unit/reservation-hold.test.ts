// The stored reservation hold's pure parts: when a stuck episode's hold falls due, that the due index's
// sort key orders holds exactly as the sweep's `gsi2sk < now` query needs, and reading a hold back from
// the index's projection (table keys + orderId).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { holdFromIndexItem } from "../../adapters/dynamodb/reservation-hold-repository.ts";
import { keys } from "../../adapters/dynamodb/table-design.ts";
import { isDue, newReservationHold } from "../../domain/inventory/reservation-hold.ts";

const EXCEPTION_AT = "2026-12-05T10:00:00.000Z";

describe("a reservation hold", () => {
  it("falls due the channel's hold time after the episode began, in whole seconds, at least one", () => {
    expect(newReservationHold("o-1", EXCEPTION_AT, 3600).dueAt).toBe("2026-12-05T11:00:00.000Z");
    expect(newReservationHold("o-1", EXCEPTION_AT, 1.2).dueAt).toBe("2026-12-05T10:00:01.000Z");
    expect(newReservationHold("o-1", EXCEPTION_AT, 0).dueAt).toBe("2026-12-05T10:00:01.000Z");
    // A repeated start computes the same hold (the episode alone decides it).
    expect(newReservationHold("o-1", EXCEPTION_AT, 3600)).toEqual(
      newReservationHold("o-1", EXCEPTION_AT, 3600),
    );
    expect(() => newReservationHold("o-1", "yesterday", 60)).toThrow(RangeError);
  });

  it("is due only once its time has passed", () => {
    const hold = newReservationHold("o-1", EXCEPTION_AT, 60);
    expect(isDue(hold, "2026-12-05T10:00:59.999Z")).toBe(false);
    expect(isDue(hold, "2026-12-05T10:01:00.000Z")).toBe(false);
    expect(isDue(hold, "2026-12-05T10:01:00.001Z")).toBe(true);
  });

  it("sorts on the due index so that `gsi2sk < now` finds exactly the due holds", () => {
    const instant = fc
      .integer({ min: Date.parse("2020-01-01T00:00:00Z"), max: Date.parse("2040-01-01T00:00:00Z") })
      .map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 86_400 * 8 }),
        instant,
        fc.uuid(),
        (at, seconds, now, id) => {
          const hold = newReservationHold(id, at, seconds);
          const { gsi2pk, gsi2sk } = keys.reservationHoldDue(hold.dueAt, id);
          expect(gsi2pk).toBe(keys.reservationHoldDuePartition);
          expect(gsi2sk < now).toBe(isDue(hold, now));
        },
      ),
    );
  });

  it("reads back from the index projection: episode from the sort key, due time from the index key", () => {
    const hold = newReservationHold("o-1", EXCEPTION_AT, 60);
    const item = {
      ...keys.reservationHold("o-1", EXCEPTION_AT),
      ...keys.reservationHoldDue(hold.dueAt, "o-1"),
      orderId: "o-1",
    };
    expect(holdFromIndexItem(item)).toEqual(hold);
    expect(() => holdFromIndexItem({ ...item, sk: "ORDER" })).toThrow();
    expect(() => holdFromIndexItem({ ...item, orderId: "o-2" })).toThrow();
  });
});
