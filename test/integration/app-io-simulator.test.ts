/**
 * The App IO client against the App IO simulator, over real HTTP on 127.0.0.1.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppIoClient } from '../../shared/adapters/app-io-client';
import type { NewMessage } from '../../shared/domain/app-io/io-api';
import { renderMessage } from '../../shared/domain/app-io/templates';
import type { AppIoClient } from '../../shared/use-cases/app-io/ports';
import { startAppIoSimulator, type RunningAppIoSimulator } from '../../infra/local/simulators/app-io';

const KEY = 'key-tari-0001';
const OTHER_KEY = 'key-mensa-0002';
const CITIZEN = 'RCCMNL83S18D969H';
const BLOCKER = 'BNCGVN80A01H501U';
const STRANGER = 'VRDLGU75C12F205K';

let running: RunningAppIoSimulator;
let client: AppIoClient;

function message(overrides: Partial<NewMessage> = {}, content: Partial<NewMessage['content']> = {}): NewMessage {
  const rendered = renderMessage('new-notice', undefined, {
    amountCents: 12_345,
    dueDate: '2025-12-31T12:00:00.000Z',
    noticeNumber: '302000000000000184',
    description: 'TARI 2025 rata unica',
    creditorName: 'Comune di Esempio',
  });
  return {
    fiscal_code: CITIZEN,
    time_to_live: 3600,
    content: {
      ...rendered,
      due_date: '2025-12-31T12:00:00.000Z',
      payment_data: { amount: 12_345, notice_number: '302000000000000184', payee: { fiscal_code: '00743110157' } },
      ...content,
    },
    ...overrides,
  };
}

/** Bypasses the client's types to send what a buggy sender might. */
function raw(body: unknown): NewMessage {
  return body as NewMessage;
}

beforeAll(async () => {
  running = await startAppIoSimulator({ port: 0, seed: 42, retryAfterSeconds: 3 });
  client = createAppIoClient({ baseUrl: running.apiUrl, timeoutMs: 1_000 });
});

afterAll(async () => {
  await running.close();
});

beforeEach(() => {
  running.sim.reset();
  running.sim.registerService({ serviceId: 'SRV-TARI', apiKey: KEY, name: 'TARI', organizationName: 'Comune di Esempio' });
  running.sim.registerService({ serviceId: 'SRV-MENSA', apiKey: OTHER_KEY, name: 'Mensa scolastica' });
  running.sim.registerCitizen({ fiscalCode: CITIZEN, preferredLanguages: ['it_IT', 'de_DE'] });
  running.sim.registerCitizen({ fiscalCode: BLOCKER, blockedServices: ['SRV-TARI'] });
});

describe('getProfile', () => {
  it('finds a citizen on IO who allows the service', async () => {
    expect(await client.getProfile(KEY, CITIZEN)).toEqual({
      kind: 'found',
      senderAllowed: true,
      preferredLanguages: ['it_IT', 'de_DE'],
    });
  });

  it('reports a citizen who is not on IO', async () => {
    expect(await client.getProfile(KEY, STRANGER)).toEqual({ kind: 'not-found' });
  });

  it('reports sender_allowed false per service for a citizen who blocked it', async () => {
    expect(await client.getProfile(KEY, BLOCKER)).toMatchObject({ kind: 'found', senderAllowed: false });
    expect(await client.getProfile(OTHER_KEY, BLOCKER)).toMatchObject({ kind: 'found', senderAllowed: true });
  });

  it('answers GET /profiles/{fc} the same way as POST /profiles', async () => {
    const get = await fetch(`${running.apiUrl}/profiles/${BLOCKER}`, { headers: { 'Ocp-Apim-Subscription-Key': KEY } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ sender_allowed: false, preferred_languages: ['it_IT'] });
    const missing = await fetch(`${running.apiUrl}/profiles/${STRANGER}`, { headers: { 'Ocp-Apim-Subscription-Key': KEY } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 404, title: 'Profile not found' });
  });

  it('refuses a malformed fiscal code with 400, as a permanent failure', async () => {
    const r = await client.getProfile(KEY, 'not-a-fiscal-code');
    expect(r).toMatchObject({ kind: 'permanent', status: 400, problem: { title: 'Invalid FiscalCodePayload' } });
  });

  it('turns a bad subscription key into a permanent 401', async () => {
    const r = await client.getProfile('wrong-key', CITIZEN);
    expect(r).toMatchObject({ kind: 'permanent', status: 401, problem: { status: 401, title: 'Unauthorized' } });
    expect(running.sim.state.requests.at(-1)).toEqual({ method: 'POST', route: 'POST /profiles', status: 401, injected: false });
  });
});

describe('submitMessage', () => {
  it('creates the message and delivers it to the inbox', async () => {
    const r = await client.submitMessage(KEY, message());
    expect(r.kind).toBe('created');
    if (r.kind !== 'created') return;
    expect(r.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const inbox = running.sim.inbox(CITIZEN);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      id: r.id,
      senderServiceId: 'SRV-TARI',
      status: 'PROCESSED',
      timeToLive: 3600,
      featureLevelType: 'STANDARD',
      content: { payment_data: { amount: 12_345, notice_number: '302000000000000184' } },
    });
    expect(await client.getMessageStatus(KEY, CITIZEN, r.id)).toEqual({ kind: 'found', status: 'PROCESSED' });
    // another service cannot read it
    expect(await client.getMessageStatus(OTHER_KEY, CITIZEN, r.id)).toEqual({ kind: 'not-found' });
  });

  it('answers 201 with a Location to the message status', async () => {
    const res = await fetch(`${running.apiUrl}/messages`, {
      method: 'POST',
      headers: { 'Ocp-Apim-Subscription-Key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(message()),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get('location')).toBe(`/api/v1/messages/${CITIZEN}/${id}`);
  });

  it('accepts a message to someone not on IO and then rejects it, as IO does', async () => {
    const r = await client.submitMessage(KEY, message({ fiscal_code: STRANGER }));
    expect(r.kind).toBe('created');
    if (r.kind !== 'created') return;
    expect(await client.getMessageStatus(KEY, STRANGER, r.id)).toEqual({ kind: 'found', status: 'REJECTED' });
    expect(running.sim.inbox(STRANGER)).toEqual([]);
  });

  it('refuses with a permanent 403 when the citizen blocked the service', async () => {
    const r = await client.submitMessage(KEY, message({ fiscal_code: BLOCKER }));
    expect(r).toMatchObject({ kind: 'permanent', status: 403, problem: { status: 403 } });
    expect(running.sim.messages()).toEqual([]);
    expect((await client.submitMessage(OTHER_KEY, message({ fiscal_code: BLOCKER }))).kind).toBe('created');
  });

  it('refuses a bad key with a permanent 401 and stores nothing', async () => {
    expect(await client.submitMessage('wrong-key', message())).toMatchObject({ kind: 'permanent', status: 401 });
    expect(running.sim.messages()).toEqual([]);
  });

  const invalid: Array<[string, NewMessage, string]> = [
    ['a subject shorter than 10', message({}, { subject: 'Avviso' }), 'content.subject'],
    ['a subject longer than 120', message({}, { subject: 'A'.repeat(121) }), 'content.subject'],
    ['markdown shorter than 80', message({}, { markdown: 'Paga entro la scadenza.' }), 'content.markdown'],
    ['markdown longer than 10000', message({}, { markdown: 'x'.repeat(10_001) }), 'content.markdown'],
    ['a notice number with aux digit 4', message({}, { payment_data: { amount: 100, notice_number: '402000000000000184' } }), 'content.payment_data.notice_number'],
    ['a 17-digit notice number', message({}, { payment_data: { amount: 100, notice_number: '30200000000000018' } }), 'content.payment_data.notice_number'],
    ['an amount of 0', message({}, { payment_data: { amount: 0, notice_number: '302000000000000184' } }), 'content.payment_data.amount'],
    ['an amount over 9999999999', message({}, { payment_data: { amount: 10_000_000_000, notice_number: '302000000000000184' } }), 'content.payment_data.amount'],
    ['a due date with an offset', message({}, { due_date: '2025-12-31T12:00:00+01:00' }), 'content.due_date'],
    ['a due date without time', message({}, { due_date: '2025-12-31' }), 'content.due_date'],
    ['a time to live under 3600', message({ time_to_live: 60 }), 'time_to_live'],
    ['a time to live over 604800', message({ time_to_live: 604_801 }), 'time_to_live'],
    ['a payee that is not 11 digits', message({}, { payment_data: { amount: 100, notice_number: '302000000000000184', payee: { fiscal_code: '123' } } }), 'content.payment_data.payee.fiscal_code'],
    ['no fiscal code', raw({ ...message(), fiscal_code: undefined }), 'fiscal_code'],
  ];

  it.each(invalid)('refuses %s with 400 naming the field', async (_, body, field) => {
    const r = await client.submitMessage(KEY, body);
    expect(r.kind).toBe('permanent');
    if (r.kind !== 'permanent') return;
    expect(r.status).toBe(400);
    expect(r.problem.title).toBe('Invalid NewMessage');
    expect(r.problem.detail).toContain(`${field}:`);
    expect(running.sim.messages()).toEqual([]);
  });

  it('names every offending field of one bad message', async () => {
    const r = await client.submitMessage(
      KEY,
      message({ time_to_live: 1 }, { subject: 'breve', payment_data: { amount: -5, notice_number: 'x' } }),
    );
    expect(r.kind === 'permanent' && r.problem.detail?.split('; ').map((p) => p.split(':')[0])).toEqual([
      'time_to_live',
      'content.subject',
      'content.payment_data.amount',
      'content.payment_data.notice_number',
    ]);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const res = await fetch(`${running.apiUrl}/messages`, {
      method: 'POST',
      headers: { 'Ocp-Apim-Subscription-Key': KEY, 'content-type': 'application/json' },
      body: '{"fiscal_code":',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('faults', () => {
  it('turns an injected 429 into a retryable failure with the Retry-After', async () => {
    running.sim.setFaults({ rate429: 1 });
    expect(await client.submitMessage(KEY, message())).toEqual({
      kind: 'retryable',
      status: 429,
      reason: 'throttled',
      retryAfterMs: 3_000,
    });
    expect(await client.getProfile(KEY, CITIZEN)).toMatchObject({ kind: 'retryable', status: 429, retryAfterMs: 3_000 });
    expect(running.sim.messages()).toEqual([]);
  });

  it('turns an injected 500 into a retryable failure', async () => {
    running.sim.setFaults({ rate500: 1 });
    expect(await client.submitMessage(KEY, message())).toEqual({ kind: 'retryable', status: 500, reason: 'server-error' });
  });

  it('turns an unanswered request into a retryable timeout', async () => {
    running.sim.setFaults({ timeoutRate: 1 });
    const fast = createAppIoClient({ baseUrl: running.apiUrl, timeoutMs: 150 });
    const started = Date.now();
    expect(await fast.getProfile(KEY, CITIZEN)).toEqual({ kind: 'retryable', status: 0, reason: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(running.sim.state.requests.at(-1)).toMatchObject({ status: 'no-answer', injected: true });
  });

  it('adds latency, and a client timeout shorter than it fires', async () => {
    running.sim.setFaults({ latencyMs: 300 });
    const fast = createAppIoClient({ baseUrl: running.apiUrl, timeoutMs: 100 });
    expect(await fast.getProfile(KEY, CITIZEN)).toMatchObject({ kind: 'retryable', reason: 'timeout' });
    const started = Date.now();
    expect(await client.getProfile(KEY, CITIZEN)).toMatchObject({ kind: 'found' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('reports a closed port as a retryable network failure', async () => {
    const other = await import('../../infra/local/simulators/app-io').then((m) => m.startAppIoSimulator());
    const deadUrl = other.apiUrl;
    await other.close();
    const dead = createAppIoClient({ baseUrl: deadUrl, timeoutMs: 1_000 });
    expect(await dead.getProfile(KEY, CITIZEN)).toEqual({ kind: 'retryable', status: 0, reason: 'network' });
  });

  it('injects faults reproducibly for a given seed, at about the configured rates', async () => {
    const outcomes = async (): Promise<string> => {
      running.sim.reset();
      running.sim.registerService({ serviceId: 'SRV-TARI', apiKey: KEY, name: 'TARI' });
      running.sim.registerCitizen({ fiscalCode: CITIZEN });
      running.sim.setFaults({ rate429: 0.3, rate500: 0.2 });
      let out = '';
      for (let i = 0; i < 60; i++) {
        const r = await client.getProfile(KEY, CITIZEN);
        out += r.kind === 'found' ? '.' : r.kind === 'retryable' ? String(r.status)[0] : '?';
      }
      return out;
    };
    const first = await outcomes();
    expect(await outcomes()).toBe(first);
    const count = (c: string): number => first.split(c).length - 1;
    expect(count('4')).toBeGreaterThan(6);
    expect(count('5')).toBeGreaterThan(3);
    expect(count('.')).toBeGreaterThan(15);
    expect(count('?')).toBe(0);
  });
});

describe('the rest of the simulator', () => {
  it('accepts POST /messages/{fiscal_code} with the fiscal code in the path', async () => {
    const { fiscal_code: _omit, ...body } = message();
    const res = await fetch(`${running.apiUrl}/messages/${CITIZEN}`, {
      method: 'POST',
      headers: { 'Ocp-Apim-Subscription-Key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    expect(running.sim.inbox(CITIZEN)).toHaveLength(1);
  });

  it('answers unknown API paths with 404 and records routes without fiscal codes', async () => {
    const res = await fetch(`${running.apiUrl}/services/${CITIZEN}`, { headers: { 'Ocp-Apim-Subscription-Key': KEY } });
    expect(res.status).toBe(404);
    await client.getMessageStatus(KEY, CITIZEN, 'NOPE');
    expect(JSON.stringify(running.sim.state.requests)).not.toContain(CITIZEN);
    expect(running.sim.state.requests.map((r) => r.route)).toEqual([
      'GET /services/{fiscal_code}',
      'GET /messages/{fiscal_code}/{id}',
    ]);
  });

  it('can be seeded and driven over HTTP through /_admin', async () => {
    const post = (what: string, body: unknown): Promise<Response> =>
      fetch(`${running.url}/_admin/${what}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post('reset', {})).status).toBe(204);
    expect((await post('services', { serviceId: 'S1', apiKey: 'k1', name: 'Servizio' })).status).toBe(204);
    expect((await post('citizens', { fiscalCode: STRANGER, blockedServices: [] })).status).toBe(204);
    expect((await post('citizens', { fiscalCode: 'nope' })).status).toBe(400);
    expect(await client.getProfile('k1', STRANGER)).toMatchObject({ kind: 'found', senderAllowed: true });
    expect((await post('faults', { rate500: 1 })).status).toBe(204);
    expect(await client.getProfile('k1', STRANGER)).toMatchObject({ kind: 'retryable', status: 500 });
    expect((await post('faults', { rate500: 2 })).status).toBe(400);
    expect((await post('faults', { rate500: 0 })).status).toBe(204);
    expect((await client.submitMessage('k1', message({ fiscal_code: STRANGER }))).kind).toBe('created');
    const listed = (await (await fetch(`${running.url}/_admin/messages`)).json()) as Array<{ fiscalCode: string }>;
    expect(listed.map((m) => m.fiscalCode)).toEqual([STRANGER]);
  });

  it('links the inbox page under the prefix the gateway forwards', async () => {
    await client.submitMessage(KEY, message());
    const page = await (await fetch(`${running.url}/`, { headers: { 'x-forwarded-prefix': '/_sim/io' } })).text();
    expect(page).toContain(`href="/_sim/io/inbox/${CITIZEN}"`);
    const hostile = await (await fetch(`${running.url}/`, { headers: { 'x-forwarded-prefix': '"><script>' } })).text();
    expect(hostile).toContain(`href="/inbox/${CITIZEN}"`);
    const unknown = await fetch(`${running.url}/inbox/${STRANGER}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('what the client never exposes', () => {
  it('masks fiscal codes echoed in a problem detail', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_, res) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'application/problem+json');
      res.end(JSON.stringify({ title: 'Invalid NewMessage', status: 400, detail: `value [${CITIZEN}] at [root.0.fiscal_code]` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const c = createAppIoClient({ baseUrl: `http://127.0.0.1:${port}/api/v1`, timeoutMs: 1_000 });
      const r = await c.submitMessage(KEY, message());
      expect(r).toMatchObject({ kind: 'permanent', status: 400 });
      expect(JSON.stringify(r)).not.toContain(CITIZEN);
    } finally {
      server.close();
    }
  });
});
