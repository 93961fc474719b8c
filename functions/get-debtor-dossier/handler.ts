import { dossierRoot, type DebtorDossier } from '../../shared/composition/app-io';
import { dossierJson, dossierQuery } from '../../shared/http/dossier-mapping';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { debtorDossier } from '../../shared/use-cases/dossier/debtor-dossier';

/** GET /organizations/{organizationFiscalCode}/debtors/{fiscalCode}/dossier?limit=&cursor= (the tenant's own keys only; newest positions first). */
export const makeHandler = (deps: DebtorDossier) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const query = dossierQuery(request.pathParameters['fiscalCode'] ?? '', request.query);
    const dossier = await debtorDossier(deps, request.caller.organization, query);
    return json(200, dossierJson(dossier));
  });

export const handler = makeHandler(dossierRoot());
