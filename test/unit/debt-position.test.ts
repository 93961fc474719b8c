import { describe, expect, it } from 'vitest';
import * as dp from '../../shared/domain/debt-position';
import { option, position } from '../fixtures/positions';

const NOW = new Date('2026-11-27T10:00:00.000Z');

describe('debt position state machine', () => {
  it('publishes a DRAFT as VALID when it has no validity date, PUBLISHED when the validity date is ahead', () => {
    const valid = dp.publish(position(), NOW);
    expect(valid.ok && valid.value.status).toBe('VALID');
    expect(valid.ok && valid.value.publishDate).toBe(NOW.toISOString());
    const later = dp.publish(position({ validityDate: '2026-12-01T00:00:00.000Z' }), NOW);
    expect(later.ok && later.value.status).toBe('PUBLISHED');
  });

  it('refuses to publish anything but a DRAFT, and a DRAFT whose due dates have all passed', () => {
    for (const status of ['VALID', 'INVALID', 'PAID', 'PARTIALLY_PAID', 'REPORTED'] as const) {
      const r = dp.publish(position({ status }), NOW);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.kind).toBe('conflict');
    }
    const stale = dp.publish(position({ paymentOptions: [option({ dueDate: '2026-01-01T00:00:00.000Z' })] }), NOW);
    expect(stale.ok).toBe(false);
  });

  it('as GPD (publishFlowHandler): refuses a DRAFT whose EARLIEST due date or whose validity date has passed', () => {
    const plan = position({ paymentOptions: [option({ dueDate: '2026-11-01T00:00:00.000Z' }), option({ dueDate: '2027-03-01T00:00:00.000Z' })] });
    const early = dp.publish(plan, NOW);
    expect(!early.ok && early.error).toMatchObject({ kind: 'conflict', message: expect.stringContaining('earliest due date (2026-11-01T00:00:00.000Z) has passed') });
    const validityPassed = dp.publish(position({ validityDate: '2026-11-27T09:59:59.999Z' }), NOW);
    expect(!validityPassed.ok && validityPassed.error.message).toContain('validity date (2026-11-27T09:59:59.999Z) has passed');
    expect(dp.publish(position({ validityDate: NOW.toISOString() }), NOW).ok).toBe(true);
  });

  it('a PUBLISHED position becomes VALID when its validity date comes', () => {
    const p = position({ status: 'PUBLISHED', validityDate: '2026-11-28T00:00:00.000Z' });
    expect(dp.statusAt(p, NOW)).toBe('PUBLISHED');
    expect(dp.statusAt(p, new Date('2026-11-28T00:00:00.001Z'))).toBe('VALID');
  });

  it('a VALID position expires after its last due date only with switchToExpired', () => {
    const after = new Date('2027-04-01T00:00:00.000Z');
    expect(dp.statusAt(position({ status: 'VALID' }), after)).toBe('VALID');
    expect(dp.statusAt(position({ status: 'VALID', switchToExpired: true }), after)).toBe('EXPIRED');
    expect(dp.statusAt(position({ status: 'VALID', switchToExpired: true }), NOW)).toBe('VALID');
  });

  it('invalidates PUBLISHED and VALID positions only; INVALID is final', () => {
    expect(dp.invalidate(position({ status: 'VALID' }), NOW).ok).toBe(true);
    expect(dp.invalidate(position({ status: 'PUBLISHED', validityDate: '2027-01-01T00:00:00.000Z' }), NOW).ok).toBe(true);
    for (const status of ['DRAFT', 'INVALID', 'PAID', 'PARTIALLY_PAID'] as const) {
      expect(dp.invalidate(position({ status }), NOW).ok).toBe(false);
    }
    const invalid = position({ status: 'INVALID' });
    expect(dp.publish(invalid, NOW).ok).toBe(false);
    expect(dp.update(invalid, invalid, { toPublish: true }, NOW).ok).toBe(false);
  });

  it('update makes any updatable position a DRAFT again unless toPublish (GPD), its publishDate cleared', () => {
    const draft = position();
    const kept = dp.update(draft, draft, { toPublish: false }, NOW);
    expect(kept.ok && kept.value.status).toBe('DRAFT');
    const published = dp.update(draft, draft, { toPublish: true }, NOW);
    expect(published.ok && published.value.status).toBe('VALID');
    expect(published.ok && published.value.publishDate).toBe(NOW.toISOString());
    const valid = position({ status: 'VALID', publishDate: '2026-11-01T00:00:00.000Z' });
    const back = dp.update(valid, valid, { toPublish: false }, NOW);
    expect(back.ok && back.value.status).toBe('DRAFT');
    expect(back.ok && back.value.publishDate).toBeUndefined();
    expect(back.ok && dp.isPayable(back.value.status)).toBe(false);
    // the GPD flow: update, then publish
    const republished = back.ok ? dp.publish(back.value, NOW) : back;
    expect(republished.ok && republished.value.status).toBe('VALID');
    const again = dp.update(valid, valid, { toPublish: true }, NOW);
    expect(again.ok && again.value.status).toBe('VALID');
    expect(again.ok && again.value.publishDate).toBe(NOW.toISOString());
    const future = dp.update(valid, { ...valid, validityDate: '2026-12-01T00:00:00.000Z' }, { toPublish: true }, NOW);
    expect(future.ok && future.value.status).toBe('PUBLISHED');
  });

  it('an EXPIRED position is updatable: a DRAFT again, or VALID again with toPublish and a future due date', () => {
    const expired = position({
      status: 'VALID',
      switchToExpired: true,
      paymentOptions: [option({ dueDate: '2026-11-01T00:00:00.000Z' })],
    });
    expect(dp.statusAt(expired, NOW)).toBe('EXPIRED');
    const replacement = { ...expired, paymentOptions: [option({ dueDate: '2027-06-30T21:59:59.999Z' })] };
    const draft = dp.update(expired, replacement, { toPublish: false }, NOW);
    expect(draft.ok && draft.value.status).toBe('DRAFT');
    const r = dp.update(expired, replacement, { toPublish: true }, NOW);
    expect(r.ok && r.value.status).toBe('VALID');
    // toPublish needs a due date ahead
    expect(dp.update(expired, expired, { toPublish: true }, NOW).ok).toBe(false);
  });

  it('refuses updates and deletes once money has moved', () => {
    for (const status of ['PARTIALLY_PAID', 'PAID', 'REPORTED'] as const) {
      const p = position({ status });
      expect(dp.update(p, p, { toPublish: false }, NOW).ok).toBe(false);
      expect(dp.checkDeletable(p, NOW).ok).toBe(false);
    }
    expect(dp.checkDeletable(position({ status: 'VALID' }), NOW).ok).toBe(true);
  });

  it('payable means VALID or PARTIALLY_PAID', () => {
    expect(dp.POSITION_STATUSES.filter(dp.isPayable)).toEqual(['VALID', 'PARTIALLY_PAID']);
  });
});
