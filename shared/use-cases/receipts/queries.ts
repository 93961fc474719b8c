/**
 * What the back office and the console read back: receipts and anomalies by time window, the
 * receipts of a notice, a whole window at once for an export; and the notes the staff add to an
 * anomaly, the last of which says whether it is handled.
 */
import { UseCaseError } from '../errors';
import type { Actor } from '../ports';
import type { AnomalyFilter, AnomalyRef, ReceiptAnomaly, ReceiptPage, ReceiptStore, ReceiptWindow, StoredReceipt } from './ports';

export interface ReceiptQueryDeps {
  readonly receipts: Pick<ReceiptStore, 'list' | 'listAnomalies' | 'receiptsOf'>;
}

const invalidCursor = (): UseCaseError =>
  new UseCaseError('invalid', 'the cursor is not valid for this list', [{ field: 'cursor', message: 'use the cursor of the previous page as is' }]);

export async function listReceipts(deps: ReceiptQueryDeps, organizationFiscalCode: string, window: ReceiptWindow): Promise<ReceiptPage<StoredReceipt>> {
  const page = await deps.receipts.list(organizationFiscalCode, window);
  if (page === undefined) throw invalidCursor();
  return page;
}

export async function listReceiptAnomalies(
  deps: ReceiptQueryDeps,
  organizationFiscalCode: string,
  window: ReceiptWindow,
  filter: AnomalyFilter = {},
): Promise<ReceiptPage<ReceiptAnomaly>> {
  const page = await deps.receipts.listAnomalies(organizationFiscalCode, window, filter);
  if (page === undefined) throw invalidCursor();
  return page;
}

export interface ReceiptsOfNotice {
  /** oldest first */
  readonly receipts: StoredReceipt[];
  /** the receipt that paid the notice, if one did */
  readonly paidBy?: string;
}

export async function getReceiptsOfNotice(deps: ReceiptQueryDeps, organizationFiscalCode: string, iuv: string): Promise<ReceiptsOfNotice> {
  const receipts = await deps.receipts.receiptsOf(organizationFiscalCode, iuv);
  if (receipts.length === 0) throw new UseCaseError('not-found', `no receipt for IUV ${iuv}`);
  const applied = receipts.find((r) => r.state === 'APPLIED');
  return applied ? { receipts, paidBy: applied.receiptId } : { receipts };
}

/** The most rows an export holds: a month of a small town's receipts, well inside a Lambda response (6 MB). */
export const MAX_EXPORT_ROWS = 10_000;

/**
 * Every receipt (or anomaly) of a window, for a CSV export; refused, naming the window, when it holds
 * more than `max` (a narrower window then).
 */
export async function exportWindow<T>(
  read: (window: ReceiptWindow) => Promise<ReceiptPage<T>>,
  window: Omit<ReceiptWindow, 'limit' | 'cursor'>,
  max = MAX_EXPORT_ROWS,
): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ ...window, limit: Math.min(1000, max + 1 - rows.length), ...(cursor !== undefined ? { cursor } : {}) });
    rows.push(...page.items);
    cursor = page.cursor;
    if (rows.length > max) {
      throw new UseCaseError('invalid', `the window holds more than ${max} rows: export a shorter one`, [{ field: 'from', message: `choose a window of at most ${max} rows` }]);
    }
  } while (cursor !== undefined);
  return rows;
}

export interface AnomalyNoteDeps {
  readonly receipts: Pick<ReceiptStore, 'addAnomalyNote'>;
  readonly clock: () => Date;
}

export interface NoteAnomaly {
  readonly organizationFiscalCode: string;
  readonly actor: Actor;
  readonly anomaly: AnomalyRef;
  readonly text: string;
  /** true: handled (closed); false: still, or again, open */
  readonly handled: boolean;
}

export const MAX_NOTE_CHARS = 1000;

/** Adds a note to an anomaly: who, when, what; closing it or leaving it open. Nothing else of it changes. */
export async function noteAnomaly(deps: AnomalyNoteDeps, command: NoteAnomaly): Promise<ReceiptAnomaly> {
  const text = command.text.trim();
  if (text.length === 0 || text.length > MAX_NOTE_CHARS) {
    throw new UseCaseError('invalid', 'the note is not valid', [{ field: 'note', message: `must be 1 to ${MAX_NOTE_CHARS} characters` }]);
  }
  const updated = await deps.receipts.addAnomalyNote(command.organizationFiscalCode, command.anomaly, {
    at: deps.clock().toISOString(),
    by: command.actor,
    text,
    handled: command.handled,
  });
  if (!updated) throw new UseCaseError('not-found', 'no such anomaly');
  return updated;
}
