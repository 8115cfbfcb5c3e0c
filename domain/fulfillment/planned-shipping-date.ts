// The planned shipping date of a location's part of an order: calendar arithmetic in the location's own
// time zone (Intl, no library). Available now and before the cut-off on a shipping day -> today;
// otherwise the next shipping day; then the lead time (suppliers, drop-shippers) in shipping days.
// A shipping day is a working day of the location that is no holiday and on which the location is not in
// downtime at its cut-off (the moment parcels leave). Wall-clock comparisons (time < cut-off) are made
// on the local clock, so DST changes shift nothing; only the cut-off instant of a day needs the offset.
import { ValidationError } from "../shared/errors.ts";

/** What the calculation reads of a location (a location item satisfies it). */
export interface ShippingCalendar {
  /** IANA zone, e.g. Europe/Berlin. */
  timeZone: string;
  /** HH:MM local: goods assigned later ship the next shipping day. */
  cutOffTime: string;
  /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
  workingDays: readonly number[];
  /** YYYY-MM-DD local dates without shipping. */
  holidays: readonly string[];
  downtimes: readonly { from: string; to: string }[];
  leadTimeDays?: number | undefined;
}

export interface PlannedShippingInput {
  location: ShippingCalendar;
  /** The moment the position was assigned to the location (ISO 8601 with offset). */
  assignedAt: string;
  /** Working days until the goods can leave (suppliers, drop-shippers). Default: the location's `leadTimeDays`, else 0. */
  leadTimeDays?: number | undefined;
  /** When the goods become available at the location if not now (a backorder's expected arrival). */
  availableAt?: string | undefined;
}

/** How far ahead the calendar is searched before the location counts as never shipping. */
const SEARCH_LIMIT_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalTime {
  /** Calendar day as days since 1970-01-01 (a plain day count: no zone, no DST). */
  day: number;
  /** Minutes since local midnight. */
  minutes: number;
  /** Offset of the zone at that instant, ms (local = UTC + offset). */
  offsetMs: number;
}

function localTime(instantMs: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return {
    day: Math.floor(Date.UTC(year, month - 1, day) / DAY_MS),
    minutes: hour * 60 + minute,
    offsetMs: asUtc - wholeSecond,
  };
}

const DAY_MS = 86_400_000;

/** The instant at which the local clock of `timeZone` shows `minutes` on `day` (the later one in a gap). */
function instantOf(day: number, minutes: number, timeZone: string): number {
  const wall = day * DAY_MS + minutes * 60_000;
  // Two passes: the offset at a first guess, then the offset at the corrected instant (DST edges).
  const first = wall - localTime(wall, timeZone).offsetMs;
  return wall - localTime(first, timeZone).offsetMs;
}

/** ISO weekday of a day count: 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday). */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function parseCutOff(cutOffTime: string): number {
  const [h = "0", m = "0"] = cutOffTime.split(":");
  return Number(h) * 60 + Number(m);
}

function inDowntimeAt(location: ShippingCalendar, instantMs: number): boolean {
  return location.downtimes.some((d) => Date.parse(d.from) <= instantMs && instantMs < Date.parse(d.to));
}

/** A working day, no holiday, and the location is up at its cut-off that day. */
export function isShippingDay(location: ShippingCalendar, day: number): boolean {
  if (!location.workingDays.includes(isoWeekday(day))) return false;
  if (location.holidays.includes(isoDate(day))) return false;
  const cutOff = instantOf(day, parseCutOff(location.cutOffTime), location.timeZone);
  return !inDowntimeAt(location, cutOff);
}

function nextShippingDay(location: ShippingCalendar, after: number, limit: number): number {
  for (let day = after + 1; day <= limit; day++) if (isShippingDay(location, day)) return day;
  throw ValidationError.single(
    "locationId",
    "NO_SHIPPING_DAY",
    `the location has no shipping day within ${SEARCH_LIMIT_DAYS} days (working days, holidays, downtimes)`,
  );
}

/**
 * The planned shipping date (YYYY-MM-DD, in the location's time zone) of goods assigned at `assignedAt`.
 * Throws ValidationError NO_SHIPPING_DAY when the calendar has no shipping day within three years.
 */
export function plannedShippingDate(input: PlannedShippingInput): string {
  const { location } = input;
  const assigned = Date.parse(input.assignedAt);
  if (Number.isNaN(assigned)) {
    throw ValidationError.single("assignedAt", "INVALID_DATE", `assignedAt ${input.assignedAt} is no date`);
  }
  const available = input.availableAt ? Math.max(assigned, Date.parse(input.availableAt)) : assigned;
  const leadTime = input.leadTimeDays ?? location.leadTimeDays ?? 0;
  const start = localTime(available, location.timeZone);
  const limit = start.day + SEARCH_LIMIT_DAYS;
  const today =
    start.minutes < parseCutOff(location.cutOffTime) &&
    !inDowntimeAt(location, available) &&
    isShippingDay(location, start.day);
  let day = today ? start.day : nextShippingDay(location, start.day, limit);
  for (let n = 0; n < leadTime; n++) day = nextShippingDay(location, day, limit);
  return isoDate(day);
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: string, timeZone: string): string {
  return isoDate(localTime(Date.parse(instant), timeZone).day);
}
