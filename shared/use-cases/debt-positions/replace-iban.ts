/**
 * GPD updateTransferIbanMassive: the organization's transfers with IBAN `oldIban`, on options not
 * paid of positions DRAFT, PUBLISHED, VALID or PARTIALLY_PAID, get `newIban`; at most `limit`
 * transfers per call (TransferRepository.updateTransferIban: LIMIT, ≤ 1000). Stricter than GPD on
 * purpose: `newIban` must be one of the organization's registered IBANs, and only transfers to
 * the organization itself change (another creditor's account is not the organization's to move).
 *
 * Each touched position is one version-guarded write with its audit line and a
 * debt-position.updated event (its notice is re-rendered: the IBAN is printed on the postal
 * notice). The positions come from the listing's IBAN entries, a page of 25 at a time, written
 * 8 at a time; a position changed meanwhile is read again once, then left for the next call.
 */
import { statusAt, type DebtPosition } from '../../domain/debt-position';
import { validateCreditorIban } from '../../domain/iban';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import type { Actor } from '../ports';
import type { BulkPositionStore, PositionsByIban } from './gpd/ports';
import type { PositionDeps } from './ports';
import { auditLine, positionEvent } from './position-writes';

const PAGE = 25;
const PARALLEL = 8;
const CHANGEABLE = new Set(['DRAFT', 'PUBLISHED', 'VALID', 'PARTIALLY_PAID']);

export interface ReplaceIbanDeps extends PositionDeps {
  readonly byIban: PositionsByIban;
  readonly bulk: Pick<BulkPositionStore, 'held'>;
}

export interface ReplaceTransferIban {
  readonly organization: Organization;
  readonly actor: Actor;
  readonly oldIban: string;
  readonly newIban: string;
  readonly limit: number;
}

/** The number of transfers changed. */
export async function replaceTransferIban(deps: ReplaceIbanDeps, command: ReplaceTransferIban): Promise<number> {
  const { organization, oldIban, newIban } = command;
  const ofc = organization.fiscalCode;
  const reason = validateCreditorIban(newIban) ?? (organization.ibans.includes(newIban) ? null : 'the IBAN is not one of the organization registered IBANs');
  if (reason !== null) throw new UseCaseError('invalid', `Invalid newIban: ${reason}`, [{ field: 'newIban', message: reason }]);
  if (oldIban === newIban) return 0;
  let remaining = command.limit;
  let after: string | undefined;
  do {
    const page = await deps.byIban.withIban(ofc, oldIban, { limit: PAGE, ...(after !== undefined ? { after } : {}) });
    after = page.after;
    const held = await deps.bulk.held(ofc, page.iupds);
    const queue = held.filter((h) => h.pending === undefined && h.lockedBy === undefined).map((h) => h.position);
    let next = 0;
    // the budget is taken before each write (synchronously) and given back when it fails
    const budget = { left: () => remaining, take: (n: number) => (remaining -= n), refund: (n: number) => (remaining += n) };
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
        for (let i = next++; i < queue.length && remaining > 0; i = next++) await replaceIn(deps, command, queue[i] as DebtPosition, budget);
      }),
    );
  } while (after !== undefined && remaining > 0);
  return command.limit - remaining;
}

interface Budget {
  left(): number;
  take(n: number): void;
  refund(n: number): void;
}

/** Replaces the IBAN in one position, within the call's budget of transfers. */
async function replaceIn(deps: ReplaceIbanDeps, command: ReplaceTransferIban, first: DebtPosition, budget: Budget): Promise<void> {
  let position: DebtPosition | undefined = first;
  for (let attempt = 0; attempt < 2 && position; attempt++) {
    const now = deps.clock();
    const status = statusAt(position, now);
    if (!CHANGEABLE.has(status)) return;
    let left = budget.left();
    const changed: string[] = [];
    const options = position.paymentOptions.map((o) =>
      o.status !== 'PO_UNPAID'
        ? o
        : {
            ...o,
            transfers: o.transfers.map((t) => {
              if (left <= 0 || t.iban !== command.oldIban || t.organizationFiscalCode !== command.organization.fiscalCode) return t;
              left--;
              changed.push(`paymentOption[${o.nav}].transfer[${t.idTransfer}].iban`);
              return { ...t, iban: command.newIban };
            }),
          },
    );
    if (changed.length === 0) return;
    budget.take(changed.length);
    const next: DebtPosition = { ...position, paymentOptions: options, lastUpdatedDate: now.toISOString(), version: position.version + 1 };
    const conflict = await deps.positions.replace(
      next,
      position.version,
      { ...auditLine(now, 'update', command.actor, next, status), changedFields: changed },
      [positionEvent(deps.newId(), 'debt-position.updated', next, status, now)],
      [],
    );
    if (!conflict) return;
    budget.refund(changed.length);
    position = await deps.positions.get(position.organizationFiscalCode, position.iupd);
  }
}
