import { describe, expect, it } from 'vitest';
import { UseCaseError } from '../../../shared/use-cases/errors';
import { requestSpontaneousPayment, serviceOf, servicesOf, spontaneousIupd } from '../../../shared/use-cases/spontaneous-payments';
import { InMemoryDebtPositionStore } from '../positions/fakes';
import { PAYER, TENANT } from './fixtures';

function deps() {
  const positions = new InMemoryDebtPositionStore();
  const created: string[] = [];
  let id = 0;
  return {
    positions,
    created,
    clock: () => new Date('2026-12-03T10:00:00.000Z'),
    newId: () => `event-${++id}`,
    onCreated: (p: { iupd: string }) => created.push(p.iupd),
  };
}

const canteen = (requestKey: string, values: Record<string, unknown> = { alunno: 'Anna Rossi', pasti: '4' }) => ({
  serviceId: 'MENSA',
  debtor: PAYER,
  values,
  requestKey,
  channel: 'citizen-counter' as const,
});

const failure = async (promise: Promise<unknown>): Promise<UseCaseError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UseCaseError) return error;
    throw error;
  }
  throw new Error('expected a UseCaseError');
};

describe('requestSpontaneousPayment', () => {
  it('creates the position published and payable (VALID), with its notice number, events and audit', async () => {
    const d = deps();
    const { position, created } = await requestSpontaneousPayment(d, TENANT, canteen('nonce-1'));
    expect(created).toBe(true);
    expect(position.iupd).toBe(spontaneousIupd('MENSA', 'nonce-1'));
    expect(position.iupd).toMatch(/^SPONT-MENSA-[0-9a-f]{32}$/);
    expect(position.status).toBe('VALID');
    expect(position.paymentOptions).toHaveLength(1);
    expect(position.paymentOptions[0]).toMatchObject({ amount: 1800, status: 'PO_UNPAID' });
    expect(position.paymentOptions[0]!.nav).toMatch(/^312\d{15}$/);
    expect(d.positions.events.map((e) => e.eventType)).toEqual(['debt-position.created', 'debt-position.published']);
    expect(d.created).toEqual([position.iupd]);
  });

  it('is idempotent: the same request key gives the same position, never a second one', async () => {
    const d = deps();
    const first = await requestSpontaneousPayment(d, TENANT, canteen('nonce-2'));
    const again = await requestSpontaneousPayment(d, TENANT, canteen('nonce-2'));
    expect(again.created).toBe(false);
    expect(again.position.iupd).toBe(first.position.iupd);
    expect(again.position.paymentOptions[0]!.nav).toBe(first.position.paymentOptions[0]!.nav);
    expect(d.created).toHaveLength(1);
    const other = await requestSpontaneousPayment(d, TENANT, canteen('nonce-3'));
    expect(other.created).toBe(true);
    expect(other.position.paymentOptions[0]!.nav).not.toBe(first.position.paymentOptions[0]!.nav);
  });

  it('two identical requests racing: the loser answers the winner’s position', async () => {
    const d = deps();
    const [a, b] = await Promise.all([
      requestSpontaneousPayment(d, TENANT, canteen('nonce-race')),
      requestSpontaneousPayment(d, TENANT, canteen('nonce-race')),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.position.iupd).toBe(b.position.iupd);
    expect(d.created).toHaveLength(1);
  });

  it('refuses bad input naming every field (the payer too) and writes nothing', async () => {
    const d = deps();
    const error = await failure(
      requestSpontaneousPayment(d, TENANT, { ...canteen('nonce-4', { alunno: '', pasti: 'dieci' }), debtor: { ...PAYER, fiscalCode: 'RCCMNL83S18D969X' } }),
    );
    expect(error.kind).toBe('invalid');
    expect(error.fields.map((f) => f.field)).toEqual(['debtor.fiscalCode', 'alunno', 'pasti']);
    expect(d.positions.events).toEqual([]);
  });

  it('an unknown service is not-found; servicesOf / serviceOf for the pages', async () => {
    const error = await failure(requestSpontaneousPayment(deps(), TENANT, { ...canteen('nonce-5'), serviceId: 'NOPE1' }));
    expect(error.kind).toBe('not-found');
    expect(servicesOf(TENANT).map((s) => s.id)).toEqual(['CERT1', 'MENSA', 'DONO1']);
    expect(serviceOf(TENANT, 'CERT1')?.name).toMatch(/segreteria/);
    expect(serviceOf(TENANT, 'X')).toBeUndefined();
    expect(servicesOf({ ...TENANT, spontaneousServices: undefined })).toEqual([]);
  });
});
