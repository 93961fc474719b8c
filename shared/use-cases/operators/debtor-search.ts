/**
 * The console's search by debtor: a tenant's positions of one debtor (codice fiscale, partita IVA
 * or ANONIMO), newest first, a page at a time, through the same debtor index as the debtor's
 * dossier (shared/use-cases/dossier); or of the debtors whose name starts so, in any word order
 * (shared/domain/debtor-name.ts), in the order of the names. Each position carries the status
 * time has made.
 */
import { IUPD_PATTERN, withCurrentStatus, type DebtPosition } from '../../domain/debt-position';
import { NAME_ROTATIONS, NAME_SEARCH_MIN, normalizeName } from '../../domain/debtor-name';
import { decodeDossierCursor, encodeDossierCursor } from '../dossier/cursor';
import type { DebtorPositions } from '../dossier/ports';
import { UseCaseError } from '../errors';
import type { DebtorNameMark, DebtorNames } from './ports';

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

export interface DebtorNameSearchDeps {
  readonly debtorNames: DebtorNames;
  readonly clock: () => Date;
}

export async function positionsOfDebtorName(
  deps: DebtorNameSearchDeps,
  organizationFiscalCode: string,
  query: { readonly name: string; readonly limit: number; readonly cursor?: string },
): Promise<{ items: DebtPosition[]; cursor?: string }> {
  const search = normalizeName(query.name);
  if (search.replace(/ /g, '').length < NAME_SEARCH_MIN) {
    throw new UseCaseError('invalid', `a name search needs at least ${NAME_SEARCH_MIN} letters or digits`, [{ field: 'debtor_name', message: `must have at least ${NAME_SEARCH_MIN} letters or digits` }]);
  }
  const after = query.cursor === undefined ? undefined : decodeNameCursor(query.cursor);
  // a cursor of another search would start the index read outside this search's names
  if (query.cursor !== undefined && (after === undefined || !after.rotation.startsWith(search))) {
    throw new UseCaseError('invalid', 'the cursor is not one this search handed out', [{ field: 'cursor', message: 'is not a cursor of this search' }]);
  }
  const page = await deps.debtorNames.byName(organizationFiscalCode, search, { limit: query.limit, ...(after ? { after } : {}) });
  const now = deps.clock();
  return { items: page.positions.map((p) => withCurrentStatus(p, now)), ...(page.next ? { cursor: encodeNameCursor(page.next) } : {}) };
}

/** The name search's cursor: opaque to clients (base64url of `["<rotation>",<number>,"<iupd>"]`). */
export function encodeNameCursor(mark: DebtorNameMark): string {
  return Buffer.from(JSON.stringify([mark.rotation, mark.rotationNumber, mark.iupd]), 'utf8').toString('base64url');
}

/** undefined when the text is not a cursor the name search hands out */
export function decodeNameCursor(cursor: string): DebtorNameMark | undefined {
  if (cursor.length === 0 || cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
  const [rotation, rotationNumber, iupd] = parsed as unknown[];
  if (typeof rotation !== 'string' || !/^[A-Z0-9]+( [A-Z0-9]+)*$/.test(rotation) || rotation.length > 200) return undefined;
  if (typeof rotationNumber !== 'number' || !Number.isInteger(rotationNumber) || rotationNumber < 0 || rotationNumber >= NAME_ROTATIONS) return undefined;
  if (typeof iupd !== 'string' || !IUPD_PATTERN.test(iupd)) return undefined;
  return { rotation, rotationNumber, iupd };
}
