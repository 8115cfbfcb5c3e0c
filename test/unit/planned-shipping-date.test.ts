// The planned shipping date across time zones, DST changes, weekends, holidays, downtimes and lead
// times. Expected dates were worked out by hand from the zones' rules (2026: Europe switches on 29 March
// and 25 October, New York on 8 March and 1 November, Auckland on 5 April and 27 September).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  localDate,
  plannedShippingDate,
  type ShippingCalendar,
} from "../../domain/fulfillment/planned-shipping-date.ts";
import { locationCreateSchema } from "../../domain/inventory/location.ts";

const MON_FRI = [1, 2, 3, 4, 5];
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

function calendar(patch: Partial<ShippingCalendar> = {}): ShippingCalendar {
  return {
    timeZone: "Europe/Berlin",
    cutOffTime: "16:00",
    workingDays: MON_FRI,
    holidays: [],
    downtimes: [],
    ...patch,
  };
}

const psd = (location: ShippingCalendar, assignedAt: string, leadTimeDays?: number) =>
  plannedShippingDate({ location, assignedAt, leadTimeDays });

describe("cut-off in the location's own time zone", () => {
  it("Europe/Berlin: before 16:00 CET ships today, at 16:00 the next working day", () => {
    const berlin = calendar();
    expect(psd(berlin, "2026-11-23T14:59:59Z")).toBe("2026-11-23"); // Mon 15:59:59 CET
    expect(psd(berlin, "2026-11-23T15:00:00Z")).toBe("2026-11-24"); // Mon 16:00 CET
    expect(psd(berlin, "2026-11-23T23:30:00Z")).toBe("2026-11-24"); // Tue 00:30 CET: before Tuesday's cut-off
  });

  it("America/New_York: the local date, not the UTC date, is 'today'", () => {
    const ny = calendar({ timeZone: "America/New_York", cutOffTime: "21:00" });
    // 2026-11-24T01:00Z is Monday 20:00 EST: before the 21:00 cut-off of Monday 23rd.
    expect(psd(ny, "2026-11-24T01:00:00Z")).toBe("2026-11-23");
    expect(psd(ny, "2026-11-24T02:00:00Z")).toBe("2026-11-24");
  });

  it("Asia/Kolkata (UTC+05:30): the half-hour offset counts", () => {
    const kolkata = calendar({ timeZone: "Asia/Kolkata" });
    expect(psd(kolkata, "2026-11-23T10:29:00Z")).toBe("2026-11-23"); // 15:59 IST
    expect(psd(kolkata, "2026-11-23T10:30:00Z")).toBe("2026-11-24"); // 16:00 IST
    expect(psd(kolkata, "2026-11-23T20:00:00Z")).toBe("2026-11-24"); // Tue 01:30 IST, before cut-off
  });

  it("Pacific/Auckland: a Friday after cut-off ships on Monday", () => {
    const akl = calendar({ timeZone: "Pacific/Auckland" });
    expect(psd(akl, "2026-11-22T20:00:00Z")).toBe("2026-11-23"); // Mon 09:00 NZDT (Sunday in UTC)
    expect(psd(akl, "2026-11-27T02:59:00Z")).toBe("2026-11-27"); // Fri 15:59 NZDT
    expect(psd(akl, "2026-11-27T03:00:00Z")).toBe("2026-11-30"); // Fri 16:00 NZDT -> Mon
  });
});

describe("DST changes on the day of the cut-off", () => {
  it("Europe/Berlin spring forward (29 March 2026): cut-off 16:00 CEST = 14:00Z", () => {
    const berlin = calendar({ workingDays: EVERY_DAY });
    expect(psd(berlin, "2026-03-29T13:59:00Z")).toBe("2026-03-29");
    expect(psd(berlin, "2026-03-29T14:30:00Z")).toBe("2026-03-30"); // 16:30 CEST (15:30 at the old offset)
  });

  it("Europe/Berlin fall back (25 October 2026): cut-off 16:00 CET = 15:00Z", () => {
    const berlin = calendar({ workingDays: EVERY_DAY });
    expect(psd(berlin, "2026-10-25T14:30:00Z")).toBe("2026-10-25"); // 15:30 CET (16:30 at the old offset)
    expect(psd(berlin, "2026-10-25T15:00:00Z")).toBe("2026-10-26");
  });

  it("America/New_York spring forward (8 March) and fall back (1 November)", () => {
    const ny = calendar({ timeZone: "America/New_York", workingDays: EVERY_DAY });
    expect(psd(ny, "2026-03-08T19:30:00Z")).toBe("2026-03-08"); // 15:30 EDT
    expect(psd(ny, "2026-03-08T20:00:00Z")).toBe("2026-03-09"); // 16:00 EDT
    expect(psd(ny, "2026-11-01T20:30:00Z")).toBe("2026-11-01"); // 15:30 EST
    expect(psd(ny, "2026-11-01T21:00:00Z")).toBe("2026-11-02"); // 16:00 EST
  });

  it("Pacific/Auckland end (5 April) and start (27 September) of daylight time", () => {
    const akl = calendar({ timeZone: "Pacific/Auckland", workingDays: EVERY_DAY });
    expect(psd(akl, "2026-04-05T03:30:00Z")).toBe("2026-04-05"); // 15:30 NZST
    expect(psd(akl, "2026-04-05T04:00:00Z")).toBe("2026-04-06"); // 16:00 NZST
    expect(psd(akl, "2026-09-27T02:59:00Z")).toBe("2026-09-27"); // 15:59 NZDT
    expect(psd(akl, "2026-09-27T03:30:00Z")).toBe("2026-09-28"); // 16:30 NZDT
  });

  it("a cut-off inside the spring-forward gap still splits the day", () => {
    // 02:30 does not exist in Berlin on 29 March 2026; 01:59 CET is before it, 03:00 CEST after it.
    const night = calendar({ workingDays: EVERY_DAY, cutOffTime: "02:30" });
    expect(psd(night, "2026-03-29T00:59:00Z")).toBe("2026-03-29");
    expect(psd(night, "2026-03-29T01:00:00Z")).toBe("2026-03-30");
  });
});

describe("calendar: weekends, holidays, downtimes", () => {
  it("a weekend assignment ships on the next working day", () => {
    expect(psd(calendar(), "2026-11-28T09:00:00Z")).toBe("2026-11-30"); // Saturday morning
    expect(psd(calendar({ workingDays: [1, 2, 3, 4, 5, 6] }), "2026-11-28T09:00:00Z")).toBe("2026-11-28");
  });

  it("holidays are skipped, also after a weekend", () => {
    const xmas = calendar({ holidays: ["2026-12-24", "2026-12-25", "2026-12-28"] });
    expect(psd(xmas, "2026-12-23T16:00:00Z")).toBe("2026-12-29"); // Wed 17:00 -> 24, 25 holiday, weekend, 28 holiday
    expect(psd(xmas, "2026-12-24T08:00:00Z")).toBe("2026-12-29"); // before cut-off, but a holiday
  });

  it("a location in downtime ships on the next day it is up at its cut-off", () => {
    const down = calendar({
      downtimes: [{ from: "2026-11-23T08:00:00Z", to: "2026-11-24T18:00:00Z" }],
    });
    expect(psd(down, "2026-11-23T07:59:00Z")).toBe("2026-11-25"); // up now, but down at Monday's and Tuesday's cut-off
    expect(psd(down, "2026-11-23T09:00:00Z")).toBe("2026-11-25");
    const morning = calendar({ downtimes: [{ from: "2026-11-23T07:00:00Z", to: "2026-11-23T10:00:00Z" }] });
    expect(psd(morning, "2026-11-23T08:00:00Z")).toBe("2026-11-24"); // in downtime now
    expect(psd(morning, "2026-11-23T10:00:00Z")).toBe("2026-11-23"); // up again before the cut-off
  });

  it("a calendar without any shipping day is refused with NO_SHIPPING_DAY", () => {
    const never = calendar({
      downtimes: [{ from: "2026-01-01T00:00:00Z", to: "2031-01-01T00:00:00Z" }],
    });
    expect(() => psd(never, "2026-11-23T08:00:00Z")).toThrow(
      expect.objectContaining({ name: "ValidationError", code: "NO_SHIPPING_DAY" }),
    );
  });
});

describe("lead times count shipping days", () => {
  it("across a weekend", () => {
    expect(psd(calendar(), "2026-11-27T09:00:00Z", 2)).toBe("2026-12-01"); // Fri -> Mon, Tue
    expect(psd(calendar(), "2026-11-27T15:00:00Z", 2)).toBe("2026-12-02"); // after cut-off: Mon, then Tue, Wed
  });

  it("across holidays", () => {
    const xmas = calendar({ holidays: ["2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"] });
    expect(psd(xmas, "2026-12-23T09:00:00Z", 3)).toBe("2026-12-30"); // Wed; +Mon 28, Tue 29, Wed 30
    expect(psd(xmas, "2026-12-23T09:00:00Z", 4)).toBe("2027-01-04");
  });

  it("defaults to the location's leadTimeDays, which a parsed location may carry", () => {
    const supplier = locationCreateSchema.parse({
      locationId: "sup",
      name: "Supplier",
      kind: "SUPPLIER",
      address: { postalCode: "80331", city: "Munich", country: "DE" },
      timeZone: "Europe/Berlin",
      leadTimeDays: 3,
    });
    expect(plannedShippingDate({ location: supplier, assignedAt: "2026-11-23T09:00:00Z" })).toBe(
      "2026-11-26",
    );
    expect(
      plannedShippingDate({ location: supplier, assignedAt: "2026-11-23T09:00:00Z", leadTimeDays: 0 }),
    ).toBe("2026-11-23");
    const plain = locationCreateSchema.parse({ ...supplier, leadTimeDays: undefined });
    expect(plannedShippingDate({ location: plain, assignedAt: "2026-11-23T09:00:00Z" })).toBe("2026-11-23");
  });

  it("goods expected later (a backorder) start from their arrival", () => {
    expect(
      plannedShippingDate({
        location: calendar(),
        assignedAt: "2026-11-23T09:00:00Z",
        availableAt: "2026-11-26T16:00:00Z", // Thursday 17:00 CET
      }),
    ).toBe("2026-11-27");
  });
});

describe("properties", () => {
  const zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "UTC"];
  const isoWeekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
  const dayArb = fc
    .integer({ min: Date.UTC(2026, 0, 1) / 86_400_000, max: Date.UTC(2027, 11, 31) / 86_400_000 })
    .map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));
  const calendarArb = fc.record({
    timeZone: fc.constantFrom(...zones),
    cutOffTime: fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`),
    workingDays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    holidays: fc.uniqueArray(dayArb, { maxLength: 40 }),
    downtimes: fc.constant([]),
  });
  const instantArb = fc
    .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) })
    .map((ms) => new Date(ms).toISOString());

  it("never before the assignment day in the location's zone, always a working day that is no holiday", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 0, max: 5 }), (cal, at, lead) => {
        const date = psd(cal, at, lead);
        expect(date >= localDate(at, cal.timeZone)).toBe(true);
        expect(cal.workingDays).toContain(isoWeekday(date));
        expect(cal.holidays).not.toContain(date);
      }),
      { numRuns: 500 },
    );
  });

  it("a later assignment never ships earlier, and a longer lead time never ships earlier", () => {
    fc.assert(
      fc.property(
        calendarArb,
        instantArb,
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
        fc.integer({ min: 0, max: 4 }),
        (cal, at, laterBy, lead) => {
          const later = new Date(Date.parse(at) + laterBy).toISOString();
          expect(psd(cal, later, lead) >= psd(cal, at, lead)).toBe(true);
          expect(psd(cal, at, lead + 1) > psd(cal, at, lead)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
