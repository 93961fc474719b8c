import { reportingFlowSyncRoot, type ReportingFlowSyncRoute } from '../../shared/composition/reconciliation';
import { json, tenantRoute } from '../../shared/http/rest-edge';

/** POST /organizations/{organizationFiscalCode}/reportingflows/sync — acquire the tenant's flows now (202). */
export const makeHandler = (deps: ReportingFlowSyncRoute) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const ofc = request.caller.organization.fiscalCode;
    await deps.enqueue([ofc], `api:${request.caller.actor.keyId}`);
    return json(202, { status: 'ACCEPTED', organizationFiscalCode: ofc });
  });

export const handler = makeHandler(reportingFlowSyncRoot());
