import { dossierRoot, type DebtorDossier } from '../../shared/composition/app-io';
import { dossierJson } from '../../shared/http/dossier-mapping';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { debtorDossier } from '../../shared/use-cases/dossier/debtor-dossier';

/** GET /organizations/{organizationFiscalCode}/debtors/{fiscalCode}/dossier (the tenant's own keys only). */
export const makeHandler = (deps: DebtorDossier) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const dossier = await debtorDossier(deps, request.caller.organization, request.pathParameters['fiscalCode'] ?? '');
    return json(200, dossierJson(dossier));
  });

export const handler = makeHandler(dossierRoot());
