/**
 * The operator console: one page, routes in the fragment (#/<organization>/<screen>), every screen
 * read from the console API. What an operator may do is decided by the API (403); the page only
 * does not offer what their role cannot do.
 */
import { SignedOut, getBlob, getJson, postJson, setApiBase, type AuditLine, type Dashboard, type Me, type Page, type Position, type ReceiptLine, type MessageLine, type Transfer } from './api';
import { completeSignIn, currentSession, signIn, signOut, type ConsoleConfig } from './auth';
import { announce, h, show } from './dom';
import { actionButton, alertBox, field, filterSelect, link, orgPath, problemText, saveDownload, statusBadge, type ScreenContext } from './ui';
import { anomaliesScreen, anomalyScreen, receiptsScreen } from './receipts';
import { apiKeysScreen } from './keys';
import { deadLettersScreen, type QueueDeadLetters } from './dead-letters';
import { templatesScreen } from './templates';
import { deliveryOutcome, redeliverButton, webhookDeliveriesScreen, webhooksScreen, type Delivery } from './webhooks';
import { createScreen, editScreen, editableInForm } from './position-form';
import { UPLOAD_STATES, uploadScreen, uploadsScreen } from './uploads';
import { flowScreen, flowsScreen, reconciliationScreen, treasuryScreen } from './reconciliation';
import { ROLE_LABELS, STATUSES, STATUS_LABELS, formatActedBy, formatCents, formatDate, formatDateTime, formatNoticeNumber, formatOwnDeadLetters, romeDay } from './format';

const main = document.getElementById('contenuto') as HTMLElement;
const sessionZone = document.getElementById('sessione') as HTMLElement;
const nav = document.getElementById('navigazione') as HTMLElement;

let config: ConsoleConfig;
let me: Me | undefined;
const ORG_KEY = 'console.organization';

/** bumped at every navigation: a screen whose data arrives after the operator moved on is not shown */
let generation = 0;
function render(g: number, title: string, ...children: Parameters<typeof show>[2][]): void {
  if (g === generation) show(main, title, ...children);
}

const canWrite = () => me?.operator.role === 'operator' || me?.operator.role === 'admin';
const canAdmin = () => me?.operator.role === 'admin';

/** what a screen of another module needs of this page, for the navigation now starting */
function screenContext(): ScreenContext {
  const g = generation;
  return {
    render: (title, ...children) => render(g, title, ...children),
    current: () => g === generation,
    canWrite: canWrite(),
    canAdmin: canAdmin(),
    signedOut: () => signInScreen('La sessione è scaduta: accedi di nuovo.'),
  };
}

interface Route {
  readonly ofc?: string;
  readonly screen: string;
  readonly id?: string;
  readonly params: URLSearchParams;
}

function parseRoute(): Route {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [ofc, screen = 'cruscotto', id] = path.split('/').map(decodeURIComponent);
  return { ofc: ofc || undefined, screen, id, params: new URLSearchParams(query) };
}

// ---------------------------------------------------------------- chrome

function renderChrome(current?: string): void {
  sessionZone.replaceChildren();
  nav.replaceChildren();
  if (!me) return;
  const orgs = me.organizations;
  if (orgs.length > 1) {
    const select = h(
      'select',
      { id: 'ente', class: 'form-select form-select-sm', onchange: (e: Event) => switchOrganization((e.target as HTMLSelectElement).value) },
      ...orgs.map((o) => h('option', { value: o.fiscalCode, selected: o.fiscalCode === current }, `${o.name} (${o.fiscalCode})`)),
    );
    sessionZone.append(h('div', { class: 'd-flex align-items-center me-3' }, h('label', { for: 'ente', class: 'me-2 text-white mb-0' }, 'Ente'), select));
  } else if (orgs[0]) {
    sessionZone.append(h('span', { class: 'me-3 text-white' }, orgs[0].name));
  }
  sessionZone.append(
    h('span', { class: 'me-3 text-white', id: 'operatore' }, `${me.operator.name} · ${ROLE_LABELS[me.operator.role] ?? me.operator.role}`),
    h('button', { type: 'button', class: 'btn btn-sm btn-esci', id: 'esci', onclick: () => void signOut(config) }, 'Esci'),
  );
  if (!current) return;
  const here = parseRoute().screen;
  // a tab stays current on the screens under it (the flows and the treasury are reconciliation's)
  const under: Record<string, string> = { flussi: 'riconciliazione', tesoreria: 'riconciliazione' };
  const item = (screen: string, label: string) => {
    const active = (under[here] ?? here) === screen;
    return h('li', { class: 'nav-item' }, h('a', { class: `nav-link${active ? ' active' : ''}`, href: link(current, screen), ...(active ? { 'aria-current': 'page' } : {}) }, label));
  };
  nav.append(
    h(
      'div',
      { class: 'container' },
      h('ul', { class: 'nav nav-tabs my-3' }, item('cruscotto', 'Cruscotto'), item('posizioni', 'Posizioni debitorie'), canWrite() ? item('nuova', 'Nuova posizione') : null, item('caricamenti', 'Caricamento liste'), item('ricevute', 'Ricevute'), item('anomalie', 'Anomalie'), item('riconciliazione', 'Riconciliazione'), item('messaggi-io', 'Messaggi IO'), item('webhook', 'Webhook'), canAdmin() ? item('code-di-scarto', 'Code di scarto') : null, canAdmin() ? item('chiavi', 'Chiavi API') : null),
    ),
  );
}

function switchOrganization(ofc: string): void {
  sessionStorage.setItem(ORG_KEY, ofc);
  location.hash = link(ofc, parseRoute().screen === 'nuova' && canWrite() ? 'nuova' : parseRoute().screen === 'posizioni' ? 'posizioni' : 'cruscotto');
}

// ---------------------------------------------------------------- screens

function signInScreen(message?: string): void {
  renderChrome();
  show(
    main,
    'Accedi alla console',
    message ? alertBox('info', message) : null,
    h('p', {}, 'La console permette agli uffici del Comune di consultare e gestire le posizioni debitorie pagoPA.'),
    h('button', { type: 'button', class: 'btn btn-primary', id: 'accedi', onclick: () => void signIn(config, location.hash) }, 'Accedi'),
  );
}

async function dashboardScreen(ofc: string): Promise<void> {
  const g = generation;
  const d = await getJson<Dashboard>(`${orgPath(ofc)}/dashboard`);
  const org = me?.organizations.find((o) => o.fiscalCode === ofc);
  const cards = h(
    'ul',
    { class: 'row list-unstyled', 'aria-label': 'Posizioni per stato' },
    h('li', { class: 'col-6 col-md-3 mb-3' }, h('div', { class: 'card card-bg p-3' }, h('p', { class: 'h3 mb-1', id: 'totale' }, String(d.total)), h('p', { class: 'mb-0' }, 'Posizioni in tutto'))),
    ...STATUSES.map((s) =>
      h(
        'li',
        { class: 'col-6 col-md-3 mb-3' },
        h(
          'div',
          { class: 'card card-bg p-3' },
          h('p', { class: 'h3 mb-1', 'data-stato': s }, String(d.byStatus[s] ?? 0)),
          h('p', { class: 'mb-0' }, h('a', { href: link(ofc, 'posizioni', undefined, { status: s }) }, STATUS_LABELS[s] ?? s)),
        ),
      ),
    ),
  );
  // the deployment's dead-letter queues: the administrator's (the API refuses the others, 403)
  const deadLetters = canAdmin()
    ? h(
        'section',
        { 'aria-labelledby': 'titolo-code-di-scarto' },
        h('h2', { class: 'h4 mt-4', id: 'titolo-code-di-scarto' }, 'Code di scarto'),
        h('div', { id: 'code-di-scarto-cruscotto', 'aria-busy': 'true' }, h('p', { class: 'mb-0' }, 'Lettura delle code di scarto…')),
      )
    : null;
  const figure = (id: string, value: string, label: Node | string) =>
    h('li', { class: 'col-6 col-md-3 mb-3' }, h('div', { class: 'card card-bg p-3' }, h('p', { class: 'h3 mb-1', id }, value), h('p', { class: 'mb-0' }, label)));
  const payments = h(
    'ul',
    { class: 'row list-unstyled', 'aria-label': 'Pagamenti e anomalie' },
    figure('pagati-oggi', `${d.payments.today.count} · ${formatCents(d.payments.today.amount)}`, 'Pagamenti ricevuti oggi'),
    figure('pagati-mese', `${d.payments.month.count} · ${formatCents(d.payments.month.amount)}`, 'Pagamenti ricevuti questo mese'),
    figure('anomalie-aperte', String(d.openAnomalies), h('a', { href: link(ofc, 'anomalie', undefined, { state: 'open' }) }, 'Anomalie da gestire')),
    figure(
      'messaggi-oggi',
      String(d.messagesToday.io + d.messagesToday.email),
      `Messaggi di oggi ai cittadini: ${d.messagesToday.io} in App IO, ${d.messagesToday.email} per e-mail, ${d.messagesToday.skipped} non dovuti, ${d.messagesToday.failed} non inviati${d.messagesToday.pending ? `, ${d.messagesToday.pending} in invio` : ''}`,
    ),
  );
  render(
    g,
    `Cruscotto · ${org?.name ?? ofc}`,
    d.complete ? null : alertBox('warning', 'Alcuni conteggi non sono disponibili in questo momento: riprova tra poco.'),
    h('h2', { class: 'h4' }, 'Pagamenti'),
    payments,
    h('h2', { class: 'h4' }, 'Posizioni per stato'),
    cards,
    h('h2', { class: 'h4 mt-4' }, 'Ultime posizioni create'),
    positionsTable(ofc, d.recent, 'Ultime posizioni create'),
    h('h2', { class: 'h4 mt-4' }, 'Ultimi caricamenti di liste'),
    d.uploads.length === 0
      ? h('p', { id: 'ultimi-caricamenti' }, 'Nessun caricamento negli ultimi 30 giorni.')
      : h(
          'ul',
          { id: 'ultimi-caricamenti' },
          ...d.uploads.map((u) => h('li', {}, h('a', { href: link(ofc, 'caricamenti', u.fileId) }, u.fileName), ` · ${formatDateTime(u.startTime)} · ${UPLOAD_STATES[u.operationStatus] ?? u.operationStatus} · ${u.processedItem} di ${u.submittedItem} righe`)),
        ),
    deadLetters,
  );
  if (deadLetters) void fillDeadLetterDepths(g, ofc, deadLetters);
}

/**
 * The dashboard's dead-letter queues (administrators: the Code di scarto screen's own read, after
 * the rest of the dashboard is drawn): each queue holding messages, how many, linking to that screen.
 */
async function fillDeadLetterDepths(g: number, ofc: string, box: HTMLElement): Promise<void> {
  const area = box.querySelector('#code-di-scarto-cruscotto') as HTMLElement;
  try {
    const { items } = await getJson<{ items: QueueDeadLetters[] }>(`${orgPath(ofc)}/deadletters`);
    if (g !== generation) return;
    const waiting = items.filter((q) => q.depth > 0);
    area.replaceChildren(
      waiting.length === 0
        ? h('p', { class: 'mb-0' }, 'Nessun messaggio nelle code di scarto: tutto è stato elaborato.')
        : h(
            'ul',
            { class: 'mb-0' },
            ...waiting.map((q) =>
              h(
                'li',
                { 'data-coda': q.queue },
                h('a', { href: link(ofc, 'code-di-scarto') }, h('code', {}, `${q.queue}-dlq`)),
                `: ${q.depth} ${q.depth === 1 ? 'messaggio in attesa' : 'messaggi in attesa'} (${formatOwnDeadLetters(q.messages.length, q.partial)} di questo ente)`,
              ),
            ),
          ),
    );
    area.removeAttribute('aria-busy');
  } catch (error) {
    if (error instanceof SignedOut) return signInScreen('La sessione è scaduta: accedi di nuovo.');
    if (g === generation) area.replaceChildren(alertBox('warning', `Code di scarto non disponibili in questo momento: ${problemText(error)}`));
  }
}

function positionsTable(ofc: string, items: readonly Position[], caption: string): HTMLElement {
  if (items.length === 0) return h('p', { id: 'nessun-risultato' }, 'Nessuna posizione.');
  return h(
    'div',
    { class: 'table-responsive' },
    h(
      'table',
      { class: 'table table-striped', id: 'risultati' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, ...['IUPD', 'Debitore', 'Codice avviso', 'Importo', 'Scadenza', 'Stato'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...items.map((p) => {
          const first = p.paymentOption?.[0];
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('a', { href: link(ofc, 'posizioni', p.iupd) }, p.iupd)),
            h('td', {}, p.fullName),
            h('td', {}, formatNoticeNumber(first?.nav)),
            h('td', {}, first ? formatCents(first.amount) : '—'),
            h('td', {}, formatDate(first?.dueDate)),
            h('td', {}, statusBadge(p.status)),
          );
        }),
      ),
    ),
  );
}

async function positionsScreen(ofc: string, params: URLSearchParams): Promise<void> {
  const g = generation;
  const form = h(
    'form',
    { class: 'row g-3 mb-4', role: 'search', 'aria-label': 'Cerca posizioni', id: 'ricerca' },
    field('cerca-iupd', 'IUPD', h('input', { class: 'form-control', id: 'cerca-iupd', name: 'iupd', value: params.get('iupd') ?? '' })),
    field('cerca-avviso', 'Codice avviso', h('input', { class: 'form-control', id: 'cerca-avviso', name: 'notice_number', inputmode: 'numeric', value: params.get('notice_number') ?? '' })),
    field('cerca-debitore', 'Codice fiscale del debitore', h('input', { class: 'form-control', id: 'cerca-debitore', name: 'debtor', autocomplete: 'off', spellcheck: 'false', value: params.get('debtor') ?? '' })),
    field('cerca-nome', 'Nome del debitore', h('input', { class: 'form-control', id: 'cerca-nome', name: 'debtor_name', autocomplete: 'off', spellcheck: 'false', value: params.get('debtor_name') ?? '' }), 'col-md-4', 'L’inizio di nome o cognome, in qualsiasi ordine: «rossi m» trova «Mario Rossi»'),
    field(
      'cerca-stato',
      'Stato',
      filterSelect('cerca-stato', 'status', 'Tutti', STATUS_LABELS, params.get('status')),
    ),
    field('cerca-scadenza-dal', 'Scadenza dal', h('input', { class: 'form-control', type: 'date', id: 'cerca-scadenza-dal', name: 'due_date_from', value: params.get('due_date_from') ?? '' }), 'col-md-4', 'Con lo stato, non con IUPD, codice avviso o debitore'),
    field('cerca-scadenza-al', 'Scadenza fino al', h('input', { class: 'form-control', type: 'date', id: 'cerca-scadenza-al', name: 'due_date_to', value: params.get('due_date_to') ?? '' }), 'col-md-4'),
    h('div', { class: 'col-12' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Cerca')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const next: Record<string, string> = {};
    // codes lose their spaces; a name keeps one between its words
    for (const [k, v] of data) if (typeof v === 'string' && v.trim() !== '') next[k] = v.trim().replace(/\s+/g, k === 'debtor_name' ? ' ' : '');
    location.hash = link(ofc, 'posizioni', undefined, next);
  });
  const query = new URLSearchParams();
  for (const k of ['iupd', 'notice_number', 'debtor', 'debtor_name', 'cursor', 'status', 'page', 'due_date_from', 'due_date_to']) {
    const v = params.get(k);
    if (v) query.set(k, v);
  }
  query.set('limit', '20');
  const results = h('div', { id: 'area-risultati' });
  render(g, 'Posizioni debitorie', form, results);
  try {
    const page = await getJson<Page>(`${orgPath(ofc)}/debtpositions?${query}`);
    if (g !== generation) return;
    if (page.total === undefined) {
      // a debtor's positions (newest first) or the debtors' by name (by name): the next page by cursor
      const byName = params.get('debtor_name');
      const whose = byName ? `dei debitori «${byName}»` : 'del debitore';
      const summary = `${page.items.length} ${page.items.length === 1 ? 'posizione' : 'posizioni'} ${whose}${page.cursor ? ' in questa pagina' : ''}`;
      const same: Record<string, string> = byName ? { debtor_name: byName } : { debtor: params.get('debtor') ?? '' };
      const next = page.cursor ? h('a', { class: 'btn btn-outline-primary', href: link(ofc, 'posizioni', undefined, { ...same, cursor: page.cursor }) }, 'Posizioni successive') : null;
      results.append(h('p', { id: 'conteggio' }, summary), positionsTable(ofc, page.items, byName ? 'Posizioni per nome del debitore' : 'Posizioni del debitore'), next ?? '');
      announce(summary);
      return;
    }
    const pageNo = page.page ?? 0;
    const totalPages = page.totalPages ?? 0;
    const pager =
      totalPages > 1
        ? h(
            'nav',
            { 'aria-label': 'Pagine dei risultati', class: 'pagination-wrapper' },
            h(
              'ul',
              { class: 'pagination' },
              h('li', { class: `page-item${pageNo === 0 ? ' disabled' : ''}` }, pageNo === 0 ? h('span', { class: 'page-link' }, 'Precedente') : h('a', { class: 'page-link', href: link(ofc, 'posizioni', undefined, { ...Object.fromEntries(params), page: String(pageNo - 1) }) }, 'Precedente')),
              h('li', { class: 'page-item' }, h('span', { class: 'page-link', 'aria-current': 'page' }, `Pagina ${pageNo + 1} di ${totalPages}`)),
              h('li', { class: `page-item${pageNo + 1 >= totalPages ? ' disabled' : ''}` }, pageNo + 1 >= totalPages ? h('span', { class: 'page-link' }, 'Successiva') : h('a', { class: 'page-link', href: link(ofc, 'posizioni', undefined, { ...Object.fromEntries(params), page: String(pageNo + 1) }) }, 'Successiva')),
            ),
          )
        : null;
    const total = page.total;
    const summary = `${total} ${total === 1 ? 'posizione trovata' : 'posizioni trovate'}`;
    results.append(h('p', { id: 'conteggio' }, summary), positionsTable(ofc, page.items, 'Risultati della ricerca'), pager ?? '');
    announce(summary);
  } catch (error) {
    if (error instanceof SignedOut) throw error;
    results.append(alertBox('danger', problemText(error)));
  }
}

async function detailScreen(ofc: string, iupd: string, notice?: HTMLElement): Promise<void> {
  const g = generation;
  let data: { position: Position; audit: AuditLine[]; receipts: ReceiptLine[]; messages: MessageLine[]; webhookDeliveries: { items: Delivery[]; limit: number; more: boolean } };
  try {
    data = await getJson(`${orgPath(ofc)}/debtpositions/${encodeURIComponent(iupd)}`);
  } catch (error) {
    if (error instanceof SignedOut) throw error;
    render(g, 'Posizione debitoria', alertBox('danger', problemText(error)), h('a', { href: link(ofc, 'posizioni') }, 'Torna alla ricerca'));
    return;
  }
  const p = data.position;
  const outcome = h('div', { id: 'esito' }, notice ?? '');
  const actions = h('div', { class: 'd-flex flex-wrap gap-2 mb-4', id: 'azioni' });
  if (canWrite() && editableInForm(p)) actions.append(h('a', { class: 'btn btn-outline-primary', id: 'modifica', href: link(ofc, 'modifica', iupd) }, 'Modifica'));
  if (canWrite() && p.status === 'DRAFT') actions.append(actionButton('Pubblica', 'pubblica', () => transition(ofc, iupd, 'publish', 'Posizione pubblicata.')));
  if (canWrite() && (p.status === 'DRAFT' || p.status === 'PUBLISHED' || p.status === 'VALID')) {
    actions.append(
      actionButton('Annulla la posizione', 'annulla', () => {
        if (!confirm('Annullare la posizione? I cittadini non potranno più pagarla.')) return Promise.resolve();
        return transition(ofc, iupd, 'invalidate', 'Posizione annullata.');
      }, 'btn-outline-danger'),
    );
  }
  if (p.status === 'VALID' || p.status === 'PUBLISHED' || p.status === 'PARTIALLY_PAID') {
    actions.append(actionButton('Scarica avviso PDF', 'scarica-avviso', () => downloadNotice(ofc, iupd, outcome), 'btn-outline-primary'));
  }
  const dl = h('dl', { class: 'row', id: 'dati-posizione' });
  const row = (k: string, v: Node | string) => dl.append(h('dt', { class: 'col-sm-3' }, k), h('dd', { class: 'col-sm-9' }, v));
  row('IUPD', p.iupd);
  row('Stato', statusBadge(p.status));
  row('Debitore', `${p.fullName} (${p.type === 'G' ? 'persona giuridica' : 'persona fisica'})`);
  row('Codice fiscale / P. IVA', p.fiscalCode);
  row('Creata il', formatDateTime(p.insertedDate));
  if (p.publishDate) row('Pubblicata il', formatDateTime(p.publishDate));
  if (p.paymentDate) row('Pagata il', formatDateTime(p.paymentDate));
  const options = (p.paymentOption ?? []).map((o, i) =>
    h(
      'section',
      { class: 'mb-4', 'aria-labelledby': `opzione-${i}` },
      h('h3', { class: 'h5', id: `opzione-${i}` }, `Opzione di pagamento ${i + 1}: ${o.description ?? ''}`),
      h(
        'dl',
        { class: 'row' },
        h('dt', { class: 'col-sm-3' }, 'Codice avviso'),
        h('dd', { class: 'col-sm-9', 'data-campo': 'codice-avviso' }, formatNoticeNumber(o.nav)),
        h('dt', { class: 'col-sm-3' }, 'IUV'),
        h('dd', { class: 'col-sm-9' }, o.iuv ?? '—'),
        h('dt', { class: 'col-sm-3' }, 'Importo'),
        h('dd', { class: 'col-sm-9' }, formatCents(o.amount)),
        h('dt', { class: 'col-sm-3' }, 'Scadenza'),
        h('dd', { class: 'col-sm-9' }, formatDate(o.dueDate)),
        h('dt', { class: 'col-sm-3' }, 'Stato'),
        h('dd', { class: 'col-sm-9' }, OPTION_STATES[o.status ?? ''] ?? o.status ?? '—'),
      ),
      canWrite() && o.status === 'PO_UNPAID' && o.nav && PAYABLE.has(p.status) ? paidOutsideForm(ofc, iupd, o.nav, i) : null,
      h(
        'table',
        { class: 'table table-sm' },
        h('caption', {}, 'Trasferimenti'),
        h('thead', {}, h('tr', {}, ...['#', 'Importo', 'Causale', 'Tassonomia', 'Accredito', 'Ente beneficiario'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          ...(o.transfer ?? []).map((t) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, t.idTransfer),
              h('td', {}, formatCents(t.amount)),
              h('td', {}, t.remittanceInformation ?? ''),
              h('td', {}, t.category ?? ''),
              h('td', {}, creditOf(t)),
              h('td', {}, !t.organizationFiscalCode || t.organizationFiscalCode === ofc ? 'questo Ente' : t.organizationFiscalCode),
            ),
          ),
        ),
      ),
    ),
  );
  const receipts =
    data.receipts.length === 0
      ? h('p', { id: 'ricevute' }, 'Nessuna ricevuta di pagamento per gli avvisi di questa posizione.')
      : h(
          'table',
          { class: 'table table-sm', id: 'ricevute' },
          h('caption', {}, 'Ricevute di pagamento (pagoPA)'),
          h('thead', {}, h('tr', {}, ...['Ricevuta', 'Codice avviso', 'Esito', 'Importo', 'Pagata il', 'PSP', 'Pagatore', 'Registrata il'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            ...data.receipts.map((r) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, r.receiptId),
                h('td', {}, formatNoticeNumber(r.nav)),
                h('td', {}, r.state === 'APPLIED' ? 'Pagamento riuscito' : 'Pagamento non riuscito (KO)'),
                h('td', {}, `${formatCents(r.paymentAmount)}${r.fee !== undefined ? ` (commissione ${formatCents(r.fee)})` : ''}`),
                h('td', {}, r.paymentDateTime ? formatDateTime(r.paymentDateTime) : '—'),
                h('td', {}, `${r.pspCompanyName} (${r.idPSP})`),
                h('td', {}, r.payer ? `${r.payer.fullName} (${r.payer.fiscalCode})` : '—'),
                h('td', {}, formatDateTime(r.recordedAt)),
              ),
            ),
          ),
        );
  const messages =
    data.messages.length === 0
      ? h('p', { id: 'messaggi' }, 'Nessun messaggio App IO o e-mail per questa posizione.')
      : h(
          'table',
          { class: 'table table-sm', id: 'messaggi' },
          h('caption', {}, 'Messaggi App IO ed e-mail ai debitori'),
          h('thead', {}, h('tr', {}, ...['Codice avviso', 'Messaggio', 'Canale', 'Esito', 'Inviato il', 'Note'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            ...data.messages.map((m) =>
              h(
                'tr',
                {},
                h('td', {}, formatNoticeNumber(m.nav)),
                h('th', { scope: 'row' }, MESSAGE_KINDS[m.kind] ?? (m.kind.startsWith('reminder-') ? `Promemoria (${m.kind.slice(9, -1)} giorni prima)` : m.kind)),
                h('td', {}, m.channel === 'io' ? 'App IO' : m.channel === 'email' ? 'E-mail' : '—'),
                h('td', {}, MESSAGE_STATES[m.state] ?? m.state),
                h('td', {}, m.sentAt ? formatDateTime(m.sentAt) : '—'),
                h('td', {}, m.detail ?? ''),
              ),
            ),
          ),
        );
  const deliveries = data.webhookDeliveries;
  const ctx = screenContext();
  const webhooks =
    deliveries.items.length === 0
      ? h('p', { id: 'consegne-webhook' }, 'Nessuna consegna ai gestionali (webhook) per gli eventi di questa posizione.')
      : h(
          'div',
          { class: 'table-responsive' },
          h(
            'table',
            { class: 'table table-sm', id: 'consegne-webhook' },
            h('caption', {}, `Consegne ai gestionali degli eventi di questa posizione, dalla più recente (al massimo ${deliveries.limit})`),
            h('thead', {}, h('tr', {}, ...['Evento', 'Destinatario', 'Esito', 'Tentativi', 'Ultima risposta', 'Ultimo tentativo', 'Azioni'].map((t) => h('th', { scope: 'col' }, t)))),
            h(
              'tbody',
              {},
              ...deliveries.items.map((d) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, h('code', {}, d.eventType), h('br'), h('small', {}, d.eventId)),
                  h('td', {}, d.subscriber ? h('a', { href: link(ofc, 'webhook', d.subscriberId) }, d.subscriber.description || d.subscriber.url) : 'Destinatario rimosso'),
                  h('td', {}, deliveryOutcome(d)),
                  h('td', {}, d.attempts),
                  h('td', {}, d.lastStatusCode !== undefined ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')),
                  h('td', {}, formatDateTime(d.lastAttemptAt)),
                  h('td', {}, d.subscriber ? redeliverButton(ctx, ofc, d.subscriberId, d, outcome, (text) => detailScreen(ofc, iupd, alertBox('success', text)), d.subscriber.url) : ''),
                ),
              ),
            ),
          ),
        );
  const deliveriesNote = h(
    'p',
    { class: 'small', id: 'consegne-webhook-nota' },
    deliveries.more
      ? `Sono mostrate le ${deliveries.limit} consegne più recenti; le precedenti sono tra le consegne di ciascun destinatario (Webhook).`
      : `Le consegne degli ultimi 30 giorni, al massimo le ${deliveries.limit} più recenti.`,
  );
  const audit = h(
    'table',
    { class: 'table table-sm', id: 'storico' },
    h('caption', {}, 'Storico delle modifiche'),
    h('thead', {}, h('tr', {}, ...['Quando', 'Azione', 'Stato', 'Chi'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...data.audit.map((a) =>
        h(
          'tr',
          {},
          h('td', {}, formatDateTime(a.at)),
          h('td', {}, ACTIONS[a.action] ?? a.action),
          h('td', {}, a.toStatus ? `${a.fromStatus ? `${STATUS_LABELS[a.fromStatus] ?? a.fromStatus} → ` : ''}${STATUS_LABELS[a.toStatus] ?? a.toStatus}` : '—'),
          h('td', {}, formatActedBy(a.by)),
        ),
      ),
    ),
  );
  render(
    g,
    `Posizione ${p.iupd}`,
    h('p', {}, h('a', { href: link(ofc, 'posizioni') }, 'Torna alla ricerca')),
    outcome,
    actions,
    dl,
    h('h2', { class: 'h4' }, 'Opzioni di pagamento'),
    ...options,
    h('h2', { class: 'h4' }, 'Ricevute'),
    receipts,
    h('h2', { class: 'h4' }, 'Messaggi'),
    messages,
    h('h2', { class: 'h4' }, 'Consegne webhook'),
    deliveriesNote,
    webhooks,
    h('h2', { class: 'h4' }, 'Storico'),
    audit,
  );
  if (notice) announce(notice.textContent ?? '');
}

const PAYABLE = new Set(['VALID', 'PARTIALLY_PAID']);
/** GPD's option states */
const OPTION_STATES: Record<string, string> = { PO_UNPAID: 'Non pagata', PO_PAID: 'Pagata', PO_PARTIALLY_REPORTED: 'Rendicontata in parte', PO_REPORTED: 'Rendicontata' };
const MESSAGE_KINDS: Record<string, string> = { 'new-notice': 'Nuovo avviso', 'payment-received': 'Pagamento ricevuto', cancellation: 'Avviso annullato' };
const MESSAGE_STATES: Record<string, string> = { sent: 'Inviato', failed: 'Non inviato', skipped: 'Non dovuto', retry: 'Da ritentare', claimed: 'In invio' };

/** Where a transfer's money goes: the IBAN, the postal account (Poste), or a digital stamp (marca da bollo) instead of money to an account. */
function creditOf(t: Transfer): string {
  if (t.stamp) return `Marca da bollo digitale (tipo ${t.stamp.stampType}, provincia ${t.stamp.provincialResidence})`;
  const accounts = [t.iban ? `IBAN ${t.iban}` : '', t.postalIban ? `conto postale ${t.postalIban}` : ''].filter(Boolean);
  return accounts.length > 0 ? accounts.join(' · ') : '—';
}

/** Paid at the counter, by bank transfer, in cash: the option marked paid outside pagoPA, on the day the money came. */
function paidOutsideForm(ofc: string, iupd: string, nav: string, i: number): HTMLElement {
  const today = romeDay();
  const date = h('input', { class: 'form-control', type: 'date', id: `pagata-il-${i}`, value: today, max: today, required: true });
  const form = h(
    'form',
    { class: 'row g-2 align-items-end mb-3', id: `pagata-fuori-${i}`, 'aria-label': `Pagamento fuori pagoPA dell’avviso ${formatNoticeNumber(nav)}` },
    field(`pagata-il-${i}`, 'Pagata fuori pagoPA il', date, 'col-md-4'),
    h('div', { class: 'col-md-8' }, h('button', { type: 'submit', class: 'btn btn-outline-primary', id: `segna-pagata-${i}` }, 'Segna come pagata fuori pagoPA')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!confirm(`Segnare l’avviso ${formatNoticeNumber(nav)} come pagato fuori pagoPA? Non sarà più pagabile con pagoPA.`)) return;
    void (async () => {
      try {
        // today: now; an earlier day: its noon in Rome (a day, not an hour, is what the ragioneria knows)
        await postJson(`${orgPath(ofc)}/paymentoptions/${encodeURIComponent(nav)}/paid`, date.value === today || date.value === '' ? {} : { paymentDate: `${date.value}T12:00:00` });
        await detailScreen(ofc, iupd, alertBox('success', `Avviso ${formatNoticeNumber(nav)} segnato come pagato fuori pagoPA.`));
      } catch (error) {
        if (error instanceof SignedOut) return signInScreen('La sessione è scaduta: accedi di nuovo.');
        document.getElementById('esito')?.replaceChildren(alertBox('danger', problemText(error)));
      }
    })();
  });
  return form;
}

const ACTIONS: Record<string, string> = {
  create: 'Creazione',
  update: 'Modifica',
  publish: 'Pubblicazione',
  invalidate: 'Annullamento',
  delete: 'Cancellazione',
  payment: 'Pagamento',
  activate: 'Attivazione',
  expire: 'Scadenza',
  report: 'Rendicontazione',
};

async function transition(ofc: string, iupd: string, action: 'publish' | 'invalidate', done: string): Promise<void> {
  try {
    await postJson(`${orgPath(ofc)}/debtpositions/${encodeURIComponent(iupd)}/${action}`);
    await detailScreen(ofc, iupd, alertBox('success', done));
  } catch (error) {
    if (error instanceof SignedOut) return signInScreen('La sessione è scaduta: accedi di nuovo.');
    const box = document.getElementById('esito');
    box?.replaceChildren(alertBox('danger', problemText(error)));
    announce(problemText(error));
  }
}

async function downloadNotice(ofc: string, iupd: string, outcome: HTMLElement): Promise<void> {
  try {
    saveDownload(await getBlob(`${orgPath(ofc)}/debtpositions/${encodeURIComponent(iupd)}/notice`), `avviso-${iupd}.pdf`);
    announce('Avviso scaricato.');
  } catch (error) {
    if (error instanceof SignedOut) return signInScreen('La sessione è scaduta: accedi di nuovo.');
    outcome.replaceChildren(alertBox('danger', problemText(error)));
  }
}

// ---------------------------------------------------------------- router

async function route(): Promise<void> {
  generation += 1;
  if (!currentSession()) {
    me = undefined;
    return signInScreen();
  }
  try {
    me ??= await getJson<Me>('/me');
    const r = parseRoute();
    const orgs = me.organizations;
    if (orgs.length === 0) {
      renderChrome();
      return show(main, 'Nessun ente', alertBox('warning', 'Il tuo utente non è abilitato ad alcun ente attivo.'));
    }
    const remembered = sessionStorage.getItem(ORG_KEY);
    const fallback = orgs.find((o) => o.fiscalCode === remembered)?.fiscalCode ?? orgs[0]!.fiscalCode;
    if (!r.ofc) {
      location.replace(link(fallback, 'cruscotto'));
      return;
    }
    const ofc = r.ofc;
    if (!orgs.some((o) => o.fiscalCode === ofc)) {
      // not among the operator's organizations: nothing of it is shown (the API refuses it too)
      renderChrome(fallback);
      return show(main, 'Ente non disponibile', alertBox('danger', 'Non sei abilitato a questo ente.'), h('a', { href: link(fallback, 'cruscotto') }, 'Vai al tuo cruscotto'));
    }
    sessionStorage.setItem(ORG_KEY, ofc);
    renderChrome(ofc);
    if (r.screen === 'posizioni' && r.id) return await detailScreen(ofc, r.id);
    if (r.screen === 'posizioni') return await positionsScreen(ofc, r.params);
    const org = orgs.find((o) => o.fiscalCode === ofc);
    if (r.screen === 'nuova' && canWrite()) return createScreen(screenContext(), org, ofc);
    if (r.screen === 'modifica' && r.id && canWrite()) return await editScreen(screenContext(), org, ofc, r.id);
    if (r.screen === 'caricamenti' && r.id) return await uploadScreen(screenContext(), ofc, r.id);
    if (r.screen === 'caricamenti') return await uploadsScreen(screenContext(), ofc);
    if (r.screen === 'ricevute') return await receiptsScreen(screenContext(), ofc, r.params);
    if (r.screen === 'anomalie' && r.id) return await anomalyScreen(screenContext(), ofc, r.id);
    if (r.screen === 'anomalie') return await anomaliesScreen(screenContext(), ofc, r.params);
    if (r.screen === 'riconciliazione') return await reconciliationScreen(screenContext(), ofc, r.params);
    if (r.screen === 'flussi' && r.id) return await flowScreen(screenContext(), ofc, r.id, r.params);
    if (r.screen === 'flussi') return await flowsScreen(screenContext(), ofc, r.params);
    if (r.screen === 'tesoreria') return await treasuryScreen(screenContext(), ofc, r.params);
    if (r.screen === 'messaggi-io') return await templatesScreen(screenContext(), ofc, r.id);
    if (r.screen === 'webhook' && r.id) return await webhookDeliveriesScreen(screenContext(), ofc, r.id, r.params);
    if (r.screen === 'webhook') return await webhooksScreen(screenContext(), ofc);
    if (r.screen === 'code-di-scarto' && canAdmin()) return await deadLettersScreen(screenContext(), ofc);
    if (r.screen === 'chiavi' && canAdmin()) return await apiKeysScreen(screenContext(), ofc);
    return await dashboardScreen(ofc);
  } catch (error) {
    if (error instanceof SignedOut) {
      me = undefined;
      return signInScreen('La sessione è scaduta: accedi di nuovo.');
    }
    show(main, 'Errore', alertBox('danger', problemText(error)));
  }
}

async function start(): Promise<void> {
  config = (await (await fetch(new URL('config.json', import.meta.url))).json()) as ConsoleConfig;
  setApiBase(config.apiBase);
  try {
    const returnTo = await completeSignIn(config);
    if (returnTo !== undefined && returnTo !== location.hash) location.hash = returnTo;
  } catch (error) {
    return signInScreen(error instanceof Error ? error.message : String(error));
  }
  // the skip link moves the focus without touching the fragment (the fragment is the router's)
  document.querySelector('a[href="#contenuto"]')?.addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => {
    // an in-page anchor (#something, not #/…) is no navigation
    if (location.hash === '' || location.hash.startsWith('#/')) void route();
  });
  await route();
}

void start();
