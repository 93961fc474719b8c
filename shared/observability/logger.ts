/**
 * Structured JSON logs (Powertools for AWS Lambda) in which personal data never appears in clear:
 * every attribute and the message itself pass through `maskPersonalData` before printing.
 */
import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { maskFreeText, maskPersonalData } from '../domain/masking';

export class MaskingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const base = {
      level: attributes.logLevel,
      message: maskFreeText(attributes.message ?? ''),
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
    };
    return new LogItem({ attributes: base }).addAttributes(maskPersonalData(additional) as LogAttributes);
  }
}

let processLogger: Logger | undefined;

/**
 * The process's logger (one per Lambda container: the middlewares give it the Lambda context);
 * with a service name, a logger of its own (simulators, scripts).
 */
export function createLogger(serviceName?: string): Logger {
  if (serviceName !== undefined) return new Logger({ serviceName, logFormatter: new MaskingLogFormatter() });
  processLogger ??= new Logger({
    serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'pagopa-layer',
    logFormatter: new MaskingLogFormatter(),
  });
  return processLogger;
}
