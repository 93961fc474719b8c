/**
 * The form of a debt position: create one, or change one, with what GPD's model holds (a single
 * payment and/or installments, each with 1..5 transfers to an account or a digital stamp), and the
 * API's own validation messages shown beside their fields (the API decides; the form only places
 * them). Its state, the body it sends and where each message goes: ./position-form-model.ts.
 */
import { ApiError, SignedOut, getJson, postJson, putJson, type Me, type Position } from './api';
import { announce, h } from './dom';
import { formatNoticeNumber, romeDay } from './format';
import { alertBox, link, orgPath, problemText, type ScreenContext } from './ui';
import * as M from './position-form-model';

type Control = HTMLInputElement | HTMLSelectElement;

/** The form of a position: empty to create one, filled from `existing` to change it. */
export function createScreen(ctx: ScreenContext, org: Me['organizations'][number] | undefined, ofc: string, existing?: Position): void {
  const today = romeDay();
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const draft = existing
    ? M.draftFromPosition(existing as unknown as M.PositionRead, romeDay, new Date().toISOString())
    : M.newDraft({ iupd: `CONSOLE-${Date.now()}`, iban: org?.ibans[0] ?? '', dueDate: inDays(30) });
  /** the controls now on screen, by id (redrawn when an option or a transfer is added or removed) */
  const controls = new Map<string, Control>();

  /** a labelled field; its help (if any) describes the control, and stays its description once errors are cleared */
  const field = (id: string, label: string, control: Control, cols = 'col-md-6', help?: string, describedBy: string[] = []): HTMLElement => {
    const described = [help ? `${id}-aiuto` : '', ...describedBy].filter(Boolean).join(' ');
    if (described) control.setAttribute('aria-describedby', described);
    control.dataset['descrizione'] = described;
    controls.set(id, control);
    return h('div', { class: `${cols} form-group mb-0` }, h('label', { for: id, class: 'active' }, label), control, help ? h('small', { id: `${id}-aiuto`, class: 'form-text' }, help) : null);
  };
  /** a text input bound to the draft */
  const input = (id: string, get: () => string, set: (v: string) => void, attrs: Record<string, string | boolean> = {}): HTMLInputElement => {
    const el = h('input', { class: 'form-control', id, name: id, value: get(), ...attrs });
    el.addEventListener('input', () => set(el.value));
    return el;
  };

  const debtor = [
    field('iupd', 'IUPD (identificativo della posizione)', input('iupd', () => draft.iupd, (v) => (draft.iupd = v), { required: true, readonly: existing !== undefined }), 'col-md-6', existing ? 'Non modificabile' : 'Unico per l’ente; proposto dalla console, modificabile'),
    field('tipo', 'Tipo di debitore', select('tipo', draft.type, [['F', 'Persona fisica'], ['G', 'Persona giuridica']], (v) => (draft.type = v))),
    field('codice-fiscale', 'Codice fiscale o partita IVA del debitore', input('codice-fiscale', () => draft.fiscalCode, (v) => (draft.fiscalCode = v), { required: true, autocomplete: 'off', spellcheck: 'false' })),
    field('nominativo', 'Nome e cognome o ragione sociale', input('nominativo', () => draft.fullName, (v) => (draft.fullName = v), { required: true })),
    field('email', 'E-mail del debitore (facoltativa)', input('email', () => draft.email, (v) => (draft.email = v), { type: 'email' })),
  ];
  const debtorControls = new Map(controls);

  const optionsBox = h('div', { class: 'col-12', id: 'opzioni-pagamento' });
  const errorsBox = h('div', { id: 'errori-modulo', tabindex: -1 });

  /** the running sum of option i's transfers, against the option's amount */
  const sumText = (i: number): string => {
    const { sum, amount } = M.transfersSum(draft.options[i]!);
    if (sum === undefined) return 'Somma dei trasferimenti: da completare (scrivi l’importo di ogni trasferimento).';
    const total = `Somma dei trasferimenti: ${M.formatEuroText(sum)}`;
    if (amount === undefined) return `${total}; l’importo in euro dell’opzione è da scrivere.`;
    if (sum === amount) return `${total}, pari all’importo in euro.`;
    return `${total}; l’importo in euro è ${M.formatEuroText(amount)}: ${sum < amount ? 'mancano' : 'sono in più'} ${M.formatEuroText(Math.abs(amount - sum))}.`;
  };
  const refreshSum = (i: number) => {
    const el = document.getElementById(M.sumId(i));
    if (el) el.textContent = sumText(i);
  };

  /** a group of the less used fields, open when it holds something (or the operator opened it) */
  const more = (summary: string, holder: { open?: boolean }, ...children: HTMLElement[]): HTMLElement => {
    const details = h('details', { class: 'col-12', open: holder.open === true }, h('summary', { class: 'mb-3' }, summary), h('div', { class: 'row g-4' }, ...children));
    details.addEventListener('toggle', () => (holder.open = details.open));
    return details;
  };

  const structural = (change: () => { focus: string; say: string }) => {
    const { focus, say } = change();
    clearProblems(controls, errorsBox);
    draw();
    document.getElementById(focus)?.focus();
    announce(say);
  };

  function transferFieldset(i: number, j: number): HTMLElement {
    const option = draft.options[i]!;
    const t = option.transfers[j]!;
    const several = option.transfers.length > 1;
    const id = (name: M.TransferField) => M.transferFieldId(i, j, name);
    const L = M.TRANSFER_LABELS;
    const kind = select(id('tipo'), t.kind, [['account', 'Accredito su conto (IBAN)'], ['stamp', 'Marca da bollo digitale']], (v) =>
      structural(() => {
        t.kind = v === 'stamp' ? 'stamp' : 'account';
        t.open = true;
        return { focus: id('tipo'), say: t.kind === 'stamp' ? 'Trasferimento come marca da bollo digitale.' : 'Trasferimento su conto.' };
      }),
    );
    const account = t.kind === 'account';
    return h(
      'fieldset',
      { class: 'border-start border-3 ps-3 mb-4', id: M.transferId(i, j) },
      h('legend', { class: 'h6 mb-3' }, M.transferTitle(j)),
      h(
        'div',
        { class: 'row g-4' },
        several
          ? field(id('importo'), L.importo, input(id('importo'), () => t.amount, (v) => ((t.amount = v), refreshSum(i)), { required: true, inputmode: 'decimal' }), 'col-md-6', 'Per esempio 40,00')
          : null,
        field(id('causale'), L.causale, input(id('causale'), () => t.remittanceInformation, (v) => (t.remittanceInformation = v), { required: true })),
        field(id('tassonomia'), L.tassonomia, input(id('tassonomia'), () => t.category, (v) => (t.category = v), { required: true, spellcheck: 'false' })),
        account ? field(id('iban'), L.iban, input(id('iban'), () => t.iban, (v) => (t.iban = v), { required: true, spellcheck: 'false', autocomplete: 'off' })) : null,
        more(
          account ? 'Altri dati del trasferimento (conto postale, altro ente, marca da bollo)' : 'Marca da bollo digitale e altri dati del trasferimento',
          t,
          field(id('tipo'), L.tipo, kind),
          ...(account
            ? [field(id('iban-postale'), L['iban-postale'], input(id('iban-postale'), () => t.postalIban, (v) => (t.postalIban = v), { spellcheck: 'false', autocomplete: 'off' }), 'col-md-6', 'Il conto BancoPosta dell’ente, se il debitore paga in Posta')]
            : [
                field(id('bollo-impronta'), L['bollo-impronta'], input(id('bollo-impronta'), () => t.stampHashDocument, (v) => (t.stampHashDocument = v), { required: true, spellcheck: 'false', autocomplete: 'off' }), 'col-md-6', 'L’impronta del documento su cui si applica la marca'),
                field(id('bollo-tipo'), L['bollo-tipo'], input(id('bollo-tipo'), () => t.stampType, (v) => (t.stampType = v), { required: true, spellcheck: 'false' }), 'col-md-3'),
                field(id('bollo-provincia'), L['bollo-provincia'], input(id('bollo-provincia'), () => t.stampProvincialResidence, (v) => (t.stampProvincialResidence = v), { required: true, spellcheck: 'false' }), 'col-md-3'),
              ]),
          field(id('ente'), L.ente, input(id('ente'), () => t.organizationFiscalCode, (v) => (t.organizationFiscalCode = v), { inputmode: 'numeric', autocomplete: 'off' }), 'col-md-6', j === 0 ? 'Il primo trasferimento va sempre a questo ente' : 'Per esempio la quota di un altro ente; vuoto: questo ente'),
        ),
        several
          ? h(
              'div',
              { class: 'col-12' },
              button(`Rimuovi il trasferimento ${j + 1} ${M.optionInSentence(draft, i, 'di')}`, 'Rimuovi il trasferimento', `${M.transferId(i, j)}-rimuovi`, 'btn-outline-danger btn-sm', () =>
                structural(() => {
                  const what = `${M.transferTitle(j)} rimosso ${M.optionInSentence(draft, i, 'di')}.`;
                  M.removeTransfer(draft, i, j);
                  return { focus: `${M.optionId(i)}-aggiungi-trasferimento`, say: what };
                }),
              ),
            )
          : null,
      ),
    );
  }

  function optionFieldset(i: number): HTMLElement {
    const o = draft.options[i]!;
    const several = o.transfers.length > 1;
    const id = (name: M.OptionField) => M.optionFieldId(i, name);
    const L = M.OPTION_LABELS;
    const title = M.optionTitle(draft, i);
    return h(
      'fieldset',
      { class: 'border rounded p-3 mb-4', id: M.optionId(i) },
      h('legend', { class: 'h5 mb-3' }, title),
      existing ? h('p', { class: 'small mb-3', 'data-campo': 'codice-avviso-modulo' }, o.nav ? `Codice avviso ${formatNoticeNumber(o.nav)}: resta lo stesso.` : 'Codice avviso nuovo, assegnato al salvataggio.') : null,
      h(
        'div',
        { class: 'row g-4 mb-4' },
        field(id('descrizione'), L.descrizione, input(id('descrizione'), () => o.description, (v) => (o.description = v), { required: true })),
        field(id('importo'), L.importo, input(id('importo'), () => o.amount, (v) => ((o.amount = v), refreshSum(i)), { required: true, inputmode: 'decimal' }), 'col-md-6', 'Per esempio 120,50', several ? [M.sumId(i)] : []),
        field(id('scadenza'), L.scadenza, input(id('scadenza'), () => o.dueDate, (v) => (o.dueDate = v), { required: true, type: 'date' })),
        more('Altri dati del pagamento (facoltativi)', o, field(id('conservazione'), L.conservazione, input(id('conservazione'), () => o.retentionDate, (v) => (o.retentionDate = v), { type: 'date' }), 'col-md-6', 'Non prima della data di scadenza')),
      ),
      ...o.transfers.map((_, j) => transferFieldset(i, j)),
      several ? h('p', { class: 'fw-semibold', id: M.sumId(i) }, sumText(i)) : null,
      h(
        'div',
        { class: 'd-flex flex-wrap gap-2' },
        o.transfers.length < M.MAX_TRANSFERS
          ? button(`Aggiungi un trasferimento ${M.optionInSentence(draft, i, 'a')}`, 'Aggiungi un trasferimento', `${M.optionId(i)}-aggiungi-trasferimento`, 'btn-outline-primary btn-sm', () =>
              structural(() => {
                const j = M.addTransfer(draft, i);
                return { focus: M.transferFieldId(i, j, 'importo'), say: `${M.transferTitle(j)} aggiunto ${M.optionInSentence(draft, i, 'a')}.` };
              }),
            )
          : h('p', { class: 'small mb-0' }, `Al massimo ${M.MAX_TRANSFERS} trasferimenti per opzione.`),
        draft.options.length > 1
          ? button(`Rimuovi ${M.optionInSentence(draft, i)}`, o.isPartialPayment ? 'Rimuovi la rata' : 'Rimuovi il pagamento in unica soluzione', `${M.optionId(i)}-rimuovi`, 'btn-outline-danger btn-sm', () =>
              structural(() => {
                const what = `${title} ${o.isPartialPayment ? 'rimossa' : 'rimosso'}.`;
                M.removeOption(draft, i);
                return { focus: M.canAddInstallment(draft) ? 'aggiungi-rata' : 'aggiungi-unica-soluzione', say: what };
              }),
            )
          : null,
      ),
    );
  }

  function draw(): void {
    controls.clear();
    for (const [k, v] of debtorControls) controls.set(k, v);
    optionsBox.replaceChildren(
      ...draft.options.map((_, i) => optionFieldset(i)),
      h(
        'div',
        { class: 'd-flex flex-wrap gap-2 mb-2' },
        M.canAddInstallment(draft)
          ? button(undefined, 'Aggiungi una rata', 'aggiungi-rata', 'btn-outline-primary', () =>
              structural(() => {
                const i = M.addInstallment(draft, today);
                return { focus: M.optionFieldId(i, 'descrizione'), say: `${M.optionTitle(draft, i)} aggiunta.` };
              }),
            )
          : null,
        M.hasSinglePayment(draft)
          ? null
          : button(undefined, 'Aggiungi un’opzione in unica soluzione', 'aggiungi-unica-soluzione', 'btn-outline-primary', () =>
              structural(() => {
                const i = M.addSinglePayment(draft, today);
                return { focus: M.optionFieldId(i, 'descrizione'), say: 'Pagamento in unica soluzione aggiunto.' };
              }),
            ),
      ),
      h('p', { class: 'small', id: 'opzioni-aiuto' }, 'Il debitore sceglie: paga in unica soluzione oppure a rate. Ogni opzione ha il suo codice avviso; i suoi trasferimenti (fino a 5) sommano il suo importo.'),
    );
  }
  draw();

  const publish = h('input', { class: 'form-check-input', type: 'checkbox', id: 'pubblica-subito', checked: existing === undefined || existing.status !== 'DRAFT' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'crea' }, existing ? 'Salva le modifiche' : 'Crea la posizione');
  const form = h(
    'form',
    { class: 'row g-4', novalidate: true, id: 'nuova-posizione', 'aria-describedby': 'errori-modulo' },
    ...debtor,
    optionsBox,
    h('div', { class: 'col-12 form-check' }, publish, h('label', { for: 'pubblica-subito', class: 'form-check-label' }, existing ? 'Pubblica subito dopo la modifica (altrimenti torna in bozza)' : 'Pubblica subito (la posizione diventa pagabile)')),
    h('div', { class: 'col-12' }, submit),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit.disabled = true;
    void submitPosition(ctx, ofc, draft, publish.checked, controls, errorsBox, existing?.iupd).finally(() => (submit.disabled = false));
  });
  ctx.render(
    existing ? `Modifica della posizione ${existing.iupd}` : 'Nuova posizione debitoria',
    h('p', {}, existing ? 'Come in GPD, la posizione modificata torna in bozza se non la pubblichi subito; ogni opzione mantenuta conserva il suo codice avviso.' : `Ente: ${org?.name ?? ofc}. Un pagamento in unica soluzione; puoi aggiungere rate e trasferimenti.`),
    existing ? h('p', {}, h('a', { href: link(ofc, 'posizioni', existing.iupd) }, 'Annulla e torna alla posizione')) : null,
    errorsBox,
    form,
  );
}

function select(id: string, value: string, options: Array<[string, string]>, set: (v: string) => void): HTMLSelectElement {
  const el = h('select', { class: 'form-select', id, name: id }, ...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  el.addEventListener('change', () => set(el.value));
  return el;
}

/** a button whose accessible name (when given) says which option or transfer it acts on; it contains the visible text (WCAG 2.5.3) */
function button(name: string | undefined, text: string, id: string, kind: string, run: () => void): HTMLButtonElement {
  return h('button', { type: 'button', class: `btn ${kind}`, id, 'aria-label': name && name !== text ? name : undefined, onclick: run }, text);
}

/** The statuses in which GPD lets a position be replaced (DRAFT, PUBLISHED, VALID, EXPIRED), none of its notices paid. */
export const editableInForm = (p: Position) =>
  (p.status === 'DRAFT' || p.status === 'PUBLISHED' || p.status === 'VALID' || p.status === 'EXPIRED') &&
  (p.paymentOption?.length ?? 0) > 0 &&
  (p.paymentOption ?? []).every((o) => o.status === undefined || o.status === 'PO_UNPAID');

export async function editScreen(ctx: ScreenContext, org: Me['organizations'][number] | undefined, ofc: string, iupd: string): Promise<void> {
  const { position } = await getJson<{ position: Position }>(`${orgPath(ofc)}/debtpositions/${encodeURIComponent(iupd)}`);
  if (!ctx.current()) return;
  if (!editableInForm(position)) {
    return ctx.render(`Modifica della posizione ${iupd}`, alertBox('info', 'Questa posizione non si modifica più: è pagata, anche in parte, annullata o chiusa.'), h('a', { href: link(ofc, 'posizioni', iupd) }, 'Torna alla posizione'));
  }
  createScreen(ctx, org, ofc, position);
}

/** Removes the API's marks from every control and empties the list at the top. */
function clearProblems(controls: Map<string, Control>, errorsBox: HTMLElement): void {
  for (const c of controls.values()) {
    c.classList.remove('is-invalid');
    c.removeAttribute('aria-invalid');
    document.getElementById(`${c.id}-errore`)?.remove();
    const described = c.dataset['descrizione'];
    if (described) c.setAttribute('aria-describedby', described);
    else c.removeAttribute('aria-describedby');
  }
  errorsBox.replaceChildren();
}

async function submitPosition(ctx: ScreenContext, ofc: string, draft: M.PositionDraft, toPublish: boolean, controls: Map<string, Control>, errorsBox: HTMLElement, existingIupd?: string): Promise<void> {
  clearProblems(controls, errorsBox);
  const body = M.buildBody(draft);
  try {
    const created = existingIupd
      ? await putJson<Position>(`${orgPath(ofc)}/debtpositions/${encodeURIComponent(existingIupd)}?toPublish=${toPublish}`, body)
      : await postJson<Position>(`${orgPath(ofc)}/debtpositions?toPublish=${toPublish}`, body);
    location.hash = link(ofc, 'posizioni', created.iupd);
    announce(existingIupd ? `Posizione ${created.iupd} modificata.` : `Posizione ${created.iupd} creata.`);
  } catch (error) {
    if (error instanceof SignedOut) return ctx.signedOut();
    const items: HTMLElement[] = [];
    const unplaced: string[] = [];
    const seen = new Set<string>();
    if (error instanceof ApiError) {
      for (const problem of error.errors) {
        const placed = M.placeField(problem.field, draft);
        const control = placed ? controls.get(placed.id) : undefined;
        const seenKey = `${control ? placed!.id : problem.field}\u0000${problem.message}`;
        if (seen.has(seenKey)) continue; // one transfer's amount and its option's are one field here
        seen.add(seenKey);
        if (control && placed) {
          const details = control.closest('details');
          if (details && !details.open) details.open = true;
          control.classList.add('is-invalid');
          control.setAttribute('aria-invalid', 'true');
          const id = `${control.id}-errore`;
          const box = document.getElementById(id);
          if (!box) control.after(h('div', { class: 'invalid-feedback d-block', id }, problem.message));
          else box.append(`; ${problem.message}`);
          if (!(control.getAttribute('aria-describedby') ?? '').split(' ').includes(id)) control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
          items.push(h('li', {}, h('a', { href: `#${control.id}`, onclick: (e: Event) => (e.preventDefault(), control.focus()) }, `${placed.label}: ${problem.message}`)));
        } else {
          unplaced.push(`${M.describeField(problem.field, draft)}: ${problem.message}`);
        }
      }
    }
    for (const text of unplaced) items.push(h('li', {}, text));
    errorsBox.append(
      h(
        'div',
        { class: 'alert alert-danger', role: 'alert' },
        h('p', { class: 'fw-bold mb-1' }, items.length ? `La posizione non è stata ${existingIupd ? 'modificata' : 'creata'}: ${items.length} ${items.length === 1 ? 'errore' : 'errori'}.` : problemText(error)),
        items.length ? h('ul', { class: 'mb-0' }, ...items) : null,
      ),
    );
    errorsBox.focus();
  }
}
