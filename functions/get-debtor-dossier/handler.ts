import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoMessageRecordStore, positionsOfDebtor } from '../../shared/adapters/dynamo/message-store';
import { DynamoReceiptStore } from '../../shared/adapters/dynamo/receipt-store';
import { readConfig, tableConfigSchema } from '../../shared/config/env';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { debtorDossier, type DossierDeps } from '../../shared/use-cases/dossier';

/** GET /organizations/{organizationFiscalCode}/debtors/{fiscalCode}/dossier (the tenant's own keys only). */
export const makeHandler = (rt: ApiRuntime & DossierDeps) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const dossier = await debtorDossier(rt, request.caller.organization, request.pathParameters['fiscalCode'] ?? '');
    return json(200, dossier);
  });

const runtime = createApiRuntime();
const db = createDocumentClient();
const table = readConfig(tableConfigSchema).TABLE_NAME_MAIN;
export const handler = makeHandler({
  ...runtime,
  positionsOf: (ofc, fc, limit) => positionsOfDebtor(db, table, ofc, fc, limit),
  receipts: new DynamoReceiptStore(db, table),
  messages: new DynamoMessageRecordStore(db, table),
});
