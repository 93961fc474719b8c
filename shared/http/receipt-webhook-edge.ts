/**
 * The edge of the receipt webhook (POST /receipts): a receipt in pagoPA's JSON model, signed with
 * one of the creditor's webhook secrets (receipt-signature.ts). Built on the REST edge's public
 * route with the raw body: the size and the signature are checked before a byte of the body is
 * trusted (401 for a missing, malformed, stale or wrong signature; 403 for a creditor that is not
 * active), then the body is read into a receipt (400 naming every offending field) and handed to
 * the route. What the body may hold is the receipts queue's contract (events/receipt.ts): the XSD's
 * limits, what storage can hold (receiptId and size in bytes) and the text rules on every string.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Receipt } from '../domain/receipt';
import { unsafeTextFields } from '../domain/text';
import type { CreditorDirectory } from '../use-cases/receipts/ports';
import { badRequest, forbidden, invalidFields, payloadTooLarge, unauthorized } from './problem';
import { jsonReceiptSchema } from './receipt-schemas';
import { RECEIPT_SIGNATURE_HEADER, authenticateReceiptWebhook } from './receipt-signature';
import { publicRoute, type HttpResult } from './rest-edge';
import { fieldProblems } from './zod-errors';

export const MAX_RECEIPT_BYTES = 256 * 1024;

export interface ReceiptWebhookEdgeDeps {
  readonly logger: Logger;
  /** the active webhook secrets of a creditor (the organization store's) */
  readonly webhookSecretsOf: (fiscalCode: string) => Promise<ReadonlyArray<{ secretId: string; secret: string }>>;
  readonly organizations: CreditorDirectory;
  readonly clock: () => Date;
}

export function receiptWebhookRoute(deps: ReceiptWebhookEdgeDeps, route: (receipt: Receipt) => Promise<HttpResult>) {
  return publicRoute(
    deps.logger,
    async (request) => {
      if (request.rawBody.length > MAX_RECEIPT_BYTES) throw payloadTooLarge(`a receipt is at most ${MAX_RECEIPT_BYTES} bytes`);
      const auth = await authenticateReceiptWebhook(
        { secretsOf: deps.webhookSecretsOf, nowSeconds: () => Math.floor(deps.clock().getTime() / 1000) },
        request.headers[RECEIPT_SIGNATURE_HEADER],
        request.rawBody,
      );
      if (!auth.ok) throw unauthorized(auth.reason);
      const organization = await deps.organizations.get(auth.fiscalCode);
      if (organization?.status !== 'ACTIVE') throw forbidden('the organization is not active');
      deps.logger.appendKeys({ organization: auth.fiscalCode, secretId: auth.secretId });
      return route(readReceipt(request.rawBody));
    },
    { rawBody: true },
  );
}

function readReceipt(rawBody: Buffer): Receipt {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
  } catch {
    throw badRequest('the body is not valid UTF-8 JSON');
  }
  const parsed = jsonReceiptSchema.safeParse(body);
  if (!parsed.success) {
    // every offending field: a string the text rules refuse is named even when another field
    // stopped the schema before it looked at that one
    const problems = fieldProblems(parsed.error);
    for (const unsafe of unsafeTextFields(body)) {
      const field = unsafe.field.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
      if (!problems.some((p) => p.field === field)) problems.push({ field, message: unsafe.message });
    }
    throw invalidFields(problems);
  }
  return parsed.data;
}
