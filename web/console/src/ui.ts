/** The console's building blocks shared by its screens: links, alerts, form fields, buttons, downloads. */
import { ApiError } from './api';
import { h } from './dom';
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
