/** Dates at the edges: GPD date / date-time shapes to ISO UTC, and the offsets that are refused. */
import { describe, expect, it } from 'vitest';
import { parseApiDateTime, romeDayEnd, romeDayStart, utcOffsetMinutes } from '../../shared/domain/dates';

describe('parseApiDateTime', () => {
  it('reads a bare date as the end of that Rome day, a date-time without offset as Rome time', () => {
    expect(parseApiDateTime('2026-12-31')).toBe('2026-12-31T22:59:59.999Z');
    expect(parseApiDateTime('2026-07-31T23:59:59')).toBe('2026-07-31T21:59:59.000Z');
    expect(parseApiDateTime('2026-07-31T23:59')).toBe('2026-07-31T21:59:00.000Z');
  });

  it('applies the offsets clocks use, from -12:00 to +14:00', () => {
    expect(parseApiDateTime('2026-07-31T23:59:59Z')).toBe('2026-07-31T23:59:59.000Z');
    expect(parseApiDateTime('2026-07-31T23:59:59+02:00')).toBe('2026-07-31T21:59:59.000Z');
    expect(parseApiDateTime('2026-07-31T23:59:59-03:30')).toBe('2026-08-01T03:29:59.000Z');
    expect(parseApiDateTime('2026-07-31T12:00:00+14:00')).toBe('2026-07-30T22:00:00.000Z');
    expect(parseApiDateTime('2026-07-31T12:00:00-12:00')).toBe('2026-08-01T00:00:00.000Z');
    expect(parseApiDateTime('2026-07-31T12:00:00+05:45')).toBe('2026-07-31T06:15:00.000Z');
  });

  it('refuses offsets that are typos, instead of silently moving the date', () => {
    for (const zone of ['+99:99', '+24:00', '-13:61', '+14:01', '-12:01', '+02:60', '+15:00']) {
      expect(parseApiDateTime(`2026-07-31T23:59:59${zone}`), zone).toBeNull();
      expect(utcOffsetMinutes(zone), zone).toBeNull();
    }
    expect(utcOffsetMinutes('+02:00')).toBe(120);
    expect(utcOffsetMinutes('-00:30')).toBe(-30);
  });

  it('refuses impossible calendar dates and times', () => {
    for (const v of ['2026-02-30', '2026-13-01', '2026-07-31T24:00:00', '2026-07-31T23:60:00', '2026-07-31T23:59:60', '31/12/2026', '']) {
      expect(parseApiDateTime(v), v).toBeNull();
    }
  });
});

describe('a Rome calendar day as an interval', () => {
  it('begins at midnight in Rome and ends a millisecond before the next (winter, summer, the change days)', () => {
    expect([romeDayStart('2026-12-03'), romeDayEnd('2026-12-03')]).toEqual(['2026-12-02T23:00:00.000Z', '2026-12-03T22:59:59.999Z']);
    expect([romeDayStart('2026-07-03'), romeDayEnd('2026-07-03')]).toEqual(['2026-07-02T22:00:00.000Z', '2026-07-03T21:59:59.999Z']);
    expect([romeDayStart('2026-03-29'), romeDayEnd('2026-03-29')]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T21:59:59.999Z']);
    expect([romeDayStart('2026-10-25'), romeDayEnd('2026-10-25')]).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T22:59:59.999Z']);
  });

  it('refuses what is not a day', () => {
    for (const v of ['2026-02-30', '2026-12-03T10:00:00', '03/12/2026', '']) {
      expect(() => romeDayStart(v), v).toThrow(RangeError);
      expect(() => romeDayEnd(v), v).toThrow(RangeError);
    }
  });
});
