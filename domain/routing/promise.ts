// Planned dates of the delivery promise, pure: the day a location ships an order assigned now (its
// calendar: cut-off in its own time zone, working days, holidays) and the day it reaches the customer
// (+ transit days by distance band). Dates are ISO calendar dates (YYYY-MM-DD).
import type { Location } from "../inventory/location.ts";

type Calendar = Pick<Location, "cutOffTime" | "timeZone" | "workingDays" | "holidays">;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar date and HH:MM of an instant in a time zone. */
export function localDateTime(at: string, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** ISO weekday, 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * The day the location ships what it is assigned at `at`: today (local) before its cut-off on a working
 * day that is no holiday, else the next such day. Undefined when none lies within a year.
 */
export function plannedShipDate(location: Calendar, at: string): string | undefined {
  const local = localDateTime(at, location.timeZone);
  let date = local.time < location.cutOffTime ? local.date : addDays(local.date, 1);
  for (let i = 0; i < 366; i++) {
    if (location.workingDays.includes(isoWeekday(date)) && !location.holidays.includes(date)) return date;
    date = addDays(date, 1);
  }
  return undefined;
}

export interface TransitBand {
  upToKm?: number | undefined;
  days: number;
}

/** Transit days for a distance: the first band it falls in; unknown distance -> the last band. */
export function transitDays(distanceKm: number | undefined, bands: readonly TransitBand[]): number {
  if (distanceKm !== undefined) {
    for (const band of bands) if (band.upToKm === undefined || distanceKm <= band.upToKm) return band.days;
  }
  return bands.at(-1)?.days ?? 0;
}
