/**
 * The REST edge on its own, with a hand-made API Gateway (HTTP API, payload 2.0) event: what any
 * route gets before its own code runs.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { json, publicRoute } from '../../../shared/http/rest-edge';
import { createLogger } from '../../../shared/observability/logger';

function event(body: string, contentType = 'application/json'): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /echo',
    rawPath: '/echo',
    rawQueryString: '',
    headers: { 'content-type': contentType },
    body,
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/echo' } },
  } as unknown as APIGatewayProxyEventV2;
}

const context = { awsRequestId: 'aws-1', functionName: 'echo', getRemainingTimeInMillis: () => 1000 } as unknown as Context;
const echo = publicRoute(createLogger(), async (request) => json(200, request.body));
const call = async (e: APIGatewayProxyEventV2) => (await echo(e, context)) as APIGatewayProxyStructuredResultV2;

describe('REST edge', () => {
  it('hands the route the parsed body', async () => {
    const answer = await call(event('{"description":"Novità è già qui"}'));
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body!)).toEqual({ description: 'Novità è già qui' });
  });

  it('refuses text with NUL, unpaired surrogates or bidi overrides, naming every field, before the route runs', async () => {
    const answer = await call(event('{"fullName":"Mario\\u0000","paymentOption":[{"description":"Euro \\u202E00,021"}],"x":"\\udc00"}'));
    expect(answer.statusCode).toBe(400);
    expect(answer.headers?.['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(answer.body!) as { errors: Array<{ field: string }> };
    expect(problem.errors.map((e) => e.field)).toEqual(['fullName', 'paymentOption.0.description', 'x']);
  });

  it('refuses a body that is not JSON, not UTF-8 or not declared as JSON', async () => {
    expect((await call(event('{'))).statusCode).toBe(400);
    expect((await call(event('{}', 'text/plain'))).statusCode).toBe(415);
    const latin1 = { ...event(''), body: Buffer.from([0x7b, 0x22, 0xe8, 0x22, 0x7d]).toString('base64'), isBase64Encoded: true };
    expect((await call(latin1)).statusCode).toBe(400);
  });
});
