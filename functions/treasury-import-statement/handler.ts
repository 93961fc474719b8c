import { treasuryImportRoot, type TreasuryImport } from '../../shared/composition/reconciliation';
import { treasuryStatementSchema } from '../../shared/http/reconciliation-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { parseStatement } from '../../shared/http/treasury-statement';
import { importStatement } from '../../shared/use-cases/reconciliation/treasury';

/** POST /organizations/{organizationFiscalCode}/treasury/statements {format: CSV|CAMT053, content} */
export const makeHandler = (deps: TreasuryImport) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const body = parseWith(treasuryStatementSchema, request.body, 'body');
    const entries = parseStatement(body.format, body.content);
    const result = await importStatement(deps, request.caller.organization.fiscalCode, body.format, entries);
    return json(201, result);
  });

export const handler = makeHandler(treasuryImportRoot());
