/**
 * A public JSON route that needs the raw bytes of the body (to verify an HMAC over them), which
 * `publicRoute` in handler.ts does not keep. Same answers as the other routes: JSON results,
 * failures as ProblemJson (a 5xx carries only the request id).
 * TODO(lead): handler.ts could expose `rawBody` on HttpRequest and this file would go away.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { HttpResult } from './handler';
import { HttpProblem } from './problem';

export interface RawHttpRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawBody: Buffer;
  readonly requestId: string;
}

const BASE_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

export function rawRoute(logger: Logger, maxBytes: number, route: (request: RawHttpRequest) => Promise<HttpResult>) {
  const base = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    logger.addContext(context);
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    try {
      const raw = event.body ?? '';
      const rawBody = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      if (rawBody.length > maxBytes) throw new HttpProblem(413, 'Payload Too Large', `the body exceeds ${maxBytes} bytes`);
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const result = await route({ headers, rawBody, requestId });
      const out: Record<string, string> = { ...BASE_HEADERS, 'x-request-id': requestId, ...result.headers };
      if (result.body === undefined) return { statusCode: result.status, headers: out };
      out['content-type'] ??= 'application/json';
      return { statusCode: result.status, headers: out, body: JSON.stringify(result.body) };
    } catch (error) {
      const problem =
        error instanceof HttpProblem
          ? error
          : new HttpProblem(500, 'Internal Server Error', 'an unexpected error occurred; quote the instance id to support');
      if (problem.status >= 500) logger.error('request failed', { error: error as Error, route: event.routeKey });
      else logger.info('request refused', { status: problem.status, route: event.routeKey, detail: problem.detail });
      return {
        statusCode: problem.status,
        headers: { ...BASE_HEADERS, 'x-request-id': requestId, 'content-type': 'application/problem+json', ...problem.headers },
        body: JSON.stringify(problem.status >= 500 ? { ...problem.toJSON(), instance: requestId } : problem.toJSON()),
      };
    } finally {
      logger.resetKeys();
    }
  };
  return middy(base);
}
