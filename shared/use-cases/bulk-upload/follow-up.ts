/**
 * The upload follow-up, one scheduled run at a time (functions/upload-follow-up):
 *
 *   expiry       a presigned upload still AWAITING_FILE AWAITING_FILE_MARGIN_SECONDS after its
 *                URL expired ends REFUSED (408, the reason in the status and report), with its
 *                upload.completed event in the same conditional write (once; a file that arrived
 *                meanwhile wins: the condition is AWAITING_FILE).
 *   IO release   the new-notice messages of the positions a published CREATE upload created are
 *                not sent from their published events (those carry the upload id: io-sender
 *                leaves them) but released here, once the upload has ended and its `ioSendAt`
 *                has come (absent: at once): `io.upload-notice` requests on the io-messages
 *                queue, paced so that the list takes at most `ioShare` of the tenant's App IO
 *                budget and interactive messages (a REST position's notice, a receipt) always
 *                find room. Every request gets a send instant on the tenant's release timeline
 *                (2 IO calls per notice number, at ioShare × the tenant's smallest service rate)
 *                and is queued with that delay; each run fills the timeline up to
 *                `horizonSeconds` ahead, so the pace does not depend on how often the schedule
 *                runs. A cursor on the upload (moved with a conditional write after the requests
 *                were accepted) makes a crashed run resume where it stopped; a request queued
 *                twice (a run that died before moving the cursor) is sent once, by io-sender's
 *                message records (one claim per organization, iupd, notice number and kind).
 */
import type { UploadNoticeRequest } from '../../../events/upload';
import { DEFAULT_IO_RATE_PER_SECOND, type Organization } from '../../domain/organization';
import type { QueuePublisher } from '../ports';
import type { Upload, UploadStore } from './ports';
import { AWAITING_FILE_MARGIN_SECONDS, PRESIGNED_URL_SECONDS, releasesIo, uploadCompletedEvent } from './uploads';

/** A cancelled upload's chunks in flight may still record created positions for this long (the chunk worker's visibility). */
export const CANCEL_SETTLE_SECONDS = 15 * 60;
/** App IO calls per notice number of a new-notice message: the profile, then the message. */
export const IO_CALLS_PER_NOTICE = 2;

export interface FollowUpSettings {
  /** the share (0 < share ≤ 1) of a tenant's App IO calls per second an upload's release may take */
  readonly ioShare: number;
  /** how far ahead (seconds, ≤ 900: SQS's largest delay) each run fills the tenant's release timeline */
  readonly horizonSeconds: number;
  /** at most this many requests queued per upload and run */
  readonly maxPerRun: number;
  /** uploads looked at per run */
  readonly maxUploads: number;
}

export interface FollowUpDeps {
  readonly uploads: UploadStore;
  readonly organizations: { get(fiscalCode: string): Promise<Organization | undefined> };
  readonly publisher: QueuePublisher;
  readonly ioMessagesQueueUrl: string;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly settings: FollowUpSettings;
  /** told of an upload the follow-up ended (expired) */
  readonly onFinished?: (upload: Upload) => void;
}

export interface FollowUpSummary {
  readonly looked: number;
  readonly expired: number;
  /** io.upload-notice requests queued */
  readonly released: number;
  /** uploads whose release ended in this run */
  readonly releasesDone: number;
  /** uploads whose ioSendAt has not come */
  readonly waiting: number;
  /** requests the queue did not accept (the next run queues them again) */
  readonly notAccepted: number;
  /** uploads whose follow-up failed unexpectedly (the next run tries again) */
  readonly failed: number;
}

/** App IO calls per second the release of a tenant's uploads may use: `share` of its smallest service rate. */
export function releaseRate(organization: Pick<Organization, 'io'>, share: number): number {
  const rates = (organization.io?.services ?? []).map((s) => s.ratePerSecond ?? DEFAULT_IO_RATE_PER_SECOND);
  const smallest = rates.length > 0 ? Math.min(...rates) : DEFAULT_IO_RATE_PER_SECOND;
  return Math.max(0.01, smallest * share);
}

/** When a finished upload's IO release may start (epoch ms). */
export function ioReleaseDue(upload: Upload): number {
  const ended = Date.parse(upload.endTime ?? upload.startTime);
  const asked = upload.ioSendAt ? Date.parse(upload.ioSendAt) : ended;
  return upload.state === 'CANCELLED' ? Math.max(asked, ended + CANCEL_SETTLE_SECONDS * 1000) : asked;
}

/** When an upload still awaiting its file is ended (epoch ms). */
export function awaitingFileEnds(upload: Pick<Upload, 'startTime'>): number {
  return Date.parse(upload.startTime) + (PRESIGNED_URL_SECONDS + AWAITING_FILE_MARGIN_SECONDS) * 1000;
}

/** The request of one position's new-notice messages (its id fixed per upload and position). */
export function uploadNoticeRequest(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, iupd: string, now: Date): UploadNoticeRequest {
  return {
    eventId: `upload-io:${upload.fileId}:${iupd}`,
    eventType: 'io.upload-notice',
    occurredAt: now.toISOString(),
    organizationFiscalCode: upload.organizationFiscalCode,
    iupd,
    uploadId: upload.fileId,
  };
}

/**
 * io-sender's side: a position's published event that names an upload asks for nothing (its
 * upload's release asks for the new-notice messages); the other events and requests are as before.
 */
export function leftToUploadRelease(message: { readonly eventType: string; readonly uploadId?: string | undefined }): boolean {
  return message.eventType === 'debt-position.published' && typeof message.uploadId === 'string' && message.uploadId.length > 0;
}

export async function followUpUploads(deps: FollowUpDeps): Promise<FollowUpSummary> {
  const now = deps.clock();
  const due = await deps.uploads.followUpsDue(now.toISOString(), deps.settings.maxUploads);
  // the tenant's release timeline: where the requests already queued end (epoch ms)
  const timeline = new Map<string, number>();
  for (const u of due) {
    if (u.ioReleasedUntil) timeline.set(u.organizationFiscalCode, Math.max(timeline.get(u.organizationFiscalCode) ?? 0, Date.parse(u.ioReleasedUntil)));
  }
  const summary = { looked: due.length, expired: 0, released: 0, releasesDone: 0, waiting: 0, notAccepted: 0, failed: 0 };
  for (const upload of due) {
    try {
      await followUp(deps, upload, now, timeline, summary);
    } catch {
      summary.failed++;
    }
  }
  return summary;
}

type Counts = { expired: number; released: number; releasesDone: number; waiting: number; notAccepted: number };

async function followUp(deps: FollowUpDeps, upload: Upload, now: Date, timeline: Map<string, number>, counts: Counts): Promise<void> {
  switch (upload.state) {
    case 'AWAITING_FILE':
      if (now.getTime() >= awaitingFileEnds(upload)) {
        if (await expire(deps, upload, now)) counts.expired++;
      }
      return; // (looked at again by the next run: its file may arrive at any time)
    case 'RECEIVED':
    case 'SPLITTING':
    case 'PROCESSING':
      return; // in progress: looked at again by the next run
    case 'REFUSED':
      await deps.uploads.endFollowUp(upload);
      return;
    case 'COMPLETED':
    case 'CANCELLED': {
      if (!releasesIo(upload)) {
        await deps.uploads.endFollowUp(upload);
        return;
      }
      if (upload.ioDoneAt) {
        // released: it stays listed until its last requests' send instants have passed, so that the
        // tenant's next upload starts its timeline after them (the timeline seed above)
        if (!upload.ioReleasedUntil || Date.parse(upload.ioReleasedUntil) <= now.getTime()) await deps.uploads.endFollowUp(upload);
        return;
      }
      const dueAt = ioReleaseDue(upload);
      if (now.getTime() < dueAt) {
        counts.waiting++;
        await deps.uploads.followUpAt(upload, new Date(dueAt).toISOString());
        return;
      }
      const organization = await deps.organizations.get(upload.organizationFiscalCode);
      if (!organization) {
        await deps.uploads.endFollowUp(upload);
        return;
      }
      await release(deps, upload, organization, now, timeline, counts);
      return;
    }
  }
}

async function expire(deps: FollowUpDeps, upload: Upload, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const expiredAt = new Date(Date.parse(upload.startTime) + PRESIGNED_URL_SECONDS * 1000).toISOString();
  const reason = `no file was uploaded: the upload URL expired at ${expiredAt} and no file had arrived ${AWAITING_FILE_MARGIN_SECONDS / 60} minutes later; announce the file again (POST …/file/uploads)`;
  const refused: Upload = { ...upload, state: 'REFUSED', refusal: { status: 408, reason }, endTime: at };
  const ended = await deps.uploads.expireAwaiting(upload, 408, reason, at, uploadCompletedEvent(refused, deps.newId()));
  if (ended) {
    deps.onFinished?.(refused);
    await deps.uploads.endFollowUp(upload);
  }
  return ended;
}

async function release(deps: FollowUpDeps, upload: Upload, organization: Organization, now: Date, timeline: Map<string, number>, counts: Counts): Promise<void> {
  const { ioShare, horizonSeconds, maxPerRun } = deps.settings;
  const ofc = upload.organizationFiscalCode;
  const rate = releaseRate(organization, ioShare);
  const nowMs = now.getTime();
  const end = nowMs + horizonSeconds * 1000;
  let at = Math.max(nowMs, timeline.get(ofc) ?? 0, upload.ioReleasedUntil ? Date.parse(upload.ioReleasedUntil) : 0);
  if (at >= end) return; // the timeline is full up to the horizon: the next run goes on
  const batch: Array<{ iupd: string; delaySeconds: number }> = [];
  let cursor = upload.ioCursor;
  let exhausted = true;
  for await (const created of deps.uploads.createdFrom(ofc, upload.fileId, upload.ioCursor)) {
    if (at >= end || batch.length >= maxPerRun) {
      exhausted = false;
      break;
    }
    batch.push({ iupd: created.iupd, delaySeconds: Math.min(900, Math.floor((at - nowMs) / 1000)) });
    at += ((IO_CALLS_PER_NOTICE * Math.max(1, created.navs.length)) / rate) * 1000;
    cursor = created.next;
  }
  const done = exhausted ? now.toISOString() : undefined;
  if (batch.length > 0) {
    const notAccepted = await deps.publisher.send(
      deps.ioMessagesQueueUrl,
      batch.map((b, i) => ({
        id: String(i),
        body: JSON.stringify(uploadNoticeRequest(upload, b.iupd, now)),
        attributes: { eventType: 'io.upload-notice' },
        delaySeconds: b.delaySeconds,
      })),
    );
    if (notAccepted.length > 0) {
      // the cursor stays: the next run queues them all again (io-sender sends each message once)
      counts.notAccepted += notAccepted.length;
      return;
    }
    const moved = await deps.uploads.advanceIoRelease(upload, upload.ioCursor, {
      cursor: cursor!,
      released: (upload.ioReleased ?? 0) + batch.length,
      releasedUntil: new Date(at).toISOString(),
      ...(done ? { done } : {}),
    });
    if (!moved) return; // another run moved it first: what this one queued is sent once all the same
    counts.released += batch.length;
    timeline.set(ofc, at);
    if (done) counts.releasesDone++;
    if (done && at <= nowMs) await deps.uploads.endFollowUp(upload);
    return;
  }
  if (!done) return;
  counts.releasesDone++;
  const until = upload.ioReleasedUntil ? Date.parse(upload.ioReleasedUntil) : 0;
  if (until > nowMs && upload.ioCursor !== undefined) {
    await deps.uploads.advanceIoRelease(upload, upload.ioCursor, { cursor: upload.ioCursor, released: upload.ioReleased ?? 0, releasedUntil: upload.ioReleasedUntil!, done });
  } else {
    await deps.uploads.endFollowUp(upload, done);
  }
}
