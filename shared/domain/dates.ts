/**
 * Dates: ISO-8601 UTC inside the layer; Europe/Rome only at the edges. GPD clients (Java
 * LocalDateTime) often send date-times without an offset: those are Italian local time.
 */
const ROME = 'Europe/Rome';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Parses a GPD date or date-time into ISO UTC. A bare date means the end of that day in Rome
 * (23:59:59.999), which is what a due date printed as dd/mm/yyyy means to a citizen.
 */
export function parseApiDateTime(value: string): string | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const dateOnly = h === undefined;
  const hour = dateOnly ? 23 : Number(h);
  const minute = dateOnly ? 59 : Number(mi);
  const second = dateOnly ? 59 : Number(s ?? '0');
  const ms = dateOnly ? 999 : Number((frac ?? '0').padEnd(3, '0').slice(0, 3));
  if (hour > 23 || minute > 59 || second > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (zone === 'Z') return new Date(wall).toISOString();
  if (zone !== undefined) {
    const offsetMin = utcOffsetMinutes(zone);
    if (offsetMin === null) return null;
    return new Date(wall - offsetMin * 60_000).toISOString();
  }
  return new Date(romeWallTimeToUtc(wall)).toISOString();
}

/**
 * The UTC offsets clocks use: from -12:00 to +14:00 (the extremes of the IANA time zone database,
 * Etc/GMT+12 and Pacific/Kiritimati), minutes 00..59. Anything else (+99:99, +24:00, -13:61) is
 * not an offset but a typo, and reading it would silently move the date: null.
 */
export const MIN_UTC_OFFSET_MINUTES = -12 * 60;
export const MAX_UTC_OFFSET_MINUTES = 14 * 60;

/** "+02:00" → 120, "-03:30" → -210; null for an offset no clock uses. */
export function utcOffsetMinutes(zone: string): number | null {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (minutes > 59) return null;
  const total = (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  return total < MIN_UTC_OFFSET_MINUTES || total > MAX_UTC_OFFSET_MINUTES ? null : total;
}

/** "2026-03-31T21:59:59.999Z" → "31/03/2026" (the Rome calendar day). */
export function formatRomeDate(iso: string): string {
  const parts = romeParts(new Date(iso));
  return `${parts.day}/${parts.month}/${parts.year}`;
}

/** "2026-03-31" → "2026-03-30T22:00:00.000Z": the instant a Rome calendar day begins (yyyy-MM-dd, a real day). */
export function romeDayStart(day: string): string {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(day) ? parseApiDateTime(`${day}T00:00:00`) : null;
  if (at === null) throw new RangeError(`not a calendar day: ${day}`);
  return at;
}

/** "2026-03-31" → "2026-03-31T21:59:59.999Z": the last millisecond of a Rome calendar day. */
export function romeDayEnd(day: string): string {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(day) ? parseApiDateTime(day) : null;
  if (at === null) throw new RangeError(`not a calendar day: ${day}`);
  return at;
}

/** "2026-03-31T21:59:59.999Z" → "2026-03-31" (the Rome calendar day). */
export function romeCalendarDay(iso: string): string {
  const parts = romeParts(new Date(iso));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The UTC instant whose Rome wall-clock reading is `wallMs` (interpreted as if UTC). */
function romeWallTimeToUtc(wallMs: number): number {
  // Rome is UTC+1 or UTC+2; try both offsets and keep the one that reads back correctly.
  for (const offsetHours of [1, 2]) {
    const candidate = wallMs - offsetHours * 3_600_000;
    if (romeOffsetHours(new Date(candidate)) === offsetHours) return candidate;
  }
  return wallMs - 3_600_000; // a wall time skipped by the spring change: treat as winter time
}

const offsetFormatter = new Intl.DateTimeFormat('en-US', { timeZone: ROME, timeZoneName: 'shortOffset' });
const partsFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: ROME,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

function romeOffsetHours(date: Date): number {
  const name = offsetFormatter.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+1';
  const match = /GMT([+-]\d+)/.exec(name);
  return match ? Number(match[1]) : 0;
}

function romeParts(date: Date): { year: string; month: string; day: string } {
  const parts = partsFormatter.formatToParts(date);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return { year: get('year'), month: get('month'), day: get('day') };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
