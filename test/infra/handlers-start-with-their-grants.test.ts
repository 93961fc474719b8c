/**
 * Every function's handler module loads — its composition root reads its configuration and builds
 * its adapters — with exactly the environment its catalog grants give it on AWS, nothing more.
 * The local cloud runs every handler in one process with every resource's variable set, so a
 * missing grant (a root that requires a bucket the function was not granted) would pass every
 * other test and crash the function's first cold start on AWS.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { catalog } from '../../infra/catalog';
import { dummyEnv } from '../../scripts/bench-bundles';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const original = { ...process.env };

afterAll(() => {
  process.env = original;
});

describe('each handler starts with only its own grants', () => {
  it.each(catalog.functions.map((fn) => [fn.id, fn] as const))('%s', async (_id, fn) => {
    vi.resetModules();
    // what Lambda gives the function: its grants' variables and its catalog environment; the quiet test settings stay
    process.env = { PATH: original['PATH'], ...dummyEnv(fn), POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };
    const module = (await import(pathToFileURL(path.join(root, fn.entry)).href)) as { handler?: unknown };
    expect(typeof module.handler, `${fn.entry} exports a handler`).toBe('function');
  });
});
