import { treasuryImportRoot, type TreasuryImport } from '../../shared/composition/reconciliation';
import { json } from '../../shared/http/rest-edge';
import { treasuryStatementRoute } from '../../shared/http/treasury-statement';
import { importStatement } from '../../shared/use-cases/reconciliation/treasury';

/**
 * POST /organizations/{organizationFiscalCode}/treasury/statements: {format: CSV|CAMT053|OPI, content}
 * as JSON, or the statement file itself (text/csv; application/xml: camt.053 or OPI giornale di cassa).
 */
export const makeHandler = (deps: TreasuryImport) =>
  treasuryStatementRoute(deps.logger, deps.authenticate, async (organizationFiscalCode, statement) =>
    json(201, await importStatement(deps, organizationFiscalCode, statement.format, statement.entries)),
  );

export const handler = makeHandler(treasuryImportRoot());
