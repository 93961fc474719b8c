/** The public health and OpenAPI routes through their seams (makeHandler). */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler as healthHandler } from '../../functions/health/handler';
import { makeHandler as openapiHandler } from '../../functions/openapi/handler';
import { httpEvent, lambdaContext, quietLogger } from './webhooks/fakes';

const call = async (handler: ReturnType<typeof healthHandler>, path: string) =>
  (await handler(httpEvent({ method: 'GET', path }), lambdaContext())) as APIGatewayProxyStructuredResultV2;

describe('public routes', () => {
  it('GET /health answers UP', async () => {
    const response = await call(healthHandler({ logger: quietLogger() }), '/health');
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!)).toEqual({ status: 'UP' });
  });

  it('GET /openapi.json serves the committed document', async () => {
    const response = await call(openapiHandler({ logger: quietLogger() }), '/openapi.json');
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/json');
    const committed = JSON.parse(readFileSync(new URL('../../shared/http/openapi.json', import.meta.url), 'utf8'));
    expect(JSON.parse(response.body!)).toEqual(committed);
  });
});
