/**
 * How printed notices are kept: one PDF per position VERSION in the notices bucket, keyed by
 * organization, iupd and version. Every write to a position bumps its version, so a request for
 * the current version can never be answered with an older PDF. What the serving, the rendering
 * on events and the batches share: the keys, rendering a position (with its tenant's logo), and
 * storing a rendered notice once.
 */
import type { DebtPosition } from '../../domain/debt-position';
import { NoticeValidationError } from '../../domain/notice/document';
import { logoTypeOf, toNoticeDocument, type Logo } from '../../domain/notice/from-position';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import type { DebtPositionStore, OrganizationStore } from '../ports';
import type { NoticeLog, NoticeRenderer, ObjectStore } from './ports';

export const PDF_CONTENT_TYPE = 'application/pdf';

export interface NoticeDeps {
  readonly positions: Pick<DebtPositionStore, 'get'>;
  readonly organizations: Pick<OrganizationStore, 'get'>;
  readonly objects: ObjectStore;
  /** renderNotice from shared/notice, handed in so tests can count or fail renders */
  readonly render: NoticeRenderer;
  readonly clock: () => Date;
  readonly log: NoticeLog;
  /** told of every notice rendered (the NoticeRendered metric) */
  readonly onRendered?: () => void;
}

/** notices/<ofc>/<iupd>/v<version, 8 digits>.pdf; iupd is [A-Za-z0-9._-], '.'/'..' are escaped. */
export function noticeKey(organizationFiscalCode: string, iupd: string, version: number): string {
  return `notices/${organizationFiscalCode}/${keySegment(iupd)}/v${String(version).padStart(8, '0')}.pdf`;
}

/** The keys of every version up to `version` (deleting absent keys is harmless, listing would need s3:ListBucket). */
export function keysUpTo(organizationFiscalCode: string, iupd: string, version: number): string[] {
  return Array.from({ length: Math.max(0, version) }, (_, i) => noticeKey(organizationFiscalCode, iupd, i + 1));
}

function keySegment(iupd: string): string {
  return /^\.+$/.test(iupd) || /[^A-Za-z0-9._-]/.test(iupd) ? encodeURIComponent(iupd).replace(/\./g, '%2E') : iupd;
}

/** Whether the API could ever have stored a position with this iupd (table keys are limited to 2 KB). */
export function isPossibleIupd(iupd: string): boolean {
  return /^[A-Za-z0-9._-]{1,70}$/.test(iupd);
}

/** The tenant's logo once loaded, or its absence, so a batch reads it once for many positions. */
export interface LoadedLogo {
  readonly logo: Logo | undefined;
}

/** Renders; a position whose data the notice cannot carry is a 409 naming the problem, not a 500. */
export async function renderPosition(
  deps: NoticeDeps,
  position: DebtPosition,
  organization: Organization,
  preloadedLogo?: LoadedLogo,
): Promise<Uint8Array> {
  const logo = preloadedLogo ? preloadedLogo.logo : await loadLogo(deps, organization);
  let bytes: Uint8Array;
  try {
    bytes = deps.render(toNoticeDocument(position, organization, logo));
  } catch (error) {
    if (error instanceof NoticeValidationError) {
      throw new UseCaseError('conflict', `the position cannot be printed as a pagoPA notice: ${error.message}`);
    }
    if (logo && error instanceof Error && error.name === 'LogoError') {
      // a broken logo must not block the notice: print without it, and say so
      deps.log.warn('organization logo unusable, notice rendered without it', { organization: organization.fiscalCode, reason: error.message });
      bytes = deps.render(toNoticeDocument(position, organization));
    } else {
      throw error;
    }
  }
  deps.onRendered?.();
  return bytes;
}

export async function loadLogo(deps: Pick<NoticeDeps, 'objects' | 'log'>, organization: Organization): Promise<Logo | undefined> {
  if (!organization.logoKey) return undefined;
  const object = await deps.objects.get(organization.logoKey);
  if (!object) {
    deps.log.warn('organization logo not found in the bucket', { organization: organization.fiscalCode });
    return undefined;
  }
  const type = logoTypeOf(object.bytes);
  if (!type) {
    deps.log.warn('organization logo is neither PNG nor JPEG', { organization: organization.fiscalCode });
    return undefined;
  }
  return { bytes: object.bytes, type };
}

export function objectMetadata(position: DebtPosition): Record<string, string> {
  return { iupd: position.iupd, version: String(position.version) };
}

/** The notice of the position's current version in the bucket: rendered and stored unless it is there. */
export async function ensureStored(
  deps: NoticeDeps,
  position: DebtPosition,
  organization: Organization,
  preloadedLogo?: LoadedLogo,
): Promise<{ key: string; stored: boolean }> {
  const key = noticeKey(position.organizationFiscalCode, position.iupd, position.version);
  if (await deps.objects.exists(key)) return { key, stored: false };
  const bytes = await renderPosition(deps, position, organization, preloadedLogo);
  const result = await deps.objects.putIfAbsent(key, bytes, { contentType: PDF_CONTENT_TYPE, metadata: objectMetadata(position) });
  return { key, stored: result === 'stored' };
}
