/**
 * The form of a debt position: create one, or change one the form can hold, with the API's own
 * validation messages shown beside their fields (the API decides; the form only places them).
 */
import { ApiError, SignedOut, getJson, postJson, putJson, type Me, type Position } from './api';
import { announce, h } from './dom';
import { romeDay } from './format';
import { alertBox, field, link, orgPath, problemText, type ScreenContext } from './ui';

/** The form's fields and the API's field names (GPD's body), to show each validation message beside its field. */
const FORM_FIELDS: Array<{ id: string; api: string; label: string }> = [
  { id: 'iupd', api: 'iupd', label: 'IUPD (identificativo della posizione)' },
  { id: 'tipo', api: 'type', label: 'Tipo di debitore' },
  { id: 'codice-fiscale', api: 'fiscalCode', label: 'Codice fiscale o partita IVA del debitore' },
  { id: 'nominativo', api: 'fullName', label: 'Nome e cognome o ragione sociale' },
  { id: 'email', api: 'email', label: 'E-mail del debitore (facoltativa)' },
  { id: 'descrizione', api: 'paymentOption[0].description', label: 'Descrizione del pagamento' },
  { id: 'importo', api: 'paymentOption[0].amount', label: 'Importo in euro' },
  { id: 'scadenza', api: 'paymentOption[0].dueDate', label: 'Scadenza' },
  { id: 'causale', api: 'paymentOption[0].transfer[0].remittanceInformation', label: 'Causale del versamento' },
  { id: 'tassonomia', api: 'paymentOption[0].transfer[0].category', label: 'Codice di tassonomia' },
  { id: 'iban', api: 'paymentOption[0].transfer[0].iban', label: 'IBAN di accredito' },
];

/** The form of a position with one option and one transfer: empty to create one, filled from `existing` to change it. */
export function createScreen(ctx: ScreenContext, org: Me['organizations'][number] | undefined, ofc: string, existing?: Position): void {
  const option = existing?.paymentOption?.[0];
  const transfer = option?.transfer?.[0];
  const euro = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const input = (id: string, attrs: Record<string, string | boolean> = {}) => h('input', { class: 'form-control', id, name: id, ...attrs });
  const controls: Record<string, HTMLElement> = {
    iupd: input('iupd', { required: true, value: existing?.iupd ?? `CONSOLE-${Date.now()}`, readonly: existing !== undefined }),
    tipo: h('select', { class: 'form-select', id: 'tipo', name: 'tipo' }, h('option', { value: 'F', selected: existing?.type !== 'G' }, 'Persona fisica'), h('option', { value: 'G', selected: existing?.type === 'G' }, 'Persona giuridica')),
    'codice-fiscale': input('codice-fiscale', { required: true, autocomplete: 'off', spellcheck: 'false', value: existing?.fiscalCode ?? '' }),
    nominativo: input('nominativo', { required: true, value: existing?.fullName ?? '' }),
    email: input('email', { type: 'email', value: existing?.email ?? '' }),
    descrizione: input('descrizione', { required: true, value: option?.description ?? '' }),
    importo: input('importo', { required: true, inputmode: 'decimal', value: option ? euro(option.amount) : '' }),
    scadenza: input('scadenza', { required: true, type: 'date', value: option?.dueDate ? romeDay(option.dueDate) : inDays(30) }),
    causale: input('causale', { required: true, value: transfer?.remittanceInformation ?? '' }),
    tassonomia: input('tassonomia', { required: true, value: transfer?.category ?? '9/0101002IM/' }),
    iban: input('iban', { required: true, value: transfer?.iban ?? org?.ibans[0] ?? '', spellcheck: 'false' }),
  };
  const publish = h('input', { class: 'form-check-input', type: 'checkbox', id: 'pubblica-subito', checked: existing === undefined || existing.status !== 'DRAFT' });
  const errorsBox = h('div', { id: 'errori-modulo', tabindex: -1 });
  const form = h(
    'form',
    { class: 'row g-4', novalidate: true, id: 'nuova-posizione', 'aria-describedby': 'errori-modulo' },
    ...FORM_FIELDS.map((f) => field(f.id, f.label, controls[f.id]!, 'col-md-6', f.id === 'importo' ? 'Per esempio 120,50' : f.id === 'iupd' ? (existing ? 'Non modificabile' : 'Unico per l’ente; proposto dalla console, modificabile') : undefined)),
    h('div', { class: 'col-12 form-check' }, publish, h('label', { for: 'pubblica-subito', class: 'form-check-label' }, existing ? 'Pubblica subito dopo la modifica (altrimenti torna in bozza)' : 'Pubblica subito (la posizione diventa pagabile)')),
    h('div', { class: 'col-12' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'crea' }, existing ? 'Salva le modifiche' : 'Crea la posizione')),
  );
  const value = (id: string) => (controls[id] as HTMLInputElement).value.trim();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const euros = value('importo').replace(/\./g, '').replace(',', '.');
    const cents = /^\d+(\.\d{1,2})?$/.test(euros) ? Math.round(Number(euros) * 100) : Number.NaN;
    const body = {
      iupd: value('iupd'),
      type: value('tipo'),
      fiscalCode: value('codice-fiscale').toUpperCase(),
      fullName: value('nominativo'),
      ...(value('email') ? { email: value('email') } : {}),
      paymentOption: [
        {
          // the same notice number when the option is kept (GPD: an option sent back with its IUV keeps it)
          ...(option?.iuv ? { iuv: option.iuv } : {}),
          amount: Number.isNaN(cents) ? value('importo') : cents,
          description: value('descrizione'),
          isPartialPayment: false,
          dueDate: value('scadenza'),
          transfer: [{ idTransfer: '1', amount: Number.isNaN(cents) ? value('importo') : cents, remittanceInformation: value('causale'), category: value('tassonomia'), iban: value('iban').replace(/\s+/g, '').toUpperCase() }],
        },
      ],
    };
    void submitCreate(ctx, ofc, body, publish.checked, controls, errorsBox, existing?.iupd);
  });
  ctx.render(existing ? `Modifica della posizione ${existing.iupd}` : 'Nuova posizione debitoria',
    h('p', {}, existing ? 'Come in GPD, la posizione modificata torna in bozza se non la pubblichi subito; l’avviso mantiene il suo codice.' : `Ente: ${org?.name ?? ofc}. Una sola opzione di pagamento, in un’unica rata.`),
    existing ? h('p', {}, h('a', { href: link(ofc, 'posizioni', existing.iupd) }, 'Annulla e torna alla posizione')) : null,
    errorsBox,
    form,
  );
}

/** A position the console's form can change: one option in one installment, one transfer, not yet paid or closed. */
export const editableInForm = (p: Position) =>
  (p.status === 'DRAFT' || p.status === 'PUBLISHED' || p.status === 'VALID') && p.paymentOption?.length === 1 && p.paymentOption[0]!.transfer?.length === 1 && !p.paymentOption[0]!.isPartialPayment;

export async function editScreen(ctx: ScreenContext, org: Me['organizations'][number] | undefined, ofc: string, iupd: string): Promise<void> {
  const { position } = await getJson<{ position: Position }>(`${orgPath(ofc)}/debtpositions/${encodeURIComponent(iupd)}`);
  if (!ctx.current()) return;
  if (!editableInForm(position)) {
    return ctx.render(`Modifica della posizione ${iupd}`, alertBox('info', 'Questa posizione non si modifica dalla console (è pagata o chiusa, o ha più opzioni, rate o trasferimenti): usa l’API del gestionale.'), h('a', { href: link(ofc, 'posizioni', iupd) }, 'Torna alla posizione'));
  }
  createScreen(ctx, org, ofc, position);
}

async function submitCreate(ctx: ScreenContext, ofc: string, body: unknown, toPublish: boolean, controls: Record<string, HTMLElement>, errorsBox: HTMLElement, existingIupd?: string): Promise<void> {
  for (const c of Object.values(controls)) {
    c.classList.remove('is-invalid');
    c.removeAttribute('aria-invalid');
    document.getElementById(`${c.id}-errore`)?.remove();
    const help = document.getElementById(`${c.id}-aiuto`) ? `${c.id}-aiuto` : '';
    if (help) c.setAttribute('aria-describedby', help);
    else c.removeAttribute('aria-describedby');
  }
  errorsBox.replaceChildren();
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
        const f = FORM_FIELDS.find((x) => x.api === problem.field || (x.api.endsWith('.amount') && problem.field.endsWith('.amount') && problem.field.startsWith('paymentOption[0]')));
        const control = f ? controls[f.id] : undefined;
        const seenKey = `${f?.id ?? problem.field}\u0000${problem.message}`;
        if (seen.has(seenKey)) continue; // the option's amount and its transfer's are one field here
        seen.add(seenKey);
        if (control && f) {
          control.classList.add('is-invalid');
          control.setAttribute('aria-invalid', 'true');
          const id = `${control.id}-errore`;
          if (!document.getElementById(id)) control.after(h('div', { class: 'invalid-feedback d-block', id }, problem.message));
          else document.getElementById(id)!.append(`; ${problem.message}`);
          control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
          items.push(h('li', {}, h('a', { href: `#${control.id}`, onclick: (e: Event) => (e.preventDefault(), control.focus()) }, `${f.label}: ${problem.message}`)));
        } else {
          unplaced.push(`${problem.field}: ${problem.message}`);
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
