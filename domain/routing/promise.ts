// Planned dates of the delivery promise, pure: the day a location ships an order assigned now (the
// planned shipping date of domain/fulfillment: cut-off in the location's own time zone, working days,
// holidays, downtimes, lead time) and the day it reaches the customer (+ transit days by distance band).
// Dates are ISO calendar dates (YYYY-MM-DD).
import { plannedShippingDate, type ShippingCalendar } from "../fulfillment/planned-shipping-date.ts";
import { ValidationError } from "../shared/errors.ts";

export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** The day the location ships what it is assigned at `at`; undefined when its calendar never ships. */
export function plannedShipDate(location: ShippingCalendar, at: string): string | undefined {
  try {
    return plannedShippingDate({ location, assignedAt: at });
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}

/**
 * plannedShipDate for many locations at one instant, memoised by calendar: locations sharing a time
 * zone, cut-off, working days, holidays and lead time (and no downtime) share one computation, so
 * routing over 1,000 locations formats dates a handful of times, not 1,000.
 */
export function shipDates(at: string): (location: ShippingCalendar) => string | undefined {
  const byCalendar = new Map<string, string | undefined>();
  return (location) => {
    if (location.downtimes.length > 0) return plannedShipDate(location, at);
    const key = `${location.timeZone}|${location.cutOffTime}|${location.workingDays.join(",")}|${location.holidays.join(",")}|${location.leadTimeDays ?? 0}`;
    if (!byCalendar.has(key)) byCalendar.set(key, plannedShipDate(location, at));
    return byCalendar.get(key);
  };
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
