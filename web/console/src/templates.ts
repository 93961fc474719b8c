/**
 * The App IO message templates of the municipality: for each kind of message (new notice,
 * reminder, receipt, cancellation) the text in use, edited with a live preview. The preview is the
 * server's: the same validation as saving (IO's length limits for every value the placeholders can
 * take, the placeholders the kind allows) and the message the same renderer sends, for an example
 * notice. Only an administrator saves (the API refuses anyone else).
 */
import { SignedOut, getJson, postJson, putJson, type ActedBy } from './api';
import { announce, h } from './dom';
import { formatActedBy, formatDateTime } from './format';
import { alertBox, field, link, orgPath, problemText, type ScreenContext } from './ui';

interface Template {
  subject: string;
  markdown: string;
}
interface TemplateInUse {
  kind: string;
  template: Template;
  custom: boolean;
  defaultTemplate: Template;
  placeholders: string[];
  changed?: { at: string; by?: ActedBy };
}
type Preview =
  | { ok: true; lengths: { subject: { min: number; max: number }; markdown: { min: number; max: number } }; example: Template }
  | { ok: false; errors: Array<{ field: 'subject' | 'markdown'; code: string; message: string }> };

export const KIND_LABELS: Record<string, string> = {
  'new-notice': 'Nuovo avviso',
  reminder: 'Promemoria di scadenza',
  receipt: 'Pagamento ricevuto',
  cancellation: 'Avviso annullato',
};
const PLACEHOLDER_LABELS: Record<string, string> = {
  amount: 'importo',
  dueDate: 'scadenza',
  noticeNumber: 'codice avviso',
  description: 'descrizione',
  creditorName: 'nome dell’ente',
  daysLeft: 'giorni alla scadenza',
};

export async function templatesScreen(ctx: ScreenContext, ofc: string, kind = 'new-notice', notice?: HTMLElement): Promise<void> {
  const { items } = await getJson<{ items: TemplateInUse[] }>(`${orgPath(ofc)}/io/templates`);
  if (!ctx.current()) return;
  const current = items.find((t) => t.kind === kind) ?? items[0]!;
  const kinds = h(
    'ul',
    { class: 'nav nav-pills mb-4', 'aria-label': 'Tipo di messaggio' },
    ...items.map((t) =>
      h(
        'li',
        { class: 'nav-item' },
        h('a', { class: `nav-link${t.kind === current.kind ? ' active' : ''}`, href: link(ofc, 'messaggi-io', t.kind), ...(t.kind === current.kind ? { 'aria-current': 'page' } : {}) }, KIND_LABELS[t.kind] ?? t.kind),
      ),
    ),
  );
  const subject = h('input', { class: 'form-control', id: 'oggetto', name: 'subject', value: current.template.subject, maxlength: 1000, ...(ctx.canAdmin ? {} : { readonly: true }) });
  const markdown = h('textarea', { class: 'form-control font-monospace', id: 'testo', name: 'markdown', rows: 12, maxlength: 20_000, ...(ctx.canAdmin ? {} : { readonly: true }) }, current.template.markdown);
  const outcome = h('div', { id: 'esito' }, notice ?? '');
  const preview = h('div', { id: 'anteprima', class: 'card card-bg p-3', 'aria-live': 'polite' });
  const origin = current.custom
    ? `Testo dell’ente${current.changed ? `, salvato il ${formatDateTime(current.changed.at)}${current.changed.by ? ` da ${formatActedBy(current.changed.by)}` : ''}` : ''}.`
    : 'Testo predefinito del sistema (l’ente non ne ha salvato uno suo).';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void showPreview(), 300);
  };
  const showPreview = async () => {
    const mine = ++asked;
    try {
      const answer = await postJson<Preview>(`${orgPath(ofc)}/io/templates/${encodeURIComponent(current.kind)}/preview`, { subject: subject.value, markdown: markdown.value });
      if (mine !== asked || !ctx.current()) return; // a later keystroke asked again
      paintPreview(preview, answer, [subject, markdown]);
    } catch (error) {
      if (error instanceof SignedOut) return ctx.signedOut();
      preview.replaceChildren(alertBox('danger', problemText(error)));
    }
  };
  subject.addEventListener('input', refresh);
  markdown.addEventListener('input', refresh);
  const form = h(
    'form',
    { class: 'row g-3', id: 'modello', novalidate: true },
    field('oggetto', 'Oggetto del messaggio (una riga, da 10 a 120 caratteri)', subject, 'col-12'),
    field('testo', 'Testo (markdown: titoli con #, grassetto con **, elenchi con -; da 80 a 10.000 caratteri)', markdown, 'col-12'),
    h('p', { class: 'col-12 mb-0', id: 'segnaposto' }, 'Segnaposto disponibili: ', ...current.placeholders.flatMap((p, i) => [i > 0 ? ', ' : '', h('code', {}, `{{${p}}}`), ` (${PLACEHOLDER_LABELS[p] ?? p})`])),
    ctx.canAdmin
      ? h(
          'div',
          { class: 'col-12 d-flex flex-wrap gap-2' },
          h('button', { type: 'submit', class: 'btn btn-primary', id: 'salva-modello' }, 'Salva il modello'),
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-outline-primary',
              id: 'predefinito',
              onclick: () => {
                subject.value = current.defaultTemplate.subject;
                markdown.value = current.defaultTemplate.markdown;
                refresh();
              },
            },
            'Usa il testo predefinito',
          ),
        )
      : h('p', { class: 'col-12' }, 'Solo un amministratore dell’ente può modificare i modelli.'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      try {
        await putJson(`${orgPath(ofc)}/io/templates/${encodeURIComponent(current.kind)}`, { subject: subject.value, markdown: markdown.value });
        await templatesScreen(ctx, ofc, current.kind, alertBox('success', `Modello «${KIND_LABELS[current.kind] ?? current.kind}» salvato: i prossimi messaggi useranno questo testo.`));
      } catch (error) {
        if (error instanceof SignedOut) return ctx.signedOut();
        outcome.replaceChildren(alertBox('danger', `Il modello non è stato salvato: ${problemText(error)}`));
        outcome.focus();
      }
    })();
  });
  ctx.render(
    'Messaggi App IO',
    h('p', {}, 'I testi dei messaggi che i cittadini ricevono nell’app IO per ogni avviso. L’anteprima mostra il messaggio per un avviso di esempio.'),
    kinds,
    outcome,
    h('p', { id: 'origine' }, origin),
    h('div', { class: 'row g-4' }, h('div', { class: 'col-lg-7' }, form), h('div', { class: 'col-lg-5' }, h('h2', { class: 'h5' }, 'Anteprima'), preview)),
  );
  await showPreview();
  if (notice) announce(notice.textContent ?? '');
}

function paintPreview(box: HTMLElement, answer: Preview, controls: HTMLElement[]): void {
  for (const c of controls) c.removeAttribute('aria-invalid');
  if (!answer.ok) {
    for (const e of answer.errors) document.getElementById(e.field === 'subject' ? 'oggetto' : 'testo')?.setAttribute('aria-invalid', 'true');
    box.replaceChildren(
      h('p', { class: 'fw-bold text-danger mb-1', id: 'anteprima-errori' }, 'Questo modello non può essere usato:'),
      h('ul', { class: 'mb-0' }, ...answer.errors.map((e) => h('li', {}, `${e.field === 'subject' ? 'Oggetto' : 'Testo'}: ${e.message}`))),
    );
    return;
  }
  box.replaceChildren(
    h('p', { class: 'small mb-2', id: 'anteprima-lunghezze' }, `Oggetto da ${answer.lengths.subject.min} a ${answer.lengths.subject.max} caratteri, testo da ${answer.lengths.markdown.min} a ${answer.lengths.markdown.max}, secondo l’avviso: entro i limiti di IO.`),
    h('p', { class: 'fw-bold mb-2', id: 'anteprima-oggetto' }, answer.example.subject),
    h('div', { id: 'anteprima-testo' }, ...renderMarkdown(answer.example.markdown)),
  );
}

/**
 * The part of markdown App IO messages use, drawn as elements (never as HTML from the text):
 * headings, paragraphs, bullet lists, **bold**, *italic* / _italic_, and backslash escapes (the
 * layer escapes the values it puts in a message).
 */
export function renderMarkdown(text: string): HTMLElement[] {
  const out: HTMLElement[] = [];
  let list: HTMLElement | undefined;
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) out.push(h('p', {}, ...inline(paragraph.join(' '))));
    paragraph = [];
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      list = undefined;
      out.push(h(heading[1]!.length <= 1 ? 'h3' : 'h4', { class: 'h6 fw-bold' }, ...inline(heading[2]!)));
    } else if (item) {
      flush();
      if (!list) out.push((list = h('ul', {})));
      list.append(h('li', {}, ...inline(item[1]!)));
    } else if (line.trim() === '') {
      flush();
      list = undefined;
    } else {
      list = undefined;
      paragraph.push(line.trim());
    }
  }
  flush();
  return out;
}

function inline(text: string): Node[] {
  const nodes: Node[] = [];
  let buffer = '';
  const push = () => {
    if (buffer) nodes.push(document.createTextNode(buffer));
    buffer = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      buffer += text[++i];
      continue;
    }
    const marker = text.startsWith('**', i) ? '**' : c === '*' || c === '_' ? c : '';
    if (marker) {
      const end = findClosing(text, marker, i + marker.length);
      if (end > i + marker.length) {
        push();
        nodes.push(h(marker === '**' ? 'strong' : 'em', {}, ...inline(text.slice(i + marker.length, end))));
        i = end + marker.length - 1;
        continue;
      }
    }
    buffer += c;
  }
  push();
  return nodes;
}

/** the index of the unescaped closing `marker` from `from`, or -1 */
function findClosing(text: string, marker: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    if (text[j] === '\\') {
      j++;
      continue;
    }
    if (text.startsWith(marker, j) && (marker !== '*' || !text.startsWith('**', j))) return j;
  }
  return -1;
}
