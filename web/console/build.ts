/**
 * Builds the operator console (web/console) with esbuild: the TypeScript app bundled and minified
 * into one ES module, the page, Bootstrap Italia's CSS (Designers Italia's kit; its CSS only, the
 * console needs none of its JavaScript) and the console's own few rules. In memory: the local
 * gateway serves the result at /console/ (infra/local/console-static.ts); `npm run console:build`
 * writes it to web/console/dist for hosting (S3 + CloudFront) and prints the sizes.
 *
 * `config.json` (issuer, client id, API base) is not part of the build: each host writes its own.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const CONSOLE_DIR = dirname(fileURLToPath(import.meta.url));

export interface ConsoleFile {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

function file(path: string, body: Buffer): ConsoleFile {
  const ext = path.slice(path.lastIndexOf('.'));
  return { path, contentType: TYPES[ext] ?? 'application/octet-stream', body, gzip: gzipSync(body, { level: 9 }) };
}

/** The console's files, by path under /console/. */
export async function buildConsole(): Promise<Map<string, ConsoleFile>> {
  const result = await build({
    entryPoints: [join(CONSOLE_DIR, 'src/main.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    tsconfig: join(CONSOLE_DIR, 'tsconfig.json'),
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error('esbuild produced no console bundle');
  const require = createRequire(import.meta.url);
  const bootstrapCss = require.resolve('bootstrap-italia/dist/css/bootstrap-italia.min.css');
  const files = [
    file('index.html', readFileSync(join(CONSOLE_DIR, 'index.html'))),
    file('app.js', Buffer.from(js.contents)),
    file('assets/bootstrap-italia.min.css', readFileSync(bootstrapCss)),
    file('assets/console.css', readFileSync(join(CONSOLE_DIR, 'console.css'))),
  ];
  return new Map(files.map((f) => [f.path, f]));
}

/** What the browser downloads of JavaScript on first load, compressed (the budget is 250 KB). */
export function firstLoadJs(files: Map<string, ConsoleFile>): { bytes: number; gzipBytes: number } {
  const js = [...files.values()].filter((f) => f.path.endsWith('.js'));
  return { bytes: js.reduce((n, f) => n + f.body.length, 0), gzipBytes: js.reduce((n, f) => n + f.gzip.length, 0) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await buildConsole();
  const out = join(CONSOLE_DIR, 'dist');
  for (const f of files.values()) {
    await mkdir(dirname(join(out, f.path)), { recursive: true });
    await writeFile(join(out, f.path), f.body);
  }
  for (const f of files.values()) console.log(`${f.path.padEnd(36)} ${(f.body.length / 1024).toFixed(1).padStart(8)} KB   gzip ${(f.gzip.length / 1024).toFixed(1).padStart(7)} KB`);
  const js = firstLoadJs(files);
  console.log(`first-load JavaScript: ${(js.bytes / 1024).toFixed(1)} KB, ${(js.gzipBytes / 1024).toFixed(1)} KB gzip (budget 250 KB gzip)`);
  console.log(`wrote ${out}`);
}
