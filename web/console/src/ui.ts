/** The console's building blocks shared by its screens: links, alerts, form fields, buttons, downloads. */
import { ApiError, SignedOut, getBlob, getJson } from './api';
import { announce, h } from './dom';
import { STATUS_BADGE, STATUS_LABELS } from './format';

/** What a screen gets from the page: where to draw, whether it is still the current one, what the operator may do. */
export interface ScreenContext {
  /** draws the screen, unless the operator has moved on since it started */
  readonly render: (title: string, ...children: Array<Node | string | null>) => void;
  /** false once the operator has moved on (a late answer is then not shown) */
  readonly current: () => boolean;
  readonly canWrite: boolean;
  /** an administrator of the organization (its keys and configuration) */
  readonly canAdmin: boolean;
  /** the session ended during an action: back to the sign-in screen */
  readonly signedOut: () => void;
}

export const link = (ofc: string, screen: string, id?: string, params?: Record<string, string>) =>
  `#/${encodeURIComponent(ofc)}/${screen}${id ? `/${encodeURIComponent(id)}` : ''}${params && Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`;

export const orgPath = (ofc: string) => `/organizations/${encodeURIComponent(ofc)}`;

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge ${STATUS_BADGE[status] ?? 'bg-secondary'}` }, STATUS_LABELS[status] ?? status);
}

export function alertBox(kind: 'danger' | 'success' | 'info' | 'warning', text: string): HTMLElement {
  return h('div', { class: `alert alert-${kind}`, role: kind === 'danger' ? 'alert' : 'status' }, text);
}

export function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return `Operazione non consentita: ${error.detail}`;
    if (error.status === 404) return 'Non trovato.';
    return `Errore ${error.status}: ${error.detail}`;
  }
  return `Errore: ${error instanceof Error ? error.message : String(error)}`;
}

export function field(id: string, label: string, control: HTMLElement, cols = 'col-md-4', help?: string): HTMLElement {
  const wrapper = h('div', { class: `${cols} form-group mb-0` }, h('label', { for: id, class: 'active' }, label), control);
  if (help) {
    control.setAttribute('aria-describedby', `${id}-aiuto`);
    wrapper.append(h('small', { id: `${id}-aiuto`, class: 'form-text' }, help));
  }
  return wrapper;
}

export function actionButton(label: string, id: string, run: () => Promise<void>, kind = 'btn-primary'): HTMLButtonElement {
  const button = h('button', { type: 'button', class: `btn ${kind}`, id }, label);
  button.addEventListener('click', () => {
    button.disabled = true;
    run().finally(() => (button.disabled = false));
  });
  return button;
}


/** Hands a downloaded file to the browser as `fileName`. */
export function saveDownload(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** the query of a list screen, from its fragment: only the filters it knows */
export function listQuery(params: URLSearchParams, keys: readonly string[]): URLSearchParams {
  const query = new URLSearchParams();
  for (const k of keys) {
    const v = params.get(k);
    if (v) query.set(k, v);
  }
  return query;
}

export function filterForm(id: string, label: string, controls: HTMLElement[], onSubmit: (values: Record<string, string>) => void): HTMLFormElement {
  const form = h('form', { class: 'row g-3 mb-4', role: 'search', 'aria-label': label, id }, ...controls, h('div', { class: 'col-12' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Filtra')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim() !== '') next[k] = v.trim();
    onSubmit(next);
  });
  return form;
}

/** A filter's select: "all" (no value) first, then each option; the one in the fragment chosen. */
export function filterSelect(id: string, name: string, all: string, options: Readonly<Record<string, string>>, current: string | null): HTMLSelectElement {
  return h('select', { class: 'form-select', id, name }, h('option', { value: '' }, all), ...Object.entries(options).map(([value, label]) => h('option', { value, selected: current === value }, label)));
}

export const dateInput = (id: string, name: string, value: string | null) => h('input', { class: 'form-control', type: 'date', id, name, value: value ?? '' });

export function exportButton(ctx: ScreenContext, path: string, fileName: string, box: HTMLElement): HTMLButtonElement {
  return actionButton(
    'Esporta in CSV',
    'esporta',
    async () => {
      try {
        saveDownload(await getBlob(path), fileName);
        announce('File CSV scaricato.');
      } catch (error) {
        if (error instanceof SignedOut) return ctx.signedOut();
        box.replaceChildren(alertBox('danger', problemText(error)));
      }
    },
    'btn-outline-primary',
  );
}


/** One page of a cursor list into `results`: how many, the table (when any), the next page's link. */
export async function cursorList<T>(
  ctx: ScreenContext,
  results: HTMLElement,
  url: string,
  spec: { itemsKey?: string; empty: string; noun: string; tableId: string; caption: string; columns: readonly string[]; row: (item: T) => Array<Node | string>; next: (cursor: string) => string },
): Promise<void> {
  try {
    const answer = await getJson<Record<string, unknown> & { cursor?: string }>(url);
    if (!ctx.current()) return;
    const page = { items: (answer[spec.itemsKey ?? 'items'] ?? []) as T[], cursor: answer.cursor };
    const summary = page.items.length === 0 ? spec.empty : `${page.items.length} ${spec.noun} in questa pagina${page.cursor ? ', altre nella successiva' : ''}.`;
    results.append(
      h('p', { id: 'conteggio' }, summary),
      page.items.length === 0
        ? ''
        : h(
            'div',
            { class: 'table-responsive' },
            h(
              'table',
              { class: 'table table-striped', id: spec.tableId },
              h('caption', { class: 'visually-hidden' }, spec.caption),
              h('thead', {}, h('tr', {}, ...spec.columns.map((t) => h('th', { scope: 'col' }, t)))),
              h('tbody', {}, ...page.items.map((item) => h('tr', {}, ...spec.row(item)))),
            ),
          ),
      page.cursor ? h('a', { class: 'btn btn-outline-primary', id: 'pagina-successiva', href: spec.next(page.cursor) }, 'Pagina successiva') : '',
    );
    announce(summary);
  } catch (error) {
    if (error instanceof SignedOut) throw error;
    results.append(alertBox('danger', problemText(error)));
  }
}


/** a short visible label, and the name that says which row it acts on (it contains the visible text: WCAG 2.5.3) */
export function withName<T extends HTMLElement>(name: string, el: T): T {
  el.setAttribute('aria-label', name);
  return el;
}
