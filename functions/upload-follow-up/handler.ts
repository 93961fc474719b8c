import { uploadFollowUpRoot, type UploadFollowUp } from '../../shared/composition/bulk-upload';
import { scheduledTask } from '../../shared/messaging/scheduled-task';
import { followUpUploads } from '../../shared/use-cases/bulk-upload/follow-up';

/**
 * Every minute (locally every few seconds): presigned uploads whose file never arrived end
 * REFUSED (408), and the App IO messages of the positions published CREATE uploads created are
 * released at a paced rate from their ioSendAt (shared/use-cases/bulk-upload/follow-up.ts).
 */
export const makeHandler = (deps: UploadFollowUp) =>
  scheduledTask(async () => {
    const summary = await followUpUploads(deps);
    if (summary.looked > 0) deps.logger.info('uploads followed up', { ...summary });
    if (summary.notAccepted > 0 || summary.failed > 0) {
      throw new Error(`upload follow-up: ${summary.notAccepted} IO request(s) not accepted by the queue, ${summary.failed} upload(s) failed; the next run goes on from the cursors`);
    }
    return summary;
  });

export const handler = makeHandler(uploadFollowUpRoot());
