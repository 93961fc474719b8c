/**
 * The real NodejsFunction bundling (local esbuild, no Docker) of one function, plus the bench's
 * esbuild run of the same entry, which must produce the same code: one set of options.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import { beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import { CJS_REQUIRE_BANNER, esbuildOptions } from '../../infra/aws/bundling';
import type { Catalog } from '../../infra/catalog';
import { fixtureCatalog, fixtureFunctions } from '../fixtures/cdk/catalog';
import { projectRoot, synth, type Synth } from './helpers';

const oneFunction: Catalog = { ...fixtureCatalog, functions: [fixtureFunctions.getThing] };
let s: Synth;
let outDir: string;

beforeAll(() => {
  outDir = mkdtempSync(path.join(tmpdir(), 'cdk-bundling-test-'));
  // CDK writes "Bundling asset ..." to stderr (esbuild itself runs at log level warning): keep the run quiet
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    s = synth(oneFunction, { lambdaCode: 'esbuild' });
  } finally {
    stderr.mockRestore();
  }
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function assetDir(): string {
  const fn = Object.values(s.statelessTemplate.findResources('AWS::Lambda::Function'))[0]!;
  expect(fn.Properties.Handler).toBe('index.handler');
  const key = fn.Properties.Code.S3Key as string;
  const hash = key.replace(/\.zip$/, '');
  const dir = path.join(s.app.outdir, `asset.${hash}`);
  expect(existsSync(dir), dir).toBe(true);
  return dir;
}

describe('NodejsFunction bundling', () => {
  it('emits one minified ESM index.mjs with the createRequire banner, the SDK inside, and a source map', () => {
    const dir = assetDir();
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(CJS_REQUIRE_BANNER)).toBe(true);
    // bundled, not imported from the runtime: cold start measured faster (infra/aws/bundling.ts)
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    const lines = code.split('\n');
    expect(code.length / lines.length).toBeGreaterThan(2000); // minified: few, very long lines
    const map = JSON.parse(readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
  });

  it('is byte-identical to what the bench builds with the shared options', async () => {
    const outfile = path.join(outDir, 'index.mjs');
    await build({
      ...esbuildOptions(path.resolve(projectRoot, fixtureFunctions.getThing.entry), outfile),
      absWorkingDir: projectRoot,
    });
    const cdkCode = readFileSync(path.join(assetDir(), 'index.mjs'), 'utf8');
    // the source map comment names the file; everything else must match
    const strip = (c: string) => c.replace(/\/\/# sourceMappingURL=.*$/m, '');
    expect(strip(readFileSync(outfile, 'utf8'))).toBe(strip(cdkCode));
  });
});
