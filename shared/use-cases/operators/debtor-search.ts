/**
 * The console's search by debtor: a tenant's positions of one debtor (codice fiscale, partita IVA
 * or ANONIMO), newest first, a page at a time, through the same debtor index as the debtor's
 * dossier (shared/use-cases/dossier). Each position carries the status time has made.
 */
import { withCurrentStatus, type DebtPosition } from '../../domain/debt-position';
import { decodeDossierCursor, encodeDossierCursor } from '../dossier/cursor';
import type { DebtorPositions } from '../dossier/ports';
import { UseCaseError } from '../errors';

export interface DebtorSearchDeps {
  readonly debtorPositions: DebtorPositions;
  readonly clock: () => Date;
}

export async function positionsOfDebtor(
  deps: DebtorSearchDeps,
  organizationFiscalCode: string,
  query: { readonly fiscalCode: string; readonly limit: number; readonly cursor?: string },
): Promise<{ items: DebtPosition[]; cursor?: string }> {
  const after = query.cursor === undefined ? undefined : decodeDossierCursor(query.cursor);
  if (query.cursor !== undefined && after === undefined) {
    throw new UseCaseError('invalid', 'the cursor is not one this search handed out', [{ field: 'cursor', message: 'is not a cursor of this search' }]);
  }
  const page = await deps.debtorPositions.ofDebtor(organizationFiscalCode, query.fiscalCode.toUpperCase(), { limit: query.limit, ...(after ? { after } : {}) });
  const now = deps.clock();
  const items = page.positions.map((p) => withCurrentStatus(p, now));
  const last = items[items.length - 1];
  return { items, ...(page.more && last ? { cursor: encodeDossierCursor({ insertedDate: last.insertedDate, iupd: last.iupd }) } : {}) };
}
