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
    // GPD: the replaced position is a DRAFT again, and published by the next publish
    const updated = await stack.api('PUT', `${positions}/${iupd}`, { body: changed });
    expect(updated.status).toBe(200);
    expect(updated.json.fullName).toBe('Maria Rossi');
    expect(updated.json.status).toBe('DRAFT');
    expect(updated.json.paymentOption[0].nav).toBe(published.json.paymentOption[0].nav);
    expect(updated.json.version).toBe(3);
    expect((await stack.api('POST', `${positions}/${iupd}/invalidate`)).status).toBe(409);
    const republished = await stack.api('POST', `${positions}/${iupd}/publish`);
    expect(republished.json.status).toBe('VALID');
    expect(republished.json.version).toBe(4);
    // with toPublish it stays published through the update
    const kept = await stack.api('PUT', `${positions}/${iupd}?toPublish=true`, { body: changed });
    expect(kept.json.status).toBe('VALID');

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
    // GPD: page is optional (0)
    expect((await stack.api('GET', `${positions}?limit=5`)).json.page_info).toMatchObject({ page: 0, limit: 5, items_found: 5 });
  });

  it('serves /health, the OpenAPI document and its reference page without a key', async () => {
    expect((await stack.api('GET', '/health', { key: null })).status).toBe(200);
    const doc = await stack.api('GET', '/openapi.json', { key: null });
    expect(doc.json.openapi).toBe('3.1.0');
    const page = await stack.api('GET', '/docs', { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('answers 400 naming field errors and cross-field errors together (transfers that do not add up, a malformed country)', async () => {
    const body = positionRequest({ country: 'italy' });
    (body['paymentOption'] as any[])[0].transfer[0].amount = 12000;
    const response = await stack.api('POST', positions, { body });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['country', 'paymentOption[0].transfer']);
  });

  describe('lists as GPD does (a tenant no other test writes to, so that page_info is exact)', () => {
    const list = `/organizations/${ALTROVE_FC}/debtpositions`;
    const as = { key: ALTROVE_KEY };
    const tag = Math.random().toString(36).slice(2, 7).toUpperCase();
    // created in this order: C, A, E, B, D, F
    const made = [
      { iupd: `L-${tag}-C`, company: 'Comune C', due: '2099-05-10', publish: true },
      { iupd: `L-${tag}-A`, company: 'Comune A', due: '2099-05-20', publish: false },
      { iupd: `L-${tag}-E`, company: 'Comune E', due: '2099-06-15', publish: true },
      { iupd: `L-${tag}-B`, company: 'Comune B', due: '2099-05-25', publish: true },
      { iupd: `L-${tag}-D`, company: 'Comune D', due: '2099-07-01', publish: false },
      { iupd: `L-${tag}-F`, company: 'Comune F', due: '2099-05-12', publish: true },
    ];
    const iupds = made.map((m) => m.iupd);
    const listed = (r: { json: any }): string[] => r.json.payment_position_list.map((p: { iupd: string }) => p.iupd);
    const get = (query: string) => stack.api('GET', `${list}?${query}`, as);

    beforeAll(async () => {
      for (const m of made) {
        const body = positionRequest({ iupd: m.iupd, companyName: m.company });
        const option = (body['paymentOption'] as any[])[0];
        option.dueDate = m.due;
        option.transfer[0].iban = 'IT47K0503401633000000012345';
        const created = await stack.api('POST', `${list}${m.publish ? '?toPublish=true' : ''}`, { ...as, body });
        expect(created.status, created.text).toBe(201);
      }
      // B paid outside pagoPA, F invalidated
      const b = await stack.api('GET', `${list}/${iupds[3]}`, as);
      expect((await stack.api('POST', `/organizations/${ALTROVE_FC}/paymentoptions/paids/${b.json.paymentOption[0].nav}`, { ...as, body: { paymentDate: null } })).status).toBe(200);
      expect((await stack.api('POST', `${list}/${iupds[5]}/invalidate`, as)).status).toBe(200);
    });

    it('defaults: page 0, limit 10, newest first (INSERTED_DATE DESC), page_info exact', async () => {
      const r = await get('');
      expect(r.status).toBe(200);
      expect(listed(r)).toEqual([...iupds].reverse());
      expect(r.json.page_info).toEqual({ page: 0, limit: 10, items_found: 6, total_pages: 1 });
    });

    it('pages of 4: exact page_info, no overlap, a page past the end is empty with the same total_pages', async () => {
      const pages = await Promise.all([0, 1, 2].map((page) => get(`page=${page}&limit=4&ordering=ASC`)));
      expect(pages.map((p) => p.json.page_info)).toEqual([
        { page: 0, limit: 4, items_found: 4, total_pages: 2 },
        { page: 1, limit: 4, items_found: 2, total_pages: 2 },
        { page: 2, limit: 4, items_found: 0, total_pages: 2 },
      ]);
      expect(pages.flatMap(listed)).toEqual(iupds);
    });

    it('orders by IUPD, COMPANY_NAME, STATUS and DUE_DATE (the first due date), both ways', async () => {
      const sorted = (values: string[]) => [...values].sort();
      expect(listed(await get('orderby=IUPD&ordering=ASC'))).toEqual(sorted(iupds));
      expect(listed(await get('orderby=COMPANY_NAME&ordering=DESC'))).toEqual(sorted(iupds).reverse());
      const byStatus = await get('orderby=STATUS&ordering=ASC');
      // DRAFT (A, D) < INVALID (F) < PAID (B) < VALID (C, E), inserted order inside each
      expect(listed(byStatus)).toEqual([iupds[1], iupds[4], iupds[5], iupds[3], iupds[0], iupds[2]]);
      expect(listed(await get('orderby=DUE_DATE&ordering=ASC'))).toEqual([iupds[0], iupds[5], iupds[1], iupds[3], iupds[2], iupds[4]]);
    });

    it('filters by status with an exact total', async () => {
      const r = await get('status=VALID&limit=1&ordering=ASC');
      expect(listed(r)).toEqual([iupds[0]]);
      expect(r.json.page_info).toEqual({ page: 0, limit: 1, items_found: 1, total_pages: 2 });
      expect((await get('status=EXPIRED')).json.page_info).toEqual({ page: 0, limit: 10, items_found: 0, total_pages: 0 });
    });

    it('due_date_from alone spans 30 days; payment dates find what was paid', async () => {
      expect(listed(await get('due_date_from=2099-05-11&ordering=ASC'))).toEqual([iupds[1], iupds[3], iupds[5]]);
      expect(listed(await get('due_date_from=2099-05-01&due_date_to=2099-05-15&orderby=IUPD&ordering=ASC'))).toEqual([iupds[0], iupds[5]]);
      // a day either side: the payment was made "now", whichever calendar day that is in Rome
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      expect(listed(await get(`payment_date_from=${day(-1)}&payment_date_to=${day(1)}`))).toEqual([iupds[3]]);
      expect(listed(await get(`payment_date_to=${day(-2)}`))).toEqual([]);
    });

    it('a burst of 200 concurrent lists: each answered 200 or 429 with Retry-After, none 5xx, none hanging', { timeout: 60_000 }, async () => {
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => get(`page=${i % 3}&limit=2`)));
      const statuses = new Set(answers.map((a) => a.status));
      expect([...statuses].every((s) => s === 200 || s === 429), [...statuses].join(',')).toBe(true);
      // (whether any is refused depends on how fast this one process both sends and serves them:
      // test/integration/gateway-backpressure.test.ts shows the refusals beyond the bound)
      for (const a of answers.filter((x) => x.status === 429)) expect(a.headers.get('retry-after')).toBe('1');
      for (const a of answers.filter((x) => x.status === 200)) expect(a.json.page_info.total_pages).toBe(3);
      expect(Date.now() - started).toBeLessThan(30_000);
    });

    it('400 naming the parameter: intervals combined, an unknown parameter, to before from, limits', async () => {
      const combined = await get('due_date_from=2099-05-01&payment_date_from=2099-05-01');
      expect(combined.status).toBe(400);
      expect(combined.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['due_date_from', 'payment_date_from']);
      const unknown = await get('pagina=1');
      expect(unknown.status).toBe(400);
      expect(unknown.json.errors).toEqual([{ field: 'pagina', message: 'is not a parameter of this list' }]);
      expect((await get('due_date_from=2099-06-01&due_date_to=2099-05-01')).json.errors[0].field).toBe('due_date_to');
      for (const query of ['limit=0', 'limit=51', 'page=-1', 'orderby=AMOUNT', 'ordering=UP', 'status=PAGATA']) expect((await get(query)).status, query).toBe(400);
    });
  });
});
