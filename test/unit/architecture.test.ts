/**
 * Every import arrow points inward: functions → composition → use cases → domain, adapters →
 * the use cases' ports. The layers and what each may import are below; a wrong-way import or a
 * cycle fails this test with the file, the import and the rule it breaks.
 */
import { describe, expect, it } from 'vitest';
import { checkArchitecture, importGraph, LAYERS } from '../support/architecture';

describe('architecture', () => {
  const graph = importGraph();

  it('reads every source file of the layers', () => {
    // the graph would be vacuous if the scan found nothing
    expect(graph.size).toBeGreaterThan(100);
    for (const layer of Object.keys(LAYERS)) {
      expect([...graph.keys()].some((file) => LAYERS[layer as keyof typeof LAYERS].match(file)), layer).toBe(true);
    }
  });

  it('has no import against the direction of the layers', () => {
    expect(checkArchitecture(graph).violations).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(checkArchitecture(graph).cycles).toEqual([]);
  });

  it('catches a wrong-way import and a cycle (the checker itself)', () => {
    const fake = new Map<string, string[]>([
      ['shared/domain/a.ts', ['shared/http/x.ts']],
      ['shared/use-cases/p/one.ts', ['shared/use-cases/p/two.ts']],
      ['shared/use-cases/p/two.ts', ['shared/use-cases/p/one.ts']],
      ['shared/adapters/s.ts', ['shared/use-cases/p/ports.ts', 'shared/use-cases/p/one.ts']],
    ]);
    const { violations, cycles } = checkArchitecture(fake);
    expect(violations).toEqual([
      'shared/domain/a.ts → shared/http/x.ts (domain may import only domain)',
      'shared/adapters/s.ts → shared/use-cases/p/one.ts (adapters may import only domain, events, the use cases\' ports, adapters)',
    ]);
    expect(cycles).toEqual(['shared/use-cases/p/one.ts → shared/use-cases/p/two.ts → shared/use-cases/p/one.ts']);
  });
});
