/**
 * The local gateway's backpressure (infra/local/http-gateway.ts): each function serves a bounded
 * number of requests at once, a bounded number wait, and a burst beyond that is answered 429
 * with Retry-After at once — never a 500, never a request left hanging.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionDef } from '../../infra/catalog';
import { ConcurrencyGate, createGatewayListener, routesFrom } from '../../infra/local/http-gateway';

const fn = (id: string, path: string): FunctionDef => ({
  id,
  description: id,
  entry: `functions/${id}/handler.ts`,
  memoryMb: 128,
  timeoutSeconds: 10,
  triggers: [{ kind: 'http', method: 'GET', path, authenticated: true }],
  grants: [],
});

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

async function gateway(invoke: (id: string) => Promise<unknown>, limits = { perFunction: 2, queue: 3, maxWaitMs: 300, retryAfterSeconds: 2 }): Promise<string> {
  const listener = createGatewayListener({ routes: routesFrom([fn('slow', '/slow'), fn('fast', '/fast')]), mounts: [], invoke, log: () => {}, concurrency: limits });
  server = createServer(listener);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('local gateway backpressure', () => {
  it('a burst beyond perFunction + queue: 200 for what fits, 429 with Retry-After for the rest, quickly; other functions unaffected', async () => {
    let running = 0;
    let peak = 0;
    const url = await gateway(async (id) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, id === 'slow' ? 150 : 1));
      running--;
      return { statusCode: 200, body: '{}' };
      // waiters may wait 1 s: the third waiter's slot frees at ~300 ms, well inside it even on a busy machine
    }, { perFunction: 2, queue: 3, maxWaitMs: 1000, retryAfterSeconds: 2 });
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 40 }, () => fetch(`${url}/slow`).then(async (r) => ({ status: r.status, retry: r.headers.get('retry-after'), body: await r.text() }))));
    const elapsed = Date.now() - started;
    const statuses = burst.map((r) => r.status);
    expect(new Set(statuses)).toEqual(new Set([200, 429]));
    // 2 at once and 3 waiting, each waiter served within its 1 s: at least 2 + 3, plus the slots that freed meanwhile
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
    for (const r of burst.filter((b) => b.status === 429)) {
      expect(r.retry).toBe('2');
      expect(JSON.parse(r.body)).toMatchObject({ status: 429, title: 'Too Many Requests' });
    }
    expect(peak).toBeLessThanOrEqual(2);
    expect(elapsed).toBeLessThan(3000);
    expect((await fetch(`${url}/fast`)).status).toBe(200);
  });

  it('a waiter gets the slot another request frees; a handler that fails is a 500 and frees its slot', async () => {
    const gate = new ConcurrencyGate({ perFunction: 1, queue: 1, maxWaitMs: 1000, retryAfterSeconds: 1 });
    const first = await gate.acquire('f');
    const waiting = gate.acquire('f');
    expect(await gate.acquire('f')).toBeUndefined();
    first!();
    const second = await waiting;
    expect(second).toBeTypeOf('function');
    expect(gate.inFlight('f')).toBe(1);
    second!();
    second!();
    expect(gate.inFlight('f')).toBe(0);

    const url = await gateway(async () => {
      throw new Error('boom');
    }, { perFunction: 1, queue: 0, maxWaitMs: 10, retryAfterSeconds: 1 });
    expect((await fetch(`${url}/slow`)).status).toBe(500);
    expect((await fetch(`${url}/slow`)).status).toBe(500);
  });
});
