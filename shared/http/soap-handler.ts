/**
 * The one way the node-facing SOAP function is built (the JSON `tenantRoute` does not fit XML):
 * raw body and SOAPAction in, `text/xml` out. Every business or validation problem is answered
 * as pagoPA stations do: HTTP 200, the operation's response with outcome KO and a PAA fault.
 * Only a request whose operation cannot be told gets a SOAP Fault, with HTTP 400 (a wrong
 * request is never a 5xx); an internal failure is PAA_SYSTEM_ERROR (the node retries).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  buildCodecFaultResponse,
  buildFaultResponse,
  buildGetPaymentResponse,
  buildSendRTResponse,
  buildSoapFault,
  buildVerifyResponse,
  DEFAULT_MAX_BODY_BYTES,
  parseNodeRequest,
  type Operation,
  type ParsedRequest,
} from '../adapters/pagopa-soap';
import type { StationAnswer } from '../use-cases/station';

const XML_HEADERS = { 'content-type': 'text/xml; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

export function soapRoute(logger: Logger, answer: (request: ParsedRequest) => Promise<StationAnswer>) {
  const base = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    logger.addContext(context);
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const reply = (statusCode: number, body: string): APIGatewayProxyStructuredResultV2 => ({
      statusCode,
      headers: { ...XML_HEADERS, 'x-request-id': requestId },
      body,
    });
    try {
      const raw = event.body ?? '';
      const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      const soapAction = headerOf(event, 'soapaction');
      const parsed = parseNodeRequest(bytes, soapAction, { maxBytes: DEFAULT_MAX_BODY_BYTES });
      if (parsed.kind === 'fault') {
        logger.info('node request refused', { failure: parsed.failure, operation: parsed.operation, detail: parsed.description });
        if (parsed.operation === undefined) return reply(400, buildSoapFault(parsed.description));
        return reply(200, buildCodecFaultResponse({ ...parsed, operation: parsed.operation }, parsed.idStation ?? 'station'));
      }
      logger.appendKeys({ operation: parsed.operation, idPA: parsed.idPA });
      let result: StationAnswer;
      try {
        result = await answer(parsed);
      } catch (error) {
        logger.error('node request failed', { error: error as Error });
        return reply(200, systemError(parsed.operation, parsed.idPA, requestId));
      }
      try {
        const xml = toXml(parsed.operation, result);
        logger.info('node request answered', {
          outcome: result.kind === 'fault' ? 'KO' : 'OK',
          ...(result.kind === 'fault' ? { faultCode: result.faultCode } : {}),
        });
        return reply(200, xml);
      } catch (error) {
        // our own data does not fit the XSD (e.g. a description the codec cannot carry): a bug here
        logger.error('cannot build the station response', { error: error as Error });
        return reply(200, systemError(parsed.operation, parsed.idPA, requestId));
      }
    } finally {
      logger.resetKeys();
    }
  };
  return middy(base);
}

function toXml(operation: Operation, result: StationAnswer): string {
  switch (result.kind) {
    case 'verify':
      return buildVerifyResponse(result.data);
    case 'payment':
      return buildGetPaymentResponse(result.operation, result.data);
    case 'receipt-taken':
      return buildSendRTResponse(result.operation);
    case 'fault':
      return buildFaultResponse(operation, { faultCode: result.faultCode, description: result.description, id: result.id });
  }
}

function systemError(operation: Operation, idPA: string, requestId: string): string {
  return buildFaultResponse(operation, {
    faultCode: 'PAA_SYSTEM_ERROR',
    description: `internal error; request id ${requestId}`,
    id: idPA,
  });
}

function headerOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}
