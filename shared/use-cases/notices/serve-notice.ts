/**
 * Serving a printed notice (avviso di pagamento) as PDF: the stored notice of the position's
 * current version, or rendered on the spot (and stored) when the request comes before the
 * renderer. Whether a notice may be served is decided on the position's status at request time,
 * never on whether a PDF happens to exist.
 */
import { statusAt } from '../../domain/debt-position';
import { noticeAvailability, noticeFileName } from '../../domain/notice/from-position';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import { PDF_CONTENT_TYPE, isPossibleIupd, noticeKey, objectMetadata, renderPosition, type NoticeDeps } from './stored-notices';

export interface NoticePdf {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  readonly version: number;
  /** 'stored': read from the bucket; 'rendered': rendered for this request (and stored) */
  readonly source: 'stored' | 'rendered';
}

/** The PDF of a payable position; not-found when unknown, conflict when it has no notice (DRAFT, PAID, INVALID...). */
export async function getNoticePdf(deps: NoticeDeps, organization: Organization, iupd: string): Promise<NoticePdf> {
  const position = isPossibleIupd(iupd) ? await deps.positions.get(organization.fiscalCode, iupd) : undefined;
  if (!position) throw new UseCaseError('not-found', `no debt position with iupd ${iupd}`);
  const status = statusAt(position, deps.clock());
  const availability = noticeAvailability(status);
  if (!availability.available) {
    throw new UseCaseError('conflict', `no payment notice for a position in status ${status}: ${availability.reason}`);
  }
  const key = noticeKey(organization.fiscalCode, iupd, position.version);
  const stored = await deps.objects.get(key);
  const fileName = noticeFileName(iupd);
  if (stored) return { bytes: stored.bytes, fileName, version: position.version, source: 'stored' };

  const bytes = await renderPosition(deps, position, organization);
  try {
    await deps.objects.putIfAbsent(key, bytes, { contentType: PDF_CONTENT_TYPE, metadata: objectMetadata(position) });
  } catch (error) {
    // the caller gets the notice anyway; the renderer queue or the next request stores it
    deps.log.warn('could not store a notice rendered on request', { key, error: (error as Error).message });
  }
  return { bytes, fileName, version: position.version, source: 'rendered' };
}
