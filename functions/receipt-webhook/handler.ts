import { createIntakeRuntime, type IntakeRuntime } from '../../shared/receipts-composition';
import { json, type HttpResult } from '../../shared/http/handler';
import { conflict, forbidden, invalidFields, unauthorized } from '../../shared/http/problem';
import { rawRoute } from '../../shared/http/raw-route';
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
  rawRoute(rt.logger, MAX_BODY_BYTES, async (request): Promise<HttpResult> => {
    const auth = await authenticateReceiptWebhook(
      { secretsOf: (fc) => rt.organizations.activeWebhookSecrets(fc), nowSeconds: () => Math.floor(rt.clock().getTime() / 1000) },
      request.headers[RECEIPT_SIGNATURE_HEADER],
      request.rawBody,
    );
    if (!auth.ok) throw unauthorized(auth.reason);
    const organization = await rt.cachedOrganizations.get(auth.fiscalCode);
    if (organization?.status !== 'ACTIVE') throw forbidden('the organization is not active');
    rt.logger.appendKeys({ organization: auth.fiscalCode, secretId: auth.secretId });

    const parsed = jsonReceiptSchema.safeParse(JSON.parse(request.rawBody.toString('utf8')));
    if (!parsed.success) throw invalidFields(fieldProblems(parsed.error));
    const receipt = parsed.data;
    const outcome = await intakeReceipt(rt, receipt);
    if (outcome === 'duplicate-receipt') throw conflict(`notice ${receipt.noticeNumber} was paid by another receipt`);
    return json(outcome === 'queued' ? 202 : 200, { outcome, receiptId: receipt.receiptId });
  });

export const handler = makeHandler(createIntakeRuntime());
