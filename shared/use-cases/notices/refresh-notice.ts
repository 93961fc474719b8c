/**
 * Rendering notices ahead of time, on the events of a position (the notice-render queue): when a
 * position becomes payable or changes its notice is rendered into the bucket; when it can no
 * longer be paid, or is deleted, its stored notices are removed (the PDFs carry personal data).
 */
import { statusAt } from '../../domain/debt-position';
import { noticeAvailability } from '../../domain/notice/from-position';
import { ensureStored, keysUpTo, type NoticeDeps } from './stored-notices';

/** Which position, at which version, and whether the event says it was deleted. */
export interface RefreshNotice {
  readonly organizationFiscalCode: string;
  readonly iupd: string;
  readonly version: number;
  readonly deleted: boolean;
}

export type RefreshOutcome =
  | 'rendered'
  | 'exists'
  /** the event is older than the stored position: the newer version's own event does the work */
  | 'stale-event'
  /** the position is gone or not payable: its stored notices were deleted */
  | 'removed';

/**
 * Brings the stored notices of one position in line with it: the current version rendered when
 * payable (once: an existing object is kept), every stored version deleted when it is not.
 */
export async function refreshNotice(deps: NoticeDeps, command: RefreshNotice): Promise<RefreshOutcome> {
  const { organizationFiscalCode: ofc, iupd } = command;
  if (command.deleted) {
    await deps.objects.deleteMany(keysUpTo(ofc, iupd, command.version));
    return 'removed';
  }
  const position = await deps.positions.get(ofc, iupd);
  if (!position) {
    await deps.objects.deleteMany(keysUpTo(ofc, iupd, command.version));
    return 'removed';
  }
  if (command.version < position.version) return 'stale-event';
  if (!noticeAvailability(statusAt(position, deps.clock())).available) {
    await deps.objects.deleteMany(keysUpTo(ofc, iupd, position.version));
    return 'removed';
  }
  const organization = await deps.organizations.get(ofc);
  if (!organization) throw new Error(`the position's organization is missing from the table`);
  const outcome = await ensureStored(deps, position, organization);
  // older versions can never be served again: drop them (the PDFs carry personal data)
  if (position.version > 1) await deps.objects.deleteMany(keysUpTo(ofc, iupd, position.version - 1));
  return outcome.stored ? 'rendered' : 'exists';
}
