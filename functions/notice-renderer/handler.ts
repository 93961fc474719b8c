import { noticeRenderTriggerSchema } from '../../events/notice-render-trigger';
import { noticeRendererRoot, type NoticeRendering } from '../../shared/composition/notices';
import { consumeQueue } from '../../shared/messaging/sqs-consumer';
import { refreshNotice } from '../../shared/use-cases/notices/refresh-notice';

/**
 * notice-render queue (domain events of debt positions) → the position's notice rendered into
 * the bucket when payable, its stored notices removed when not. Records are handled one by one
 * (events of one position often arrive together); a failed one is retried alone.
 */
export const makeHandler = (deps: NoticeRendering) =>
  consumeQueue(deps.consumer, {
    what: 'notice-render message',
    schema: noticeRenderTriggerSchema,
    inParallel: false,
    handle: async ({ body: event }) => {
      const { organizationFiscalCode, iupd, version } = event;
      const outcome = await refreshNotice(deps.notices, { organizationFiscalCode, iupd, version, deleted: event.eventType === 'debt-position.deleted' });
      deps.logger.info('notice refreshed', { eventType: event.eventType, version, outcome });
    },
  });

export const handler = makeHandler(noticeRendererRoot());
