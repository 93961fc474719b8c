import { createIntakeRuntime, type IntakeRuntime } from '../../shared/receipts-composition';
import { json, publicRoute, type HttpResult } from '../../shared/http/rest-edge';
import { badRequest, conflict, forbidden, invalidFields, payloadTooLarge, unauthorized } from '../../shared/http/problem';
import { jsonReceiptSchema } from '../../shared/http/receipt-schemas';
import { RECEIPT_SIGNATURE_HEADER, authenticateReceiptWebhook } from '../../shared/http/receipt-signature';
import { fieldProblems } from '../../shared/http/zod-errors';
import { intakeReceipt } from '../../shared/use-cases/receipts';

const MAX_BODY_BYTES = 256 * 1024;

/**
 * POST /receipts: a receipt in pagoPA's JSON model, signed with one of the creditor's webhook
 * secrets (X-Receipt-Signature). 202 queued, 200 already applied, 409 another receipt paid it.
 */
export const makeHandler = (rt: IntakeRuntime) =>
  publicRoute(
    rt.logger,
    async (request): Promise<HttpResult> => {
    if (request.rawBody.length > MAX_BODY_BYTES) throw payloadTooLarge(`a receipt is at most ${MAX_BODY_BYTES} bytes`);
    const auth = await authenticateReceiptWebhook(
      { secretsOf: (fc) => rt.organizations.activeWebhookSecrets(fc), nowSeconds: () => Math.floor(rt.clock().getTime() / 1000) },
      request.headers[RECEIPT_SIGNATURE_HEADER],
      request.rawBody,
    );
    if (!auth.ok) throw unauthorized(auth.reason);
    const organization = await rt.cachedOrganizations.get(auth.fiscalCode);
    if (organization?.status !== 'ACTIVE') throw forbidden('the organization is not active');
    rt.logger.appendKeys({ organization: auth.fiscalCode, secretId: auth.secretId });

    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.rawBody));
    } catch {
      throw badRequest('the body is not valid UTF-8 JSON');
    }
    const parsed = jsonReceiptSchema.safeParse(body);
    if (!parsed.success) throw invalidFields(fieldProblems(parsed.error));
    const receipt = parsed.data;
    const outcome = await intakeReceipt(rt, receipt);
    if (outcome === 'duplicate-receipt') throw conflict(`notice ${receipt.noticeNumber} was paid by another receipt`);
    return json(outcome === 'queued' ? 202 : 200, { outcome, receiptId: receipt.receiptId });
    },
    { rawBody: true },
  );

export const handler = makeHandler(createIntakeRuntime());
