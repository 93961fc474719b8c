/**
 * The dossier's page cursor: opaque to clients (base64url of `["<insertedDate>","<iupd>"]`, the
 * last position of the page). It only says where to go on in the order of one debtor's
 * positions; the adapter builds the index key from it with the tenant and the debtor of the
 * request, so a cursor can never lead outside them. A text that does not decode to such a mark
 * is refused.
 */
import { IUPD_PATTERN } from '../../domain/debt-position';
import type { DebtorPositionMark } from './ports';

/** far more than any mark needs (a 70-character iupd and a timestamp) */
export const MAX_CURSOR_LENGTH = 512;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function encodeDossierCursor(mark: DebtorPositionMark): string {
  return Buffer.from(JSON.stringify([mark.insertedDate, mark.iupd]), 'utf8').toString('base64url');
}

/** undefined when the text is not a cursor this dossier hands out */
export function decodeDossierCursor(cursor: string): DebtorPositionMark | undefined {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [insertedDate, iupd] = parsed as unknown[];
  if (typeof insertedDate !== 'string' || !INSTANT.test(insertedDate)) return undefined;
  if (typeof iupd !== 'string' || !IUPD_PATTERN.test(iupd)) return undefined;
  return { insertedDate, iupd };
}
