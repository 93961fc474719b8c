/**
 * The citizen's dossier (fascicolo): what a tenant knows about one debtor — their positions,
 * whether each has a printed notice, the receipts that paid them and the App IO / e-mail
 * messages sent about them. The tenant's own data only.
 *
 * Paged and bounded: a page holds at most DOSSIER_PAGE_SIZE.max positions, newest first, and
 * costs one read of the positions plus two reads per position on it (its receipts, its message
 * records), however many options a position has; at most DOSSIER_POSITIONS_IN_FLIGHT positions
 * are read at the same time.
 */
import { statusAt, type DebtPosition, type PositionStatus } from '../../domain/debt-position';
import type { FieldError } from '../../domain/debt-position-rules';
import { validateCodiceFiscale, validatePartitaIva } from '../../domain/fiscal-code';
import { noticeAvailability, type NoticeAvailability } from '../../domain/notice/from-position';
import type { Organization } from '../../domain/organization';
import type { MessageRecord, MessageRecordStore } from '../app-io/ports';
import { UseCaseError } from '../errors';
import type { StoredReceipt } from '../receipts/ports';
import { decodeDossierCursor, encodeDossierCursor } from './cursor';
import type { DebtorPositionMark, DebtorPositions, PositionReceipts } from './ports';

/** positions per page: the default, and the most a client may ask for (the positions list's limit too) */
export const DOSSIER_PAGE_SIZE = { default: 20, max: 50 } as const;
/** positions whose receipts and messages are read at the same time (two reads each) */
export const DOSSIER_POSITIONS_IN_FLIGHT = 8;

export interface DossierDeps {
  readonly debtorPositions: DebtorPositions;
  readonly positionReceipts: PositionReceipts;
  readonly messages: Pick<MessageRecordStore, 'ofPosition'>;
  readonly clock: () => Date;
}

/** Which page of whose dossier. */
export interface DossierQuery {
  /** a codice fiscale, a partita IVA or ANONIMO; any case */
  readonly fiscalCode: string;
  /** positions on the page, 1..DOSSIER_PAGE_SIZE.max (default DOSSIER_PAGE_SIZE.default) */
  readonly limit?: number;
  /** the `cursor` of the previous page, as handed out */
  readonly cursor?: string;
}

export interface DossierEntry {
  readonly position: DebtPosition;
  /** the status now (time-driven changes applied) */
  readonly status: PositionStatus;
  readonly notice: NoticeAvailability;
  /** option by option (in the position's order), oldest first within an option */
  readonly receipts: readonly StoredReceipt[];
  /** oldest change first */
  readonly messages: readonly MessageRecord[];
}

export interface Dossier {
  readonly organizationFiscalCode: string;
  /** upper case */
  readonly fiscalCode: string;
  /** newest first */
  readonly positions: readonly DossierEntry[];
  /** the next page's cursor; absent on the last page */
  readonly cursor?: string;
  /** positions follow this page (there is a `cursor`) */
  readonly truncated: boolean;
}

const FISCAL_CODE_SHAPE = /^([A-Z0-9]{16}|\d{11}|ANONIMO)$/;

/** What is wrong with the query, every field at once (empty when nothing is). */
export function dossierQueryProblems(query: DossierQuery): FieldError[] {
  const problems: FieldError[] = [];
  const fc = query.fiscalCode.toUpperCase();
  if (!FISCAL_CODE_SHAPE.test(fc)) {
    problems.push({ field: 'fiscalCode', message: 'must be 16 characters or 11 digits' });
  } else if (fc !== 'ANONIMO') {
    // no debtor is stored with a code whose check character/digit is wrong: say so instead of an empty dossier
    const wrong = fc.length === 16 ? validateCodiceFiscale(fc) : validatePartitaIva(fc);
    if (wrong !== null) problems.push({ field: 'fiscalCode', message: wrong });
  }
  if (query.limit !== undefined && !(Number.isInteger(query.limit) && query.limit >= 1 && query.limit <= DOSSIER_PAGE_SIZE.max)) {
    problems.push({ field: 'limit', message: `must be a whole number from 1 to ${DOSSIER_PAGE_SIZE.max}` });
  }
  if (query.cursor !== undefined && decodeDossierCursor(query.cursor) === undefined) {
    problems.push({ field: 'cursor', message: 'use the cursor of the previous page as is' });
  }
  return problems;
}

export async function debtorDossier(deps: DossierDeps, organization: Organization, query: DossierQuery): Promise<Dossier> {
  const problems = dossierQueryProblems(query);
  if (problems.length > 0) {
    const fiscalCodeProblem = problems.find((p) => p.field === 'fiscalCode');
    const message = fiscalCodeProblem
      ? `the fiscal code is not valid: ${fiscalCodeProblem.message}`
      : `invalid ${problems.map((p) => p.field).join(', ')}`;
    throw new UseCaseError('invalid', message, problems);
  }
  const fc = query.fiscalCode.toUpperCase();
  const limit = query.limit ?? DOSSIER_PAGE_SIZE.default;
  const after = query.cursor === undefined ? undefined : decodeDossierCursor(query.cursor);
  const now = deps.clock();
  const ofc = organization.fiscalCode;
  const page = await deps.debtorPositions.ofDebtor(ofc, fc, { limit, ...(after ? { after } : {}) });
  // an adapter answering more than asked never makes the page larger
  const positions = page.positions.slice(0, limit);
  const entries = await mapBounded(positions, DOSSIER_POSITIONS_IN_FLIGHT, async (position): Promise<DossierEntry> => {
    const status = statusAt(position, now);
    const [receipts, messages] = await Promise.all([
      deps.positionReceipts.ofPosition(ofc, position.iupd),
      deps.messages.ofPosition(ofc, position.iupd),
    ]);
    return {
      position,
      status,
      notice: noticeAvailability(status),
      receipts: receiptsOfOptions(position, receipts),
      messages: [...messages].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)),
    };
  });
  const last = positions.at(-1);
  const more = (page.more || page.positions.length > limit) && last !== undefined;
  return {
    organizationFiscalCode: ofc,
    fiscalCode: fc,
    positions: entries,
    ...(more ? { cursor: encodeDossierCursor(markOf(last)) } : {}),
    truncated: more,
  };
}

const markOf = (p: DebtPosition): DebtorPositionMark => ({ insertedDate: p.insertedDate, iupd: p.iupd });

/**
 * The receipts of the position's current options (by IUV or notice number, both never reused),
 * option by option, oldest first within one: a receipt recorded against an earlier position
 * with the same iupd (deleted, then created again) is not this one's.
 */
export function receiptsOfOptions(position: DebtPosition, receipts: readonly StoredReceipt[]): StoredReceipt[] {
  const indexOf = (r: StoredReceipt): number => position.paymentOptions.findIndex((o) => o.iuv === r.iuv || o.nav === r.nav);
  return receipts
    .map((r) => ({ r, option: indexOf(r) }))
    .filter((x) => x.option >= 0)
    .sort((a, b) => a.option - b.option || a.r.recordedAt.localeCompare(b.r.recordedAt))
    .map((x) => x.r);
}

/** `run` over the items, at most `inFlight` at a time; the results in the items' order. */
async function mapBounded<T, R>(items: readonly T[], inFlight: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
  return results;
}
