/**
 * The back-office API end to end: real HTTP to the local stack (gateway → the same Lambda
 * handlers → DynamoDB Local), as a GPD client would use it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNoticeNumber } from '../../shared/domain/notice-number';
import { ALTROVE_FC, ALTROVE_KEY, ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';
import { positionRequest } from '../fixtures/positions';

const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.stop();
});

function installments(n: number): Record<string, unknown> {
  const base = positionRequest();
  const [single] = base['paymentOption'] as Array<Record<string, unknown>>;
  const each = { ...single, amount: 5000, isPartialPayment: true, transfer: [{ ...(single!['transfer'] as any[])[0], amount: 5000 }] };
  return { ...base, paymentOption: [single, ...Array.from({ length: n }, (_, i) => ({ ...each, dueDate: `2099-0${i + 1}-15` }))] };
}

describe('debt positions API (GPD v1)', () => {
  it('creates a published position that comes back VALID with notice numbers whose check digits are right', async () => {
    const body = installments(3);
    const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe('VALID');
    const navs: string[] = created.json.paymentOption.map((o: { nav: string }) => o.nav);
    expect(new Set(navs).size).toBe(4);
    for (const nav of navs) {
      const parsed = parseNoticeNumber(nav);
      expect(parsed.ok, nav).toBe(true);
      expect(parsed.ok && parsed.value.auxDigit).toBe(3);
      expect(parsed.ok && parsed.value.segregationCode).toBe('12');
    }
    const read = await stack.api('GET', `${positions}/${body['iupd']}`);
    expect(read.status).toBe(200);
    expect(read.json.paymentOption.map((o: { nav: string }) => o.nav)).toEqual(navs);
    // a date without an offset is Rome time: the end of 15 Jan 2099 in Rome is 22:59:59.999Z
    expect(read.json.paymentOption[1].dueDate).toBe('2099-01-15T22:59:59.999Z');

    const byNav = await stack.api('GET', `/organizations/${ESEMPIO_FC}/paymentoptions/${navs[2]}`);
    expect(byNav.status).toBe(200);
    expect(byNav.json.paymentOption.nav).toBe(navs[2]);
    expect(byNav.json.debtPosition.iupd).toBe(body['iupd']);
  });

  it('answers 400 naming every offending field, and stores nothing', async () => {
    const body = positionRequest({ fiscalCode: 'RCCMNL83S18D969A', fullName: '', country: 'italy' });
    const response = await stack.api('POST', positions, { body });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['country', 'fiscalCode', 'fullName']);
    expect((await stack.api('GET', `${positions}/${body['iupd']}`)).status).toBe(404);
  });

  it('refuses malformed JSON, wrong content types and oversized bodies with a precise 4xx', async () => {
    expect((await stack.api('POST', positions, { body: '{"iupd":' })).status).toBe(400);
    expect((await stack.api('POST', positions, { body: 'iupd=x', headers: { 'Content-Type': 'text/plain' } })).status).toBe(415);
    expect((await stack.api('POST', positions, { body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) })).status).toBe(413);
    expect((await stack.api('POST', positions)).status).toBe(400);
  });

  it('authenticates every tenant route: 401 without or with an unknown key, 403 with another tenant key', async () => {
    const body = positionRequest();
    expect((await stack.api('POST', positions, { body, key: null })).status).toBe(401);
    expect((await stack.api('POST', positions, { body, key: 'not-a-real-key-0000000000' })).status).toBe(401);
    expect((await stack.api('POST', positions, { body, key: ALTROVE_KEY })).status).toBe(403);
    const mine = await stack.api('POST', `${positions}?toPublish=true`, { body });
    expect(mine.status).toBe(201);
    expect((await stack.api('GET', `${positions}/${body['iupd']}`, { key: ALTROVE_KEY })).status).toBe(403);
    // the other tenant's own path does not show our position either
    expect((await stack.api('GET', `/organizations/${ALTROVE_FC}/debtpositions/${body['iupd']}`, { key: ALTROVE_KEY })).status).toBe(404);
    const nav = mine.json.paymentOption[0].nav;
    expect((await stack.api('GET', `/organizations/${ALTROVE_FC}/paymentoptions/${nav}`, { key: ALTROVE_KEY })).status).toBe(404);
  });

  it('refuses a duplicate iupd and a notice number used by another position (409)', async () => {
    const first = positionRequest();
    const created = await stack.api('POST', positions, { body: first });
    expect(created.status).toBe(201);
    expect((await stack.api('POST', positions, { body: first })).status).toBe(409);
    const nav = created.json.paymentOption[0].nav;
    const second = positionRequest();
    (second['paymentOption'] as any[])[0].nav = nav;
    const dup = await stack.api('POST', positions, { body: second });
    expect(dup.status).toBe(409);
    expect(dup.json.detail).toContain(nav.slice(1));
    expect((await stack.api('GET', `${positions}/${second['iupd']}`)).status).toBe(404);
  });

  it('follows the GPD state rules: publish, invalidate, update, delete', async () => {
    const body = positionRequest();
    const iupd = body['iupd'];
    expect((await stack.api('POST', positions, { body })).json.status).toBe('DRAFT');
    expect((await stack.api('POST', `${positions}/${iupd}/invalidate`)).status).toBe(409);
    const published = await stack.api('POST', `${positions}/${iupd}/publish`);
    expect(published.status).toBe(200);
    expect(published.json.status).toBe('VALID');
    expect((await stack.api('POST', `${positions}/${iupd}/publish`)).status).toBe(409);

    const changed = { ...body, fullName: 'Maria Rossi', paymentOption: published.json.paymentOption.map((o: any) => ({
      nav: o.nav, amount: o.amount, description: o.description, isPartialPayment: o.isPartialPayment, dueDate: o.dueDate,
      transfer: o.transfer.map((t: any) => ({ idTransfer: t.idTransfer, amount: t.amount, remittanceInformation: t.remittanceInformation, category: t.category, iban: t.iban })),
    })) };
    const updated = await stack.api('PUT', `${positions}/${iupd}`, { body: changed });
    expect(updated.status).toBe(200);
    expect(updated.json.fullName).toBe('Maria Rossi');
    expect(updated.json.status).toBe('VALID');
    expect(updated.json.paymentOption[0].nav).toBe(published.json.paymentOption[0].nav);
    expect(updated.json.version).toBe(3);

    expect((await stack.api('POST', `${positions}/${iupd}/invalidate`)).json.status).toBe('INVALID');
    expect((await stack.api('PUT', `${positions}/${iupd}`, { body: changed })).status).toBe(409);
    expect((await stack.api('POST', `${positions}/${iupd}/publish`)).status).toBe(409);
    expect((await stack.api('DELETE', `${positions}/${iupd}`)).status).toBe(200);
    expect((await stack.api('GET', `${positions}/${iupd}`)).status).toBe(404);
    expect((await stack.api('DELETE', `${positions}/${iupd}`)).status).toBe(404);
  });

  it('assigns unique notice numbers under concurrent creation', async () => {
    const bodies = Array.from({ length: 24 }, () => installments(2));
    const responses = await Promise.all(bodies.map((body) => stack.api('POST', positions, { body })));
    expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 201));
    const navs = responses.flatMap((r) => r.json.paymentOption.map((o: { nav: string }) => o.nav));
    expect(navs).toHaveLength(72);
    expect(new Set(navs).size).toBe(72);
  });

  it('lets only one of two concurrent updates win (optimistic versioning)', async () => {
    const body = positionRequest();
    const created = await stack.api('POST', positions, { body });
    const option = created.json.paymentOption[0];
    const edit = (name: string) => ({ ...body, fullName: name, paymentOption: [{ ...(body['paymentOption'] as any[])[0], nav: option.nav }] });
    const results = await Promise.all(['Anna', 'Bruno', 'Carla', 'Dario'].map((n) => stack.api('PUT', `${positions}/${body['iupd']}`, { body: edit(n) })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const final = await stack.api('GET', `${positions}/${body['iupd']}`);
    expect(final.json.version).toBe(1 + statuses.filter((s) => s === 200).length);
  });

  it('lists with GPD pagination and a status filter', async () => {
    const list = await stack.api('GET', `${positions}?page=0&limit=5`);
    expect(list.status).toBe(200);
    expect(list.json.payment_position_list).toHaveLength(5);
    expect(list.json.page_info).toMatchObject({ page: 0, limit: 5, items_found: 5 });
    const pages = list.json.page_info.total_pages;
    expect(pages).toBeGreaterThan(2);
    const seen = new Set<string>();
    for (let page = 0; page < pages; page++) {
      const r = await stack.api('GET', `${positions}?page=${page}&limit=5`);
      for (const p of r.json.payment_position_list) seen.add(p.iupd);
    }
    expect(seen.size).toBeGreaterThan((pages - 1) * 5);
    const valid = await stack.api('GET', `${positions}?page=0&limit=50&status=VALID`);
    expect(valid.json.payment_position_list.length).toBeGreaterThan(0);
    expect(valid.json.payment_position_list.every((p: { status: string }) => p.status === 'VALID')).toBe(true);
    expect((await stack.api('GET', `${positions}?page=0&limit=51`)).status).toBe(400);
    expect((await stack.api('GET', `${positions}?limit=5`)).status).toBe(400);
  });

  it('serves /health and the OpenAPI document without a key', async () => {
    expect((await stack.api('GET', '/health', { key: null })).status).toBe(200);
    const doc = await stack.api('GET', '/openapi.json', { key: null });
    expect(doc.json.openapi).toBe('3.1.0');
  });
});
