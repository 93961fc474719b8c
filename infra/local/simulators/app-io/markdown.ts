/**
 * The subset of markdown the IO app renders (headings, bold/italic, bullet and numbered lists,
 * paragraphs, backslash escapes), turned into HTML that cannot carry markup of its own: all text
 * is HTML-escaped first, and only the fixed tags below are ever produced. No links, no images,
 * no raw HTML: what a citizen sees in the simulator's inbox page.
 */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function renderMarkdownSafe(markdown: string): string {
  const html: string[] = [];
  let paragraph: string[] = [];
  let list: { tag: 'ul' | 'ol'; items: string[] } | null = null;

  const flushParagraph = (): void => {
    if (paragraph.length > 0) html.push(`<p>${inline(paragraph.join(' '))}</p>`);
    paragraph = [];
  };
  const flushList = (): void => {
    if (list) html.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
    list = null;
  };

  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '') {
      flushParagraph();
      flushList();
      continue;
    }
    const heading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*$/.exec(line);
    if (heading) {
      flushParagraph();
      flushList();
      const level = Math.min(6, (heading[1] ?? '#').length + 2); // the page's own h1/h2 come first
      html.push(`<h${level}>${inline(heading[2] ?? '')}</h${level}>`);
      continue;
    }
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const ordered = /^\s*\d{1,9}[.)]\s+(.*)$/.exec(line);
    const item = bullet ?? ordered;
    if (item) {
      flushParagraph();
      const tag = bullet ? 'ul' : 'ol';
      if (list && list.tag !== tag) flushList();
      list ??= { tag, items: [] };
      list.items.push(item[1] ?? '');
      continue;
    }
    if (list) flushList();
    paragraph.push(line.trim());
  }
  flushParagraph();
  flushList();
  return html.join('\n');
}

const ESCAPABLE = /\\([!-/:-@[-`{-~])/g;
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';

function inline(text: string): string {
  const literals: string[] = [];
  // private-use marks cannot come from the input: they are removed first
  const protectedText = text
    .replace(/[\uE000\uE001]/g, '')
    .replace(ESCAPABLE, (_, c: string) => `${MARK_OPEN}${literals.push(c) - 1}${MARK_CLOSE}`);
  const formatted = escapeHtml(protectedText)
    .replace(/\*\*(?=\S)(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/__(?=\S)(.+?)__/g, '<strong>$1</strong>')
    .replace(/\*(?=\S)(.+?)\*/g, '<em>$1</em>')
    .replace(/(^|[^\w])_(?=\S)(.+?)_(?![\w])/g, '$1<em>$2</em>');
  return formatted.replace(
    new RegExp(`${MARK_OPEN}(\\d+)${MARK_CLOSE}`, 'g'),
    (_, i: string) => escapeHtml(literals[Number(i)] ?? ''),
  );
}
