import { describe, expect, it } from 'vitest';
import { renderMarkdownSafe } from '../../../infra/local/simulators/app-io/markdown';
import { escapeMarkdown } from '../../../shared/domain/app-io/templates';

describe('the simulator inbox markdown renderer', () => {
  it('renders the subset IO supports: headings, emphasis, lists, paragraphs', () => {
    const html = renderMarkdownSafe('# Titolo\n\nTesto **forte** e *corsivo*\nsu due righe.\n\n- uno\n- due\n\n1. primo\n2. secondo');
    expect(html).toBe(
      [
        '<h3>Titolo</h3>',
        '<p>Testo <strong>forte</strong> e <em>corsivo</em> su due righe.</p>',
        '<ul><li>uno</li><li>due</li></ul>',
        '<ol><li>primo</li><li>secondo</li></ol>',
      ].join('\n'),
    );
  });

  it('never lets HTML, links or images through', () => {
    const html = renderMarkdownSafe('<script>alert(1)</script> <img src=x onerror=alert(2)> [a](javascript:alert(3)) ![i](x)');
    expect(html).not.toMatch(/<(script|img|a)\b/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('[a](javascript:alert(3))');
  });

  it('shows escaped text literally, as the template renderer meant it', () => {
    const description = '**non grassetto** <b>x</b> & "virgolette"';
    expect(renderMarkdownSafe(`Causale: ${escapeMarkdown(description)}`)).toBe(
      '<p>Causale: **non grassetto** &lt;b&gt;x&lt;/b&gt; &amp; &quot;virgolette&quot;</p>',
    );
  });

  it('ignores the private-use marks it uses internally if they come from the input', () => {
    expect(renderMarkdownSafe('a \uE0000\uE001 b \\*')).toBe('<p>a 0 b *</p>');
  });
});
