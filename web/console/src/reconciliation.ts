/**
 * The ragioneria's reconciliation: from the receipt (paid) to pagoPA's reporting flow (reported)
 * to the treasury's credit (credited), for a window of days; the flows with each line's match,
 * the treasury movements, and the open items (reconciliation anomalies). The same reads as the
 * back office's /reconciliation routes.
 */
import { SignedOut, getJson } from './api';
import { h } from './dom';
import { formatCents, formatDate, formatDateTime, formatNoticeNumber } from './format';
import { alertBox, cursorList, dateInput, exportButton, field, filterForm, filterSelect, link, listQuery, orgPath, problemText, type ScreenContext } from './ui';

interface Tally {
  count: number;
  amount: number;
}
interface Summary {
  paid: Tally;
  reported: Tally;
  credited: Tally;
  open: Tally;
  notCredited: Tally;
}
interface Flow {
  flowId: string;
  pspId: string;
  pspName?: string;
  revision: number;
  flowDate: string;
  regulation: string;
  regulationDate: string;
  totPayments: number;
  sumPayments: number;
  status: 'MATCHED' | 'ANOMALOUS';
  lines: Record<string, Tally>;
  headerProblems: string[];
  treasury?: { movementId: string; amount: number; status: string; at: string };
}
interface FlowLine {
  index: number;
  iuv: string;
  iur: string;
  idTransfer: number;
  amount: number;
  payStatus: string;
  payDate: string;
  matchStatus: string;
  iupd?: string;
  nav?: string;
  detail?: string;
}
interface Movement {
  movementId: string;
  valueDate: string;
  amount: number;
  remittanceInformation: string;
  flowId?: string;
  state: string;
  detail?: string;
}
interface ReconciliationAnomaly {
  kind: string;
  ref: string;
  detail: string;
  recordedAt: string;
  flowId?: string;
  iuv?: string;
  amount?: number;
  resolvedAt?: string;
}

const LINE_LABELS: Record<string, string> = {
  MATCHED: 'Abbinata alla ricevuta',
  NO_RECEIPT: 'Senza ricevuta',
  AMOUNT_MISMATCH: 'Importo diverso',
  OTHER_INTERMEDIARY: 'Altro intermediario',
  REVOKED: 'Revocata',
  DUPLICATE_LINE: 'Riga duplicata',
};
const MOVEMENT_LABELS: Record<string, string> = { CREDITED: 'Abbinato al flusso', AMOUNT_DIFFERS: 'Importo diverso dal flusso', OPEN: 'Da abbinare', REVERSED: 'Stornato' };
const ANOMALY_LABELS: Record<string, string> = {
  LINE_WITHOUT_RECEIPT: 'Riga del flusso senza ricevuta',
  AMOUNT_MISMATCH: 'Importo del flusso diverso dalla ricevuta',
  HEADER_MISMATCH: 'Totali del flusso incoerenti',
  OTHER_INTERMEDIARY: 'Pagamento di un altro intermediario',
  TREASURY_AMOUNT_MISMATCH: 'Accredito di tesoreria diverso dal flusso',
  TREASURY_UNKNOWN_FLOW: 'Accredito senza flusso',
  RECEIPT_NOT_REPORTED: 'Ricevuta non rendicontata nei termini',
};

const tally = (t: Tally) => `${t.count} · ${formatCents(t.amount)}`;

/** The summary of a window, the export, and the open items. */
export async function reconciliationScreen(ctx: ScreenContext, ofc: string, params: URLSearchParams): Promise<void> {
  const window = listQuery(params, ['from', 'to']);
  const form = filterForm(
    'filtro-riconciliazione',
    'Periodo della riconciliazione',
    [field('ric-dal', 'Ricevute registrate dal', dateInput('ric-dal', 'from', params.get('from'))), field('ric-al', 'fino al', dateInput('ric-al', 'to', params.get('to')))],
    (next) => (location.hash = link(ofc, 'riconciliazione', undefined, next)),
  );
  const outcome = h('div', { id: 'esito' });
  let summary: Summary;
  try {
    summary = await getJson<Summary>(`${orgPath(ofc)}/reconciliation?${window}`);
  } catch (error) {
    if (error instanceof SignedOut) throw error;
    return ctx.render('Riconciliazione', form, alertBox('danger', problemText(error)));
  }
  const card = (id: string, t: Tally, label: string, hint: string) =>
    h('li', { class: 'col-12 col-md-4 mb-3' }, h('div', { class: 'card card-bg p-3' }, h('p', { class: 'h4 mb-1', id }, tally(t)), h('p', { class: 'mb-0 fw-bold' }, label), h('p', { class: 'mb-0 small' }, hint)));
  const cards = h(
    'ul',
    { class: 'row list-unstyled', id: 'riepilogo', 'aria-label': 'Riepilogo dei trasferimenti del periodo' },
    card('pagati', summary.paid, 'Pagati', 'trasferimenti delle ricevute del periodo'),
    card('rendicontati', summary.reported, 'Rendicontati', 'riportati da un flusso di rendicontazione pagoPA'),
    card('accreditati', summary.credited, 'Accreditati', 'il cui flusso è stato accreditato in tesoreria'),
    card('non-rendicontati', summary.open, 'Non ancora rendicontati', 'pagati, nessun flusso li riporta ancora'),
    card('non-accreditati', summary.notCredited, 'Non ancora accreditati', 'rendicontati, nessun accredito di tesoreria ancora'),
  );
  const open = h('div', { id: 'partite-aperte' });
  ctx.render(
    'Riconciliazione',
    h('p', {}, 'Dalla ricevuta del pagamento al flusso di rendicontazione del PSP fino all’accredito sul conto di tesoreria.'),
    form,
    outcome,
    cards,
    h(
      'p',
      { class: 'd-flex flex-wrap gap-2' },
      exportButton(ctx, `${orgPath(ofc)}/reconciliation/export?${window}`, `riconciliazione-${ofc}.csv`, outcome),
      h('a', { class: 'btn btn-outline-primary', href: link(ofc, 'flussi') }, 'Flussi di rendicontazione'),
      h('a', { class: 'btn btn-outline-primary', href: link(ofc, 'tesoreria') }, 'Movimenti di tesoreria'),
    ),
    h('h2', { class: 'h4 mt-4' }, 'Partite aperte'),
    open,
  );
  await cursorList<ReconciliationAnomaly>(ctx, open, `${orgPath(ofc)}/reconciliation/anomalies?open=true&limit=20${params.get('cursor') ? `&cursor=${encodeURIComponent(params.get('cursor')!)}` : ''}`, {
    itemsKey: 'anomalies',
    empty: 'Nessuna partita aperta.',
    noun: 'partite aperte',
    tableId: 'anomalie-riconciliazione',
    caption: 'Partite aperte della riconciliazione',
    columns: ['Registrata il', 'Tipo', 'Riferimento', 'IUV', 'Importo', 'Dettaglio'],
    row: (a) => [
      h('td', {}, formatDateTime(a.recordedAt)),
      h('th', { scope: 'row' }, ANOMALY_LABELS[a.kind] ?? a.kind),
      h('td', {}, a.flowId ? h('a', { href: link(ofc, 'flussi', a.flowId) }, a.ref) : a.ref),
      h('td', {}, a.iuv ?? '—'),
      h('td', {}, a.amount !== undefined ? formatCents(a.amount) : '—'),
      h('td', {}, a.detail),
    ],
    next: (cursor) => link(ofc, 'riconciliazione', undefined, { ...Object.fromEntries(window), cursor }),
  });
}

export async function flowsScreen(ctx: ScreenContext, ofc: string, params: URLSearchParams): Promise<void> {
  const form = filterForm(
    'filtro-flussi',
    'Filtra i flussi',
    [
      field('flussi-dal', 'Data del flusso dal', dateInput('flussi-dal', 'from', params.get('from'))),
      field('flussi-al', 'fino al', dateInput('flussi-al', 'to', params.get('to'))),
      field(
        'flussi-stato',
        'Esito',
        filterSelect('flussi-stato', 'status', 'Tutti', { MATCHED: 'Quadrati', ANOMALOUS: 'Con anomalie' }, params.get('status')),
      ),
    ],
    (next) => (location.hash = link(ofc, 'flussi', undefined, next)),
  );
  const filters = listQuery(params, ['from', 'to', 'status']);
  const query = listQuery(params, ['from', 'to', 'status', 'cursor']);
  query.set('limit', '20');
  const results = h('div', { id: 'area-risultati' });
  ctx.render('Flussi di rendicontazione', h('p', {}, h('a', { href: link(ofc, 'riconciliazione') }, 'Torna alla riconciliazione')), form, results);
  await cursorList<Flow>(ctx, results, `${orgPath(ofc)}/reportingflows?${query}`, {
    itemsKey: 'reportingFlows',
    empty: 'Nessun flusso con questi filtri.',
    noun: 'flussi',
    tableId: 'flussi',
    caption: 'Flussi di rendicontazione',
    columns: ['Flusso', 'PSP', 'Data', 'Pagamenti', 'Totale', 'Esito', 'Tesoreria'],
    row: (f) => [
      h('th', { scope: 'row' }, h('a', { href: link(ofc, 'flussi', f.flowId, { pspId: f.pspId }) }, f.flowId)),
      h('td', {}, f.pspName ?? f.pspId),
      h('td', {}, formatDate(f.flowDate)),
      h('td', {}, f.totPayments),
      h('td', {}, formatCents(f.sumPayments)),
      h('td', {}, h('span', { class: `badge ${f.status === 'MATCHED' ? 'bg-success' : 'bg-danger'}` }, f.status === 'MATCHED' ? 'Quadrato' : 'Con anomalie')),
      h('td', {}, f.treasury ? `${MOVEMENT_LABELS[f.treasury.status] ?? f.treasury.status} (${formatCents(f.treasury.amount)})` : 'Non ancora accreditato'),
    ],
    next: (cursor) => link(ofc, 'flussi', undefined, { ...Object.fromEntries(filters), cursor }),
  });
}

export async function flowScreen(ctx: ScreenContext, ofc: string, flowId: string, params: URLSearchParams): Promise<void> {
  const pspId = params.get('pspId');
  let flow: Flow & { payments: FlowLine[] };
  try {
    flow = await getJson(`${orgPath(ofc)}/reportingflows/${encodeURIComponent(flowId)}${pspId ? `?pspId=${encodeURIComponent(pspId)}` : ''}`);
  } catch (error) {
    if (error instanceof SignedOut) throw error;
    return ctx.render('Flusso di rendicontazione', alertBox('danger', problemText(error)), h('a', { href: link(ofc, 'flussi') }, 'Torna ai flussi'));
  }
  const dl = h('dl', { class: 'row', id: 'dati-flusso' });
  const row = (k: string, v: Node | string) => dl.append(h('dt', { class: 'col-sm-3' }, k), h('dd', { class: 'col-sm-9' }, v));
  row('PSP', `${flow.pspName ?? ''} (${flow.pspId})`);
  row('Revisione', String(flow.revision));
  row('Data del flusso', formatDate(flow.flowDate));
  row('Regolamento', `${flow.regulation} del ${formatDate(flow.regulationDate)}`);
  row('Pagamenti dichiarati', `${flow.totPayments}, ${formatCents(flow.sumPayments)}`);
  row('Esito', flow.status === 'MATCHED' ? 'Quadrato: ogni riga ha la sua ricevuta e i totali tornano' : 'Con anomalie');
  if (flow.headerProblems.length > 0) row('Problemi dei totali', h('ul', { class: 'mb-0' }, ...flow.headerProblems.map((p) => h('li', {}, p))));
  row('Tesoreria', flow.treasury ? `${MOVEMENT_LABELS[flow.treasury.status] ?? flow.treasury.status}: ${formatCents(flow.treasury.amount)} (movimento ${flow.treasury.movementId})` : 'Non ancora accreditato');
  const lines = h(
    'div',
    { class: 'table-responsive' },
    h(
      'table',
      { class: 'table table-sm', id: 'righe-flusso' },
      h('caption', {}, 'Righe del flusso e abbinamento alle ricevute'),
      h('thead', {}, h('tr', {}, ...['#', 'IUV', 'IUR', 'Importo', 'Pagato il', 'Abbinamento', 'Posizione'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...flow.payments.map((l) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, l.index),
            h('td', {}, l.nav ? `${l.iuv} (avviso ${formatNoticeNumber(l.nav)})` : l.iuv),
            h('td', {}, l.iur),
            h('td', {}, formatCents(l.amount)),
            h('td', {}, formatDate(l.payDate)),
            h('td', {}, `${LINE_LABELS[l.matchStatus] ?? l.matchStatus}${l.detail ? `: ${l.detail}` : ''}`),
            h('td', {}, l.iupd ? h('a', { href: link(ofc, 'posizioni', l.iupd) }, l.iupd) : '—'),
          ),
        ),
      ),
    ),
  );
  ctx.render(`Flusso ${flow.flowId}`, h('p', {}, h('a', { href: link(ofc, 'flussi') }, 'Torna ai flussi')), dl, lines);
}

export async function treasuryScreen(ctx: ScreenContext, ofc: string, params: URLSearchParams): Promise<void> {
  const form = filterForm(
    'filtro-tesoreria',
    'Filtra i movimenti',
    [
      field('tes-dal', 'Data valuta dal', dateInput('tes-dal', 'from', params.get('from'))),
      field('tes-al', 'fino al', dateInput('tes-al', 'to', params.get('to'))),
      field(
        'tes-stato',
        'Stato',
        filterSelect('tes-stato', 'status', 'Tutti', MOVEMENT_LABELS, params.get('status')),
      ),
    ],
    (next) => (location.hash = link(ofc, 'tesoreria', undefined, next)),
  );
  const filters = listQuery(params, ['from', 'to', 'status']);
  const query = listQuery(params, ['from', 'to', 'status', 'cursor']);
  query.set('limit', '20');
  const results = h('div', { id: 'area-risultati' });
  ctx.render('Movimenti di tesoreria', h('p', {}, h('a', { href: link(ofc, 'riconciliazione') }, 'Torna alla riconciliazione')), form, results);
  await cursorList<Movement>(ctx, results, `${orgPath(ofc)}/treasury/movements?${query}`, {
    itemsKey: 'movements',
    empty: 'Nessun movimento con questi filtri.',
    noun: 'movimenti',
    tableId: 'movimenti',
    caption: 'Movimenti di tesoreria',
    columns: ['Valuta', 'Importo', 'Causale', 'Flusso', 'Stato'],
    row: (m) => [
      h('td', {}, formatDate(m.valueDate)),
      h('th', { scope: 'row' }, formatCents(m.amount)),
      h('td', {}, m.remittanceInformation),
      h('td', {}, m.flowId ? h('a', { href: link(ofc, 'flussi', m.flowId) }, m.flowId) : '—'),
      h('td', {}, `${MOVEMENT_LABELS[m.state] ?? m.state}${m.detail ? `: ${m.detail}` : ''}`),
    ],
    next: (cursor) => link(ofc, 'tesoreria', undefined, { ...Object.fromEntries(filters), cursor }),
  });
}
