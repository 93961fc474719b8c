/**
 * The ragioneria's screens: the receipts that came in (a window of days, a page at a time, CSV
 * export) and the anomalies (money that moved but could not be applied): filter by kind and
 * state, open one, write a note that marks it handled (or leaves or reopens it), export them.
 */
import { SignedOut, getJson, postJson, type Anomaly, type ReceiptItem } from './api';
import { announce, h } from './dom';
import { ANOMALY_LABELS, formatActedBy, formatCents, formatDateTime, formatNoticeNumber } from './format';
import { alertBox, cursorList, dateInput, exportButton, field, filterForm, filterSelect, link, listQuery, orgPath, problemText, type ScreenContext } from './ui';

// ---------------------------------------------------------------- receipts

export async function receiptsScreen(ctx: ScreenContext, ofc: string, params: URLSearchParams): Promise<void> {
  const form = filterForm(
    'filtro-ricevute',
    'Filtra le ricevute',
    [field('ricevute-dal', 'Registrate dal', dateInput('ricevute-dal', 'from', params.get('from'))), field('ricevute-al', 'Registrate fino al', dateInput('ricevute-al', 'to', params.get('to')))],
    (next) => (location.hash = link(ofc, 'ricevute', undefined, next)),
  );
  const window = listQuery(params, ['from', 'to']);
  const outcome = h('div', { id: 'esito' });
  const results = h('div', { id: 'area-risultati' });
  ctx.render('Ricevute di pagamento', form, outcome, h('div', { class: 'mb-3' }, exportButton(ctx, `${orgPath(ofc)}/receipts/export?${window}`, `ricevute-${ofc}.csv`, outcome)), results);
  const query = listQuery(params, ['from', 'to', 'cursor']);
  query.set('limit', '20');
  await cursorList<ReceiptItem>(ctx, results, `${orgPath(ofc)}/receipts?${query}`, {
    empty: 'Nessuna ricevuta nel periodo.',
    noun: 'ricevute',
    tableId: 'ricevute',
    caption: 'Ricevute di pagamento',
    columns: ['Registrata il', 'Ricevuta', 'Codice avviso', 'Posizione', 'Esito', 'Importo', 'PSP', 'Pagatore'],
    row: (r) => [
      h('td', {}, formatDateTime(r.recordedAt)),
      h('th', { scope: 'row' }, r.receiptId),
      h('td', {}, formatNoticeNumber(r.nav)),
      h('td', {}, r.iupd ? h('a', { href: link(ofc, 'posizioni', r.iupd) }, r.iupd) : '—'),
      h('td', {}, r.state === 'APPLIED' ? 'Riuscito' : 'Non riuscito (KO)'),
      h('td', {}, formatCents(r.paymentAmount)),
      h('td', {}, r.pspCompanyName),
      h('td', {}, r.payer ? `${r.payer.fullName} (${r.payer.fiscalCode})` : '—'),
    ],
    next: (cursor) => link(ofc, 'ricevute', undefined, { ...Object.fromEntries(window), cursor }),
  });
}

// ---------------------------------------------------------------- anomalies

const stateBadge = (a: Anomaly) => h('span', { class: `badge ${a.handled ? 'bg-success' : 'bg-danger'}` }, a.handled ? 'Gestita' : 'Da gestire');

export async function anomaliesScreen(ctx: ScreenContext, ofc: string, params: URLSearchParams): Promise<void> {
  const form = filterForm(
    'filtro-anomalie',
    'Filtra le anomalie',
    [
      field('anomalie-dal', 'Registrate dal', dateInput('anomalie-dal', 'from', params.get('from')), 'col-md-3'),
      field('anomalie-al', 'Registrate fino al', dateInput('anomalie-al', 'to', params.get('to')), 'col-md-3'),
      field(
        'anomalie-tipo',
        'Tipo',
        filterSelect('anomalie-tipo', 'kind', 'Tutti', ANOMALY_LABELS, params.get('kind')),
        'col-md-3',
      ),
      field(
        'anomalie-stato',
        'Stato',
        filterSelect('anomalie-stato', 'state', 'Tutte', { open: 'Da gestire', handled: 'Gestite' }, params.get('state')),
        'col-md-3',
      ),
    ],
    (next) => (location.hash = link(ofc, 'anomalie', undefined, next)),
  );
  const filters = listQuery(params, ['from', 'to', 'kind', 'state']);
  const outcome = h('div', { id: 'esito' });
  const results = h('div', { id: 'area-risultati' });
  ctx.render(
    'Anomalie dei pagamenti',
    h('p', {}, 'Pagamenti arrivati che non è stato possibile applicare a una posizione: vanno verificati e, se serve, rimborsati o riconciliati a mano.'),
    form,
    outcome,
    h('div', { class: 'mb-3' }, exportButton(ctx, `${orgPath(ofc)}/anomalies/export?${filters}`, `anomalie-${ofc}.csv`, outcome)),
    results,
  );
  const query = listQuery(params, ['from', 'to', 'kind', 'state', 'cursor']);
  query.set('limit', '20');
  await cursorList<Anomaly>(ctx, results, `${orgPath(ofc)}/anomalies?${query}`, {
    empty: 'Nessuna anomalia con questi filtri.',
    noun: 'anomalie',
    tableId: 'anomalie',
    caption: 'Anomalie dei pagamenti',
    columns: ['Registrata il', 'Tipo', 'Codice avviso', 'Importo', 'Stato', 'Dettaglio'],
    row: (a) => [
      h('td', {}, formatDateTime(a.recordedAt)),
      h('th', { scope: 'row' }, h('a', { href: link(ofc, 'anomalie', a.anomalyId) }, ANOMALY_LABELS[a.kind] ?? a.kind)),
      h('td', {}, formatNoticeNumber(a.nav)),
      h('td', {}, a.paymentAmount !== undefined ? formatCents(a.paymentAmount) : '—'),
      h('td', {}, stateBadge(a)),
      h('td', {}, a.detail),
    ],
    next: (cursor) => link(ofc, 'anomalie', undefined, { ...Object.fromEntries(filters), cursor }),
  });
}

export async function anomalyScreen(ctx: ScreenContext, ofc: string, anomalyId: string, notice?: HTMLElement): Promise<void> {
  const path = `${orgPath(ofc)}/anomalies/${encodeURIComponent(anomalyId)}`;
  let a: Anomaly;
  try {
    a = await getJson<Anomaly>(path);
  } catch (error) {
    if (error instanceof SignedOut) throw error;
    return ctx.render('Anomalia', alertBox('danger', problemText(error)), h('a', { href: link(ofc, 'anomalie') }, 'Torna alle anomalie'));
  }
  const dl = h('dl', { class: 'row', id: 'dati-anomalia' });
  const row = (k: string, v: Node | string) => dl.append(h('dt', { class: 'col-sm-3' }, k), h('dd', { class: 'col-sm-9' }, v));
  row('Tipo', ANOMALY_LABELS[a.kind] ?? a.kind);
  row('Stato', stateBadge(a));
  row('Dettaglio', a.detail);
  row('Registrata il', formatDateTime(a.recordedAt));
  row('Codice avviso', formatNoticeNumber(a.nav));
  row('IUV', a.iuv);
  if (a.iupd) row('Posizione', h('a', { href: link(ofc, 'posizioni', a.iupd) }, a.iupd));
  if (a.receiptId) row('Ricevuta', a.receiptId);
  if (a.paymentAmount !== undefined) row('Importo pagato', formatCents(a.paymentAmount));
  if (a.paymentDateTime) row('Pagato il', formatDateTime(a.paymentDateTime));
  if (a.pspCompanyName) row('PSP', a.pspCompanyName);
  if (a.payer) row('Pagatore', `${a.payer.fullName} (${a.payer.fiscalCode})`);
  const notes =
    a.notes.length === 0
      ? h('p', { id: 'note' }, 'Nessuna nota.')
      : h(
          'table',
          { class: 'table table-sm', id: 'note' },
          h('caption', {}, 'Note, dalla prima'),
          h('thead', {}, h('tr', {}, ...['Quando', 'Chi', 'Nota', 'Esito'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...a.notes.map((n) => h('tr', {}, h('td', {}, formatDateTime(n.at)), h('td', {}, formatActedBy(n.by)), h('td', {}, n.text), h('td', {}, n.handled ? 'Gestita' : 'Da gestire')))),
        );
  const outcome = h('div', { id: 'esito' }, notice ?? '');
  let form: HTMLFormElement | null = null;
  if (ctx.canWrite) {
    const text = h('textarea', { class: 'form-control', id: 'nota', name: 'note', rows: 3, maxlength: 1000, required: true });
    const handled = h('input', { class: 'form-check-input', type: 'checkbox', id: 'gestita', checked: true });
    form = h(
      'form',
      { class: 'row g-3', id: 'aggiungi-nota', novalidate: true },
      field('nota', 'Nota (che cosa è stato verificato o fatto)', text, 'col-12'),
      h('div', { class: 'col-12 form-check' }, handled, h('label', { for: 'gestita', class: 'form-check-label' }, 'Segna l’anomalia come gestita (senza spunta resta, o torna, da gestire)')),
      h('div', { class: 'col-12' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'salva-nota' }, 'Salva la nota')),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void (async () => {
        try {
          await postJson(`${path}/notes`, { note: text.value, handled: handled.checked });
          await anomalyScreen(ctx, ofc, anomalyId, alertBox('success', handled.checked ? 'Nota salvata: anomalia gestita.' : 'Nota salvata: anomalia da gestire.'));
        } catch (error) {
          if (error instanceof SignedOut) return ctx.signedOut();
          outcome.replaceChildren(alertBox('danger', problemText(error)));
          text.setAttribute('aria-invalid', 'true');
          text.focus();
        }
      })();
    });
  }
  ctx.render(
    `Anomalia: ${ANOMALY_LABELS[a.kind] ?? a.kind}`,
    h('p', {}, h('a', { href: link(ofc, 'anomalie') }, 'Torna alle anomalie')),
    outcome,
    dl,
    h('h2', { class: 'h4' }, 'Note'),
    notes,
    form ? h('h2', { class: 'h4 mt-4' }, 'Aggiungi una nota') : null,
    form,
  );
  if (notice) announce(notice.textContent ?? '');
}
