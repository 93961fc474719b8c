/**
 * Guards the Lambda bundle size. `import { z } from 'zod'` pulls zod's whole `z` namespace object,
 * all 40+ locales included (~260 KB minified per function); `import * as z from 'zod'` lets esbuild
 * keep only what is used. Measured: 454 KB → 85 KB for a one-schema module.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('bundle hygiene', () => {
  it('code that ships in Lambda bundles imports zod as a namespace', () => {
    const offenders = ['shared', 'functions', 'events', 'infra/catalog.ts']
      .flatMap((p) => (p.endsWith('.ts') ? [p] : sources(p)))
      .filter((file) => /import\s+(type\s+)?\{[^}]*\bz\b[^}]*\}\s+from\s+'zod'/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
