import { describe, expect, it } from 'vitest';
import { payNotices, type CartDeps } from '../../../shared/use-cases/citizens/counter';

/** deps that fail the test if the use case reads anything: the command is refused before */
const untouched = new Proxy({}, { get: (_t, name) => { throw new Error(`read ${String(name)} before checking the command`); } }) as CartDeps;
const citizen = { fiscalNumber: 'RSSMRA80A01H501U' };
const cmd = (noticeNumbers: string[]) => ({ organizationFiscalCode: '80001234568', noticeNumbers, counterUrl: 'https://c.example/cittadino' });

describe('a Checkout cart of the citizen', () => {
  it('refuses no notice, more than five, and the same notice twice, before reading or calling anything', async () => {
    await expect(payNotices(untouched, citizen, cmd([]))).rejects.toMatchObject({ kind: 'invalid', fields: [{ field: 'avviso' }] });
    const six = Array.from({ length: 6 }, (_, i) => `3120000000000000${i}0`);
    await expect(payNotices(untouched, citizen, cmd(six))).rejects.toMatchObject({ kind: 'invalid', message: 'at most 5 notices in one payment' });
    await expect(payNotices(untouched, citizen, cmd(['312000000000000010', '312000000000000010']))).rejects.toMatchObject({ kind: 'invalid', message: 'a notice is chosen twice' });
  });
});
