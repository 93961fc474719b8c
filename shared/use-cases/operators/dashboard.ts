/**
 * The console's dashboard of one organization: how many positions are in each status and the
 * latest ones created. Built on the same list read as GET …/debtpositions (one page of size 1 per
 * status gives its total): counts are of the STORED status, which the status clock brings up to
 * date within its period (a PUBLISHED position whose validity date has come counts as PUBLISHED
 * until then); the recent items carry the status time has made, as every read does.
 */
import { POSITION_STATUSES, type DebtPosition, type PositionStatus } from '../../domain/debt-position';
import { listDebtPositions } from '../debt-positions/list';
import type { PositionDeps } from '../debt-positions/ports';

export interface PositionsDashboard {
  readonly total: number;
  readonly byStatus: Readonly<Record<PositionStatus, number>>;
  readonly recent: readonly DebtPosition[];
  /** false when a list index was being rebuilt and a count could not be read (retry later) */
  readonly complete: boolean;
}

export const RECENT_POSITIONS = 5;

export async function positionsDashboard(deps: PositionDeps, organizationFiscalCode: string): Promise<PositionsDashboard> {
  const base = { page: 0, limit: 1, orderBy: 'INSERTED_DATE', descending: true } as const;
  // the page of the latest positions also gives the total: one read per status more
  const [recent, ...counts] = await Promise.all([
    listDebtPositions(deps, organizationFiscalCode, { ...base, limit: RECENT_POSITIONS }),
    ...POSITION_STATUSES.map((status) => listDebtPositions(deps, organizationFiscalCode, { ...base, status })),
  ]);
  const byStatus = Object.fromEntries(POSITION_STATUSES.map((status, i) => {
    const page = counts[i];
    return [status, page?.kind === 'page' ? page.total : 0];
  })) as Record<PositionStatus, number>;
  return {
    total: recent?.kind === 'page' ? recent.total : 0,
    byStatus,
    recent: recent?.kind === 'page' ? recent.items : [],
    complete: [recent, ...counts].every((r) => r?.kind === 'page'),
  };
}
