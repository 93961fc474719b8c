/**
 * The administrator's screen of the municipality's API keys (the back office's credentials): the
 * list (never a key, only its id), a new key shown once with the means to copy it, and revocation.
 * The API refuses all of it to anyone but an admin of the organization (403).
 */
import { SignedOut, getJson, postJson, type ActedBy } from './api';
import { announce, h } from './dom';
import { formatActedBy, formatDateTime } from './format';
import { actionButton, alertBox, field, orgPath, problemText, withName, type ScreenContext } from './ui';

interface ApiKey {
  keyId: string;
  label: string;
  createdAt: string;
  issuedBy?: ActedBy;
  revokedAt?: string;
  revokedBy?: ActedBy;
}

export async function apiKeysScreen(ctx: ScreenContext, ofc: string, notice?: HTMLElement): Promise<void> {
  const path = `${orgPath(ofc)}/apikeys`;
  const { items } = await getJson<{ items: ApiKey[] }>(path);
  if (!ctx.current()) return;
  const outcome = h('div', { id: 'esito' }, notice ?? '');
  const label = h('input', { class: 'form-control', id: 'etichetta', name: 'label', maxlength: 100, required: true, autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'row g-3 mb-4', id: 'nuova-chiave', novalidate: true },
    field('etichetta', 'A che cosa serve la chiave (es. «Gestionale tributi»)', label, 'col-md-8'),
    h('div', { class: 'col-12' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'crea-chiave' }, 'Crea una nuova chiave')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      try {
        const issued = await postJson<ApiKey & { apiKey: string }>(path, { label: label.value });
        await apiKeysScreen(ctx, ofc, issuedBox(issued));
      } catch (error) {
        if (error instanceof SignedOut) return ctx.signedOut();
        outcome.replaceChildren(alertBox('danger', problemText(error)));
        label.setAttribute('aria-invalid', 'true');
        label.focus();
      }
    })();
  });
  const table =
    items.length === 0
      ? h('p', { id: 'chiavi' }, 'Nessuna chiave.')
      : h(
          'table',
          { class: 'table table-sm', id: 'chiavi' },
          h('caption', {}, 'Chiavi API dell’ente: le attive per prime'),
          h('thead', {}, h('tr', {}, ...['Id', 'Uso', 'Creata', 'Stato', 'Azioni'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            ...items.map((k) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, h('code', {}, k.keyId)),
                h('td', {}, k.label),
                h('td', {}, `${formatDateTime(k.createdAt)}${k.issuedBy ? `, da ${formatActedBy(k.issuedBy)}` : ''}`),
                h('td', {}, k.revokedAt ? `Revocata il ${formatDateTime(k.revokedAt)}${k.revokedBy ? ` da ${formatActedBy(k.revokedBy)}` : ''}` : h('span', { class: 'badge bg-success' }, 'Attiva')),
                h(
                  'td',
                  {},
                  k.revokedAt
                    ? ''
                    : withName(`Revoca la chiave ${k.keyId}`, actionButton(
                        'Revoca',
                        `revoca-${k.keyId}`,
                        async () => {
                          if (!confirm(`Revocare la chiave ${k.keyId} (${k.label})? I gestionali che la usano non potranno più chiamare l’API.`)) return;
                          try {
                            await postJson(`${path}/${encodeURIComponent(k.keyId)}/revoke`);
                            await apiKeysScreen(ctx, ofc, alertBox('success', `Chiave ${k.keyId} revocata: le richieste con questa chiave sono rifiutate entro pochi minuti.`));
                          } catch (error) {
                            if (error instanceof SignedOut) return ctx.signedOut();
                            outcome.replaceChildren(alertBox('danger', problemText(error)));
                          }
                        },
                        'btn-outline-danger btn-sm',
                      )),
                ),
              ),
            ),
          ),
        );
  ctx.render(
    'Chiavi API',
    h('p', {}, 'Le chiavi con cui i gestionali del Comune (tributi, mensa, anagrafe) chiamano l’API pagoPA di questo ente. Il sistema conserva solo un’impronta di ogni chiave: una chiave nuova si vede una volta sola.'),
    outcome,
    h('h2', { class: 'h4' }, 'Nuova chiave'),
    form,
    h('h2', { class: 'h4' }, 'Chiavi dell’ente'),
    table,
  );
  if (notice) announce(notice.textContent ?? '');
}

/** The new key, once: in a read-only field to select or copy, with the warning that it will not be shown again. */
function issuedBox(issued: ApiKey & { apiKey: string }): HTMLElement {
  const value = h('input', { class: 'form-control font-monospace', id: 'chiave-nuova', readonly: true, value: issued.apiKey, spellcheck: 'false' });
  const copied = h('span', { class: 'ms-2', role: 'status' });
  return h(
    'div',
    { class: 'alert alert-warning', role: 'status' },
    h('p', { class: 'fw-bold' }, `Chiave ${issued.keyId} creata. Copiala ora e consegnala al gestionale: non sarà più mostrata.`),
    h('label', { for: 'chiave-nuova', class: 'active' }, 'Nuova chiave API'),
    value,
    h(
      'p',
      { class: 'mt-2 mb-0' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-sm btn-outline-primary',
          id: 'copia-chiave',
          onclick: () => {
            value.select();
            void navigator.clipboard?.writeText(issued.apiKey).then(
              () => (copied.textContent = 'Copiata negli appunti.'),
              () => (copied.textContent = 'Selezionata: copiala con Ctrl+C.'),
            );
          },
        },
        'Copia',
      ),
      copied,
    ),
  );
}

