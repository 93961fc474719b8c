/**
 * The citizen's dossier use case with in-memory ports (fakes.ts): pages newest first with an
 * opaque cursor, refuses a forged cursor or a limit out of range naming the field, and reads a
 * bounded number of times per page (one read of positions, two per position on the page),
 * however many options a position has, with a bounded number of reads in flight.
 */
import { describe, expect, it } from 'vitest';
import type { Organization } from '../../../shared/domain/organization';
import { DOSSIER_PAGE_SIZE, DOSSIER_POSITIONS_IN_FLIGHT, debtorDossier, type Dossier } from '../../../shared/use-cases/dossier/debtor-dossier';
import { decodeDossierCursor, encodeDossierCursor } from '../../../shared/use-cases/dossier/cursor';
import { UseCaseError } from '../../../shared/use-cases/errors';
import { DEBTOR_CF, ESEMPIO } from '../../fixtures/positions';
import { MemoryDossier, debtorPosition, messageOf, receiptOf } from './fakes';

const ALTROVE: Organization = { ...ESEMPIO, fiscalCode: '80007654322', name: 'Comune di Altrove' };
const OTHER_DEBTOR = 'BNCGVN80A01H501J';

function withPositions(n: number, options = 3): MemoryDossier {
  const store = new MemoryDossier();
  for (let i = 0; i < n; i++) store.positions.push(debtorPosition(i, options));
  return store;
}

async function allPages(store: MemoryDossier, limit?: number): Promise<Dossier[]> {
  const pages: Dossier[] = [];
  let cursor: string | undefined;
  do {
    const page = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF, ...(limit !== undefined ? { limit } : {}), ...(cursor ? { cursor } : {}) });
    pages.push(page);
    cursor = page.cursor;
    expect(pages.length).toBeLessThanOrEqual(200);
  } while (cursor !== undefined);
  return pages;
}

async function refusal(run: Promise<unknown>): Promise<UseCaseError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UseCaseError);
  expect((error as UseCaseError).kind).toBe('invalid');
  return error as UseCaseError;
}

describe('paging', () => {
  it('pages through every position exactly once, newest first; a cursor on every page but the last', async () => {
    const store = withPositions(45);
    const pages = await allPages(store);
    expect(pages.map((p) => p.positions.length)).toEqual([20, 20, 5]);
    expect(pages.map((p) => p.cursor !== undefined)).toEqual([true, true, false]);
    expect(pages.map((p) => p.truncated)).toEqual([true, true, false]);
    const iupds = pages.flatMap((p) => p.positions.map((e) => e.position.iupd));
    expect(iupds).toEqual(Array.from({ length: 45 }, (_, i) => `TARI-${String(44 - i).padStart(4, '0')}`));
    expect(new Set(iupds).size).toBe(45);
  });

  it('the default page is 20 positions, at most 50 may be asked for, any size in between', async () => {
    expect(DOSSIER_PAGE_SIZE).toEqual({ default: 20, max: 50 });
    const store = withPositions(120, 1);
    expect((await allPages(store, 50)).map((p) => p.positions.length)).toEqual([50, 50, 20]);
    expect((await allPages(store, 1)).length).toBe(120);
    expect((await allPages(store, 7)).flatMap((p) => p.positions).length).toBe(120);
  });

  it('a last page that is exactly full has no cursor (no empty page after it)', async () => {
    const store = withPositions(40);
    const pages = await allPages(store);
    expect(pages.map((p) => [p.positions.length, p.cursor === undefined])).toEqual([
      [20, false],
      [20, true],
    ]);
  });

  it('an unknown debtor has an empty dossier without a cursor', async () => {
    const store = withPositions(3);
    const page = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: OTHER_DEBTOR });
    expect(page).toEqual({ organizationFiscalCode: ESEMPIO.fiscalCode, fiscalCode: OTHER_DEBTOR, positions: [], truncated: false });
  });

  it('positions created while a client pages come before its cursor: nothing is shown twice or skipped', async () => {
    const store = withPositions(30);
    const first = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF, limit: 10 });
    store.positions.push(debtorPosition(1000), debtorPosition(1001));
    const seen = first.positions.map((e) => e.position.iupd);
    let cursor = first.cursor;
    while (cursor !== undefined) {
      const page = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF, limit: 10, cursor });
      seen.push(...page.positions.map((e) => e.position.iupd));
      cursor = page.cursor;
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect(seen).not.toContain('TARI-1000');
  });

  it('the fiscal code is matched in upper case; the cursor is opaque base64url and reads back as the last position', async () => {
    const store = withPositions(21);
    const page = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF.toLowerCase() });
    expect(page.fiscalCode).toBe(DEBTOR_CF);
    expect(page.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const last = page.positions.at(-1)!.position;
    expect(decodeDossierCursor(page.cursor!)).toEqual({ insertedDate: last.insertedDate, iupd: last.iupd });
  });
});

describe('bad queries', () => {
  const forged: Array<[string, string]> = [
    ['not base64url', 'abc$%^'],
    ['empty', ''],
    ['base64url of text', Buffer.from('hello').toString('base64url')],
    ['an object', Buffer.from(JSON.stringify({ insertedDate: '2026-11-01T00:00:00.000Z', iupd: 'TARI-0001' })).toString('base64url')],
    ['three elements', Buffer.from(JSON.stringify(['2026-11-01T00:00:00.000Z', 'TARI-0001', 'x'])).toString('base64url')],
    ['not a date', Buffer.from(JSON.stringify(['yesterday', 'TARI-0001'])).toString('base64url')],
    ['an iupd with a key separator', Buffer.from(JSON.stringify(['2026-11-01T00:00:00.000Z', 'TARI#ORG#80007654322'])).toString('base64url')],
    ['an iupd too long', Buffer.from(JSON.stringify(['2026-11-01T00:00:00.000Z', 'x'.repeat(71)])).toString('base64url')],
    ['too long', 'A'.repeat(600)],
    ['a receipt list cursor', Buffer.from(JSON.stringify(['RCPT#80001234568#1', 'RECEIPT#1', 'ORG#80001234568#RECEIPTS', '2026'])).toString('base64url')],
  ];
  it.each(forged)('a forged cursor (%s) is refused naming cursor, and nothing is read', async (_what, cursor) => {
    const store = withPositions(5);
    const error = await refusal(debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF, cursor }));
    expect(error.fields).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    expect(store.reads.positions + store.reads.receipts + store.reads.messages).toBe(0);
  });

  it.each([0, -1, 51, 1.5, Number.NaN])('limit %s is refused naming limit', async (limit) => {
    const error = await refusal(debtorDossier(withPositions(1).deps(), ESEMPIO, { fiscalCode: DEBTOR_CF, limit }));
    expect(error.fields.map((f) => f.field)).toEqual(['limit']);
  });

  it('every offending field at once: a wrong check character, a limit out of range, a forged cursor', async () => {
    const wrong = `${DEBTOR_CF.slice(0, 15)}${DEBTOR_CF.endsWith('A') ? 'B' : 'A'}`;
    const error = await refusal(debtorDossier(withPositions(1).deps(), ESEMPIO, { fiscalCode: wrong, limit: 500, cursor: 'nope!' }));
    expect(error.fields.map((f) => f.field)).toEqual(['fiscalCode', 'limit', 'cursor']);
    expect((await refusal(debtorDossier(withPositions(1).deps(), ESEMPIO, { fiscalCode: 'RSSMRA' }))).fields.map((f) => f.field)).toEqual(['fiscalCode']);
  });
});

describe('bounded reads', () => {
  it('one read of positions and two per position on the page, whatever the number of options', async () => {
    for (const options of [1, 3, 37]) {
      const store = withPositions(60, options);
      const page = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF });
      expect(page.positions).toHaveLength(20);
      expect(store.reads).toMatchObject({ positions: 1, receipts: 20, messages: 20 });
      store.resetReads();
      await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF, limit: DOSSIER_PAGE_SIZE.max });
      expect(store.reads).toMatchObject({ positions: 1, receipts: 50, messages: 50 });
    }
  });

  it(`at most ${DOSSIER_POSITIONS_IN_FLIGHT} positions (two reads each) are read at the same time`, async () => {
    const store = withPositions(50, 5);
    await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF, limit: 50 });
    expect(store.reads.maxInFlight).toBe(2 * DOSSIER_POSITIONS_IN_FLIGHT);
  });

  it('paging through 120 positions × 3 options reads 1 + 2 × (positions on the page) per page', async () => {
    const store = withPositions(120, 3);
    let cursor: string | undefined;
    const perPage: number[] = [];
    do {
      store.resetReads();
      const page = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF, ...(cursor ? { cursor } : {}) });
      const { positions, receipts, messages } = store.reads;
      expect(positions + receipts + messages).toBe(1 + 2 * page.positions.length);
      perPage.push(positions + receipts + messages);
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(perPage).toEqual([41, 41, 41, 41, 41, 41]);
  });
});

describe('what a position shows', () => {
  it('its receipts option by option (oldest first in one), its messages oldest change first, its status and notice', async () => {
    const store = new MemoryDossier();
    const p = debtorPosition(1, 3);
    store.positions.push(p);
    store.receipts.push(
      receiptOf(p, 2, '2027-02-03T10:00:00.000Z'),
      receiptOf(p, 0, '2027-02-02T10:00:00.000Z'),
      receiptOf(p, 0, '2027-02-01T10:00:00.000Z', 'KO'),
    );
    store.messages.push(messageOf(p, 0, 'payment-received', '2027-02-02T10:00:05.000Z'), messageOf(p, 0, 'new-notice', '2026-11-01T00:01:00.000Z'));
    const page = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF });
    const entry = page.positions[0]!;
    expect(entry.status).toBe('VALID');
    expect(entry.notice).toEqual({ available: true });
    expect(entry.receipts.map((r) => [r.nav, r.state, r.recordedAt])).toEqual([
      [p.paymentOptions[0]!.nav, 'KO', '2027-02-01T10:00:00.000Z'],
      [p.paymentOptions[0]!.nav, 'APPLIED', '2027-02-02T10:00:00.000Z'],
      [p.paymentOptions[2]!.nav, 'APPLIED', '2027-02-03T10:00:00.000Z'],
    ]);
    expect(entry.messages.map((m) => m.kind)).toEqual(['new-notice', 'payment-received']);
  });

  it('a receipt of an earlier position with the same iupd (deleted, created again) is not shown', async () => {
    const store = new MemoryDossier();
    const before = debtorPosition(1, 1);
    const now = debtorPosition(1, 1, { insertedDate: '2027-01-01T00:00:00.000Z' });
    store.positions.push(now);
    store.receipts.push(receiptOf(before, 0, '2026-12-01T00:00:00.000Z', 'KO'), receiptOf(now, 0, '2027-02-01T00:00:00.000Z'));
    const page = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF });
    expect(page.positions[0]!.receipts.map((r) => r.nav)).toEqual([now.paymentOptions[0]!.nav]);
  });

  it("only the tenant's own: every read is keyed by the caller's organization; another tenant's positions of the same debtor never show", async () => {
    const store = withPositions(3);
    const theirs = debtorPosition(500, 2, { organizationFiscalCode: ALTROVE.fiscalCode, iupd: 'ALTROVE-1' });
    store.positions.push(theirs);
    store.receipts.push(receiptOf(theirs, 0, '2027-02-01T00:00:00.000Z'));
    store.messages.push(messageOf(theirs, 0, 'new-notice', '2027-02-01T00:00:00.000Z'));
    const mine = await debtorDossier(store.deps(), ESEMPIO, { fiscalCode: DEBTOR_CF });
    expect(mine.positions.map((e) => e.position.iupd)).not.toContain('ALTROVE-1');
    expect([...store.reads.organizations]).toEqual([ESEMPIO.fiscalCode]);
    // a cursor handed out to one tenant only says where to go on: at the other it reads that tenant's own
    const cursor = encodeDossierCursor({ insertedDate: '2099-01-01T00:00:00.000Z', iupd: 'TARI-0002' });
    const other = await debtorDossier(store.deps(), ALTROVE, { fiscalCode: DEBTOR_CF, cursor });
    expect(other.positions.map((e) => e.position.iupd)).toEqual(['ALTROVE-1']);
    expect(other.positions[0]!.receipts).toHaveLength(1);
  });
});
