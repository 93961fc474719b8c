/**
 * The dead-letter queues, for an administrator: what the layer accepted and could not process
 * after every retry (money or a message at risk). Each queue's depth counts every municipality's
 * messages of the deployment; the messages shown, and the only ones that can be sent back to
 * their queue, are this municipality's.
 */
import { SignedOut, getJson, postJson } from './api';
import { announce, h } from './dom';
import { formatDateTime, formatOwnDeadLetters } from './format';
import { actionButton, alertBox, orgPath, problemText, withName, type ScreenContext } from './ui';

interface Parked {
  messageId: string;
  sentAt?: string;
  receiveCount?: number;
  bytes: number;
  body: string;
}
export interface QueueDeadLetters {
  queue: string;
  depth: number;
  messages: Parked[];
  partial: boolean;
}

const pretty = (body: string) => {
  try {
    return JSON.stringify(JSON.parse(body), null, 2).slice(0, 4000);
  } catch {
    return body.slice(0, 4000);
  }
};

export async function deadLettersScreen(ctx: ScreenContext, ofc: string, notice?: HTMLElement): Promise<void> {
  const { items } = await getJson<{ items: QueueDeadLetters[] }>(`${orgPath(ofc)}/deadletters`);
  if (!ctx.current()) return;
  const outcome = h('div', { id: 'esito' }, notice ?? '');
  const depths = h(
    'table',
    { class: 'table table-sm', id: 'code-di-scarto' },
    h('caption', {}, 'Code di scarto del sistema (tutti gli enti)'),
    h('thead', {}, h('tr', {}, ...['Coda', 'Messaggi in attesa', 'Di questo ente'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...items.map((q) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, `${q.queue}-dlq`)), h('td', {}, q.depth), h('td', {}, formatOwnDeadLetters(q.messages.length, q.partial))))),
  );
  const mine = items.flatMap((q) => q.messages.map((m) => ({ queue: q.queue, ...m })));
  const messages =
    mine.length === 0
      ? h('p', { id: 'messaggi-scartati' }, 'Nessun messaggio di questo ente nelle code di scarto.')
      : h(
          'div',
          { id: 'messaggi-scartati' },
          ...mine.map((m) =>
            h(
              'section',
              { class: 'card card-bg p-3 mb-3', 'aria-label': `Messaggio ${m.messageId}` },
              h('p', { class: 'mb-1' }, h('strong', {}, `${m.queue}-dlq`), ` · messaggio ${m.messageId}`, m.sentAt ? ` · inviato il ${formatDateTime(m.sentAt)}` : '', m.receiveCount ? ` · ${m.receiveCount} ricezioni` : ''),
              h('pre', { class: 'small bg-light p-2 mb-2', tabindex: 0 }, pretty(m.body)),
              withName(
                `Rimetti in coda il messaggio ${m.messageId}`,
                actionButton(
                  'Rimetti in coda',
                  `rimetti-${m.messageId}`,
                  async () => {
                    if (!confirm(`Rimettere il messaggio nella coda ${m.queue}? Fallo solo dopo aver rimosso la causa dell’errore.`)) return;
                    try {
                      await postJson(`${orgPath(ofc)}/deadletters/${encodeURIComponent(m.queue)}/${encodeURIComponent(m.messageId)}/redrive`);
                      await deadLettersScreen(ctx, ofc, alertBox('success', `Messaggio ${m.messageId} rimesso nella coda ${m.queue}.`));
                    } catch (error) {
                      if (error instanceof SignedOut) return ctx.signedOut();
                      outcome.replaceChildren(alertBox('danger', problemText(error)));
                    }
                  },
                  'btn-outline-primary btn-sm',
                ),
              ),
            ),
          ),
        );
  ctx.render(
    'Code di scarto',
    h('p', {}, 'Messaggi che il sistema ha accettato ma non è riuscito a elaborare dopo tutti i tentativi: nulla è perso, restano qui finché la causa non è risolta. Le ricevute non applicabili sono anche tra le Anomalie.'),
    outcome,
    depths,
    h('h2', { class: 'h4' }, 'Messaggi di questo ente'),
    messages,
  );
  if (notice) announce(notice.textContent ?? '');
}
