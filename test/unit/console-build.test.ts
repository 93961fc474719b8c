/**
 * The console's build (web/console/build.ts): one ES module, Bootstrap Italia's CSS, and the
 * first-load JavaScript within the budget of 250 KB compressed.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildConsole, firstLoadJs } from '../../web/console/build';

describe('console build', () => {
  it('bundles the app, the page and the CSS; first-load JavaScript ≤ 250 KB gzip', async () => {
    const files = await buildConsole();
    expect([...files.keys()].sort()).toEqual(['app.js', 'assets/bootstrap-italia.min.css', 'assets/console.css', 'index.html']);
    const js = firstLoadJs(files);
    expect(js.gzipBytes).toBeGreaterThan(1_000); // a real bundle, not an empty file
    expect(js.gzipBytes).toBeLessThanOrEqual(250 * 1024);
    const app = files.get('app.js')!;
    expect(gunzipSync(app.gzip).equals(app.body)).toBe(true);
    // the page loads exactly the files built, and no script from elsewhere
    const html = files.get('index.html')!.body.toString('utf8');
    expect([...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1])).toEqual(['/console/app.js']);
    expect(html).toContain('<html lang="it">');
    expect(files.get('assets/bootstrap-italia.min.css')!.body.toString('utf8')).toContain('Bootstrap Italia');
  });
});
