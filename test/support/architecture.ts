/**
 * The layers of the code and which layers each may import, read from the source files' import
 * statements (static, type-only, re-exports and dynamic `import()` alike). Used by
 * test/unit/architecture.test.ts; `npx tsx test/support/architecture.ts` prints the violations.
 *
 *   functions/<id>/handler.ts   thin handlers                 → composition, edge, use cases, events, domain
 *   shared/composition/         one root per function family  → anything in shared/ and events/, infra/catalog.ts
 *   shared/http, shared/messaging  the REST/SOAP and SQS edges → use cases, events, domain, edge, observability
 *   shared/adapters/            implementations of ports       → the use cases' ports, events, domain, adapters
 *   shared/use-cases/           operations and their ports     → use cases, events, domain
 *   shared/notice/              the PDF renderer               → domain, notice
 *   events/                     contracts on queues/streams    → events, domain
 *   shared/domain/              pure rules                     → domain
 *   shared/config, shared/observability                       → themselves (observability: domain's masking)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type LayerName =
  | 'functions'
  | 'composition'
  | 'edge'
  | 'adapters'
  | 'useCases'
  | 'ports'
  | 'notice'
  | 'events'
  | 'domain'
  | 'config'
  | 'observability'
  | 'catalog';

interface Layer {
  readonly match: (file: string) => boolean;
  readonly description: string;
}

const under = (prefix: string) => (file: string) => file.startsWith(prefix);

export const LAYERS: Record<LayerName, Layer> = {
  functions: { match: under('functions/'), description: 'functions' },
  composition: { match: under('shared/composition/'), description: 'composition' },
  edge: { match: (f) => f.startsWith('shared/http/') || f.startsWith('shared/messaging/'), description: 'edge' },
  adapters: { match: under('shared/adapters/'), description: 'adapters' },
  // a use case's ports are all that adapters may see of it
  ports: {
    match: (f) => f.startsWith('shared/use-cases/') && /\/ports\.ts$/.test(f),
    description: "the use cases' ports",
  },
  useCases: { match: under('shared/use-cases/'), description: 'use cases' },
  notice: { match: under('shared/notice/'), description: 'notice' },
  events: { match: under('events/'), description: 'events' },
  domain: { match: under('shared/domain/'), description: 'domain' },
  config: { match: under('shared/config/'), description: 'config' },
  observability: { match: under('shared/observability/'), description: 'observability' },
  catalog: { match: (f) => f === 'infra/catalog.ts', description: 'catalog' },
};

/** what each layer may import (its own layer included where listed) */
const ALLOWED: Partial<Record<LayerName, readonly LayerName[]>> = {
  functions: ['composition', 'edge', 'useCases', 'ports', 'events', 'domain'],
  edge: ['edge', 'useCases', 'ports', 'events', 'domain', 'observability'],
  adapters: ['domain', 'events', 'ports', 'adapters'],
  useCases: ['useCases', 'ports', 'events', 'domain'],
  ports: ['useCases', 'ports', 'events', 'domain'],
  notice: ['domain', 'notice'],
  events: ['events', 'domain'],
  domain: ['domain'],
  config: ['config'],
  observability: ['observability', 'domain'],
};

/** packages the inner layers must not reach for: I/O belongs to adapters and edges */
const INFRASTRUCTURE_PACKAGES = /^(@aws-sdk\/|@aws-lambda-powertools\/|@middy\/|aws-lambda$|saxes$|node:(fs|http|https|net|dns|child_process))/;
const PURE_LAYERS: readonly LayerName[] = ['domain', 'useCases', 'ports', 'events', 'notice'];

function layerOf(file: string): LayerName | undefined {
  // order matters: ports before use cases
  for (const name of Object.keys(LAYERS) as LayerName[]) if (LAYERS[name].match(file)) return name;
  return undefined;
}

const ROOTS = ['functions', 'shared', 'events', 'infra/catalog.ts'];

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(relative(REPO, path));
  };
  for (const root of ROOTS) walk(join(REPO, root));
  return out.sort();
}

const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[\s\S]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveImport(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return `package:${specifier}`;
  const base = relative(REPO, resolve(REPO, dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(join(REPO, candidate)).isFile()) return candidate;
    } catch {
      // try the next form
    }
  }
  return base;
}

/** file → the files it imports (repository-relative paths) and packages (`package:<name>`) */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const text = readFileSync(join(REPO, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    const targets = new Set<string>();
    for (const match of text.matchAll(IMPORT)) targets.add(resolveImport(file, (match[1] ?? match[2])!));
    graph.set(file, [...targets]);
  }
  return graph;
}

function describeAllowed(layer: LayerName): string {
  const allowed = ALLOWED[layer] ?? [];
  return `${LAYERS[layer].description} may import only ${allowed.map((l) => LAYERS[l].description).join(', ')}`;
}

export function checkArchitecture(graph: ReadonlyMap<string, readonly string[]>): { violations: string[]; cycles: string[] } {
  const violations: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    if (!from) continue;
    const allowed = ALLOWED[from];
    for (const target of targets) {
      if (target.startsWith('package:')) {
        if (PURE_LAYERS.includes(from) && INFRASTRUCTURE_PACKAGES.test(target.slice('package:'.length))) {
          violations.push(`${file} → ${target.slice('package:'.length)} (${LAYERS[from].description} do no I/O: no infrastructure package)`);
        }
        continue;
      }
      if (!allowed) continue; // composition: anything
      const to = layerOf(target);
      if (to === undefined || !allowed.includes(to)) {
        violations.push(`${file} → ${target} (${describeAllowed(from)})`);
      }
    }
  }
  return { violations, cycles: findCycles(graph) };
}

/** elementary cycles found by depth-first search, each reported once from its smallest file */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') {
        const loop = stack.slice(stack.indexOf(next));
        const start = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        found.add([...rotated, rotated[0]].join(' → '));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return [...found].sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { violations, cycles } = checkArchitecture(importGraph());
  for (const v of violations) console.log(`violation: ${v}`);
  for (const c of cycles) console.log(`cycle: ${c}`);
  console.log(`${violations.length} violations, ${cycles.length} cycles`);
  process.exitCode = violations.length + cycles.length > 0 ? 1 : 0;
}
