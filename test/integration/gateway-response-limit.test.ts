/**
 * The local gateway refuses a function result larger than Lambda's 6 MB response payload
 * (MAX_RESPONSE_PAYLOAD_BYTES, the result serialized as JSON, a binary body base64-encoded): 500,
 * as API Gateway answers when the invocation fails with "Response payload size exceeded". So a route
 * that answers too much (a large upload's result CSV inline) fails here as it would on AWS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionDef } from '../../infra/catalog';
import { createGatewayListener, MAX_INVOCATION_PAYLOAD_BYTES, MAX_RESPONSE_PAYLOAD_BYTES, ResponsePayloadTooLargeError, routesFrom, translateResult } from '../../infra/local/http-gateway';

const fn: FunctionDef = {
  id: 'big',
  description: 'big',
  entry: 'functions/big/handler.ts',
  memoryMb: 128,
  timeoutSeconds: 10,
  triggers: [{ kind: 'http', method: 'GET', path: '/big', authenticated: true }],
  grants: [],
};

/** A binary result of `bytes` bytes, as the REST edge encodes it (base64). */
const binary = (bytes: number) => ({ statusCode: 200, headers: { 'content-type': 'text/csv' }, body: Buffer.alloc(bytes, 0x41).toString('base64'), isBase64Encoded: true });

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe('Lambda\u2019s response payload limit, locally', () => {
  it('is 6 MB, the same quota as the request\u2019s', () => {
    expect(MAX_RESPONSE_PAYLOAD_BYTES).toBe(6 * 1024 * 1024);
    expect(MAX_RESPONSE_PAYLOAD_BYTES).toBe(MAX_INVOCATION_PAYLOAD_BYTES);
  });

  it('translateResult takes a 4 MiB binary body (5.33 MiB base64) and refuses 4.6 MiB (over 6 MB base64)', () => {
    expect(translateResult(binary(4 * 1024 * 1024)).body.length).toBe(4 * 1024 * 1024);
    expect(() => translateResult(binary(Math.ceil(4.6 * 1024 * 1024)))).toThrow(ResponsePayloadTooLargeError);
    // a text body and a bare (non-structured) result count too
    expect(() => translateResult({ statusCode: 200, body: 'x'.repeat(MAX_RESPONSE_PAYLOAD_BYTES) })).toThrow(/Response payload size exceeded/);
    expect(() => translateResult('x'.repeat(MAX_RESPONSE_PAYLOAD_BYTES))).toThrow(ResponsePayloadTooLargeError);
    expect(translateResult(undefined).statusCode).toBe(200);
  });

  it('the gateway answers 500 to a result over the limit, and logs why; under it, the body', async () => {
    const logs: string[] = [];
    let size = 0;
    const listener = createGatewayListener({ routes: routesFrom([fn]), mounts: [], invoke: async () => binary(size), log: (line) => logs.push(line) });
    server = createServer(listener);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/big`;

    size = 1024;
    const small = await fetch(url);
    expect(small.status).toBe(200);
    expect((await small.arrayBuffer()).byteLength).toBe(1024);

    size = 5 * 1024 * 1024;
    const big = await fetch(url);
    expect(big.status).toBe(500);
    expect((await big.text()).length).toBeLessThan(1024);
    expect(logs.some((l) => l.includes('Response payload size exceeded'))).toBe(true);
  });
});
