/**
 * What the console's own reads need beyond the positions store: the debtor-name index.
 */
import type { DebtPosition } from '../../domain/debt-position';

/**
 * Where a page of a name search ended: the last index entry read, i.e. the rotation of the name it
 * was found by (shared/domain/debtor-name.ts), which rotation that is, and the position's iupd.
 */
export interface DebtorNameMark {
  readonly rotation: string;
  readonly rotationNumber: number;
  readonly iupd: string;
}

export interface DebtorNamePage {
  readonly positions: DebtPosition[];
  /** where to go on from; absent on the last page */
  readonly next?: DebtorNameMark;
}

export interface DebtorNames {
  /**
   * The tenant's positions whose debtor's normalized name has a rotation starting with `search`
   * (already normalized), in the order of that rotation, each position once; at most `limit`,
   * only those after `after` when given.
   */
  byName(organizationFiscalCode: string, search: string, page: { readonly limit: number; readonly after?: DebtorNameMark }): Promise<DebtorNamePage>;
}
