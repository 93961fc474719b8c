/** A tiny element builder: no framework, no innerHTML of data (text is always text). */
type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, '').toLowerCase(), value as EventListener);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the content of the main landmark and moves focus to its heading (screen readers hear the new page). */
export function show(main: HTMLElement, title: string, ...children: Child[]): void {
  main.replaceChildren();
  const heading = h('h1', { class: 'h2 mb-4', tabindex: -1, id: 'titolo-pagina' }, title);
  append(main, heading, ...children);
  document.title = `${title} · Console pagoPA del Comune`;
  heading.focus();
}

/** Announces a message in the polite live region (results, outcomes of actions). */
export function announce(text: string): void {
  const region = document.getElementById('annunci');
  if (!region) return;
  region.textContent = '';
  // a new text node after a tick, so that the same message twice is announced twice
  setTimeout(() => (region.textContent = text), 50);
}
