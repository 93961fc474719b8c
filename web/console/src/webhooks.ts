/**
 * The municipality's webhook subscribers (its back-office software told of payments, reports,
 * uploads): the list, a new one (its signing secret shown once), removal; and each subscriber's
 * deliveries with their outcome, where one that failed for good can be delivered again.
 */
import { SignedOut, deleteJson, getJson, postJson, type ActedBy } from './api';
import { announce, h } from './dom';
import { formatActedBy, formatDateTime } from './format';
import { actionButton, alertBox, cursorList, field, link, orgPath, problemText, withName, type ScreenContext } from './ui';

interface Subscriber {
  id: string;
  url: string;
  eventTypes: string[];
  description: string;
  createdAt: string;
}
export interface Delivery {
  eventId: string;
  eventType: string;
  attempts: number;
  status: 'RETRYING' | 'DELIVERED' | 'FAILED' | 'DEAD_LETTERED';
  lastStatusCode?: number;
  lastError?: string;
  lastAttemptAt: string;
  deliveredAt?: string;
  redelivery?: { at: string; by: ActedBy };
  redeliverable?: boolean;
  /** on a position's detail: where it went (absent when the subscriber was removed since) */
  subscriber?: { url: string; description: string };
  subscriberId: string;
}

export const DELIVERY_LABELS: Record<Delivery['status'], string> = {
  RETRYING: 'In corso (nuovi tentativi)',
  DELIVERED: 'Consegnato',
  FAILED: 'Rifiutato dal destinatario',
  DEAD_LETTERED: 'Non consegnato dopo tutti i tentativi',
};

export async function webhooksScreen(ctx: ScreenContext, ofc: string, notice?: HTMLElement): Promise<void> {
  const path = `${orgPath(ofc)}/webhooks`;
  const { items, eventTypes } = await getJson<{ items: Subscriber[]; eventTypes: string[] }>(path);
  if (!ctx.current()) return;
  const outcome = h('div', { id: 'esito', tabindex: -1 }, notice ?? '');
  const url = h('input', { class: 'form-control', id: 'webhook-url', name: 'url', type: 'url', required: true, placeholder: 'https://gestionale.comune.example/pagopa/eventi', autocomplete: 'off' });
  const description = h('input', { class: 'form-control', id: 'webhook-descrizione', name: 'description', maxlength: 140 });
  const boxes = eventTypes.map((t, i) => h('div', { class: 'form-check' }, h('input', { class: 'form-check-input', type: 'checkbox', id: `evento-${i}`, value: t, checked: t === 'payment.received' }), h('label', { class: 'form-check-label', for: `evento-${i}` }, h('code', {}, t))));
  const form = ctx.canAdmin
    ? h(
        'form',
        { class: 'row g-3 mb-4', id: 'nuovo-webhook', novalidate: true },
        field('webhook-url', 'Indirizzo del gestionale che riceve gli eventi (https)', url, 'col-md-8'),
        field('webhook-descrizione', 'Descrizione (facoltativa)', description, 'col-md-4'),
        h('fieldset', { class: 'col-12' }, h('legend', { class: 'h6' }, 'Eventi da inviare'), ...boxes),
        h('div', { class: 'col-12' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'registra-webhook' }, 'Registra il destinatario')),
      )
    : null;
  form?.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      try {
        const chosen = boxes.map((b) => b.querySelector('input')!).filter((i) => i.checked).map((i) => i.value);
        const created = await postJson<Subscriber & { secret: string }>(path, { url: url.value.trim(), eventTypes: chosen, ...(description.value.trim() ? { description: description.value.trim() } : {}) });
        await webhooksScreen(ctx, ofc, secretBox(created));
      } catch (error) {
        if (error instanceof SignedOut) return ctx.signedOut();
        outcome.replaceChildren(alertBox('danger', `Il destinatario non è stato registrato: ${problemText(error)}`));
        outcome.focus();
      }
    })();
  });
  const table =
    items.length === 0
      ? h('p', { id: 'webhook' }, 'Nessun destinatario registrato.')
      : h(
          'table',
          { class: 'table table-sm', id: 'webhook' },
          h('caption', {}, 'Destinatari degli eventi'),
          h('thead', {}, h('tr', {}, ...['Indirizzo', 'Eventi', 'Descrizione', 'Registrato il', 'Azioni'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            ...items.map((s) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, h('a', { href: link(ofc, 'webhook', s.id) }, s.url)),
                h('td', {}, s.eventTypes.join(', ')),
                h('td', {}, s.description || '—'),
                h('td', {}, formatDateTime(s.createdAt)),
                h(
                  'td',
                  {},
                  ctx.canAdmin
                    ? withName(`Rimuovi il destinatario ${s.url}`, actionButton(
                        'Rimuovi',
                        `rimuovi-${s.id}`,
                        async () => {
                          if (!confirm(`Rimuovere il destinatario ${s.url}? Non riceverà più eventi.`)) return;
                          try {
                            await deleteJson(`${path}/${encodeURIComponent(s.id)}`);
                            await webhooksScreen(ctx, ofc, alertBox('success', `Destinatario ${s.url} rimosso.`));
                          } catch (error) {
                            if (error instanceof SignedOut) return ctx.signedOut();
                            outcome.replaceChildren(alertBox('danger', problemText(error)));
                          }
                        },
                        'btn-outline-danger btn-sm',
                      ))
                    : '',
                ),
              ),
            ),
          ),
        );
  ctx.render(
    'Webhook',
    h('p', {}, 'I gestionali del Comune ricevono qui gli eventi dei pagamenti (firmati con il loro segreto, X-Signature). Apri un destinatario per vedere le consegne e ritentare quelle non riuscite.'),
    outcome,
    form ? h('h2', { class: 'h4' }, 'Nuovo destinatario') : null,
    form,
    h('h2', { class: 'h4' }, 'Destinatari'),
    table,
  );
  if (notice) announce(notice.textContent ?? '');
}

function secretBox(created: Subscriber & { secret: string }): HTMLElement {
  return h(
    'div',
    { class: 'alert alert-warning', role: 'status' },
    h('p', { class: 'fw-bold' }, `Destinatario ${created.url} registrato. Copia ora il segreto di firma e configuralo nel gestionale: non sarà più mostrato.`),
    h('label', { for: 'segreto-webhook', class: 'active' }, 'Segreto di firma'),
    h('input', { class: 'form-control font-monospace', id: 'segreto-webhook', readonly: true, value: created.secret, spellcheck: 'false' }),
  );
}

export async function webhookDeliveriesScreen(ctx: ScreenContext, ofc: string, webhookId: string, params: URLSearchParams, notice?: HTMLElement): Promise<void> {
  const outcome = h('div', { id: 'esito' }, notice ?? '');
  const results = h('div', { id: 'area-risultati' });
  ctx.render('Consegne del webhook', h('p', {}, h('a', { href: link(ofc, 'webhook') }, 'Torna ai webhook')), outcome, results);
  const cursor = params.get('cursor');
  await cursorList<Delivery>(ctx, results, `${orgPath(ofc)}/webhooks/${encodeURIComponent(webhookId)}/deliveries?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
    empty: 'Nessuna consegna a questo destinatario.',
    noun: 'consegne',
    tableId: 'consegne',
    caption: 'Consegne, dalla più recente',
    columns: ['Evento', 'Tipo', 'Esito', 'Tentativi', 'Ultima risposta', 'Ultimo tentativo', 'Azioni'],
    row: (d) => [
      h('th', { scope: 'row' }, h('code', {}, d.eventId)),
      h('td', {}, d.eventType),
      h('td', {}, deliveryOutcome(d)),
      h('td', {}, d.attempts),
      h('td', {}, d.lastStatusCode !== undefined ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')),
      h('td', {}, formatDateTime(d.lastAttemptAt)),
      h(
        'td',
        {},
        redeliverButton(ctx, ofc, webhookId, d, outcome, (text) => webhookDeliveriesScreen(ctx, ofc, webhookId, params, alertBox('success', text))),
      ),
    ],
    next: (next) => link(ofc, 'webhook', webhookId, { cursor: next }),
  });
}

/** What a delivery's outcome says: its state, and who asked it again and when. */
export const deliveryOutcome = (d: Delivery): string => `${DELIVERY_LABELS[d.status] ?? d.status}${d.redelivery ? ` (nuova consegna chiesta il ${formatDateTime(d.redelivery.at)} da ${formatActedBy(d.redelivery.by)})` : ''}`;

/**
 * "Consegna di nuovo" for a delivery that failed for good and whose body was kept, when the
 * operator's role may write (the API refuses a viewer with 403 all the same); '' otherwise.
 */
export function redeliverButton(ctx: ScreenContext, ofc: string, webhookId: string, d: Delivery, outcome: HTMLElement, done: (text: string) => Promise<void>, to?: string): HTMLElement | string {
  if (!(ctx.canWrite && d.redeliverable && (d.status === 'FAILED' || d.status === 'DEAD_LETTERED'))) return '';
  // on a position's detail one event may have gone to several subscribers: the name says to which
  return withName(
    `Consegna di nuovo l’evento ${d.eventId}${to ? ` a ${to}` : ''}`,
    actionButton(
      'Consegna di nuovo',
      to ? `riconsegna-${webhookId}-${d.eventId}` : `riconsegna-${d.eventId}`,
      async () => {
        try {
          await postJson(`${orgPath(ofc)}/webhooks/${encodeURIComponent(webhookId)}/deliveries/${encodeURIComponent(d.eventId)}/redeliver`);
          await done(`Evento ${d.eventId} rimesso in consegna.`);
        } catch (error) {
          if (error instanceof SignedOut) return ctx.signedOut();
          outcome.replaceChildren(alertBox('danger', problemText(error)));
        }
      },
      'btn-outline-primary btn-sm',
    ),
  );
}
