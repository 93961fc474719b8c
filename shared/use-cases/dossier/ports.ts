/**
 * What the citizen's dossier reads besides the App IO message records (shared/use-cases/app-io/
 * ports.ts, read per position): a tenant's positions of one debtor, a page at a time, and the
 * receipts recorded against one position. Every read is keyed by the tenant: a dossier never
 * reaches another tenant's items.
 */
import type { DebtPosition } from '../../domain/debt-position';
import type { StoredReceipt } from '../receipts/ports';

/**
 * Where a page of a debtor's positions ends: the last position handed out. The order is the
 * text `<insertedDate>#<iupd>`, descending (newest first); it never changes for a position, so
 * positions created while a client pages come before its cursor and shift nothing.
 */
export interface DebtorPositionMark {
  readonly insertedDate: string;
  readonly iupd: string;
}

export interface DebtorPositionPage {
  /** newest first, at most the `limit` asked for */
  readonly positions: DebtPosition[];
  /** true when positions follow the last one of this page */
  readonly more: boolean;
}

export interface DebtorPositions {
  /**
   * The tenant's positions of the debtor with this fiscal code, newest first (see
   * DebtorPositionMark), at most `limit`, only those after `after` when given.
   */
  ofDebtor(
    organizationFiscalCode: string,
    fiscalCode: string,
    page: { readonly limit: number; readonly after?: DebtorPositionMark },
  ): Promise<DebtorPositionPage>;
}

export interface PositionReceipts {
  /**
   * The receipts (applied and outcome KO) recorded against this position of the tenant, oldest
   * first: one read per position, however many options it has.
   */
  ofPosition(organizationFiscalCode: string, iupd: string): Promise<StoredReceipt[]>;
}
