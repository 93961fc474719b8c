import { describe, expect, it } from 'vitest';
import { unsafeTextFields, unsafeTextReason } from '../../shared/domain/text';

describe('text accepted from outside', () => {
  it('accepts ordinary Italian, accents, emoji, right-to-left names with their marks, tabs and new lines', () => {
    for (const ok of ['Novità: è già disponibile l’avviso', 'TARI 2026 — rata 1/3', '😀 grazie', 'محمد\u200F', 'riga 1\nriga 2\tcol', '']) {
      expect(unsafeTextReason(ok), ok).toBeUndefined();
    }
  });

  it('refuses NUL and other control characters, unpaired surrogates and bidirectional overrides', () => {
    expect(unsafeTextReason('a\u0000b')).toMatch(/control characters/);
    expect(unsafeTextReason('a\u001Bb')).toMatch(/control characters/);
    expect(unsafeTextReason('a\u0085b')).toMatch(/control characters/);
    expect(unsafeTextReason('x\uD800')).toMatch(/unpaired surrogate/);
    expect(unsafeTextReason('\uDC00x')).toMatch(/unpaired surrogate/);
    expect(unsafeTextReason('Euro \u202E00,021')).toMatch(/bidirectional/);
    expect(unsafeTextReason('a\u2066b\u2069')).toMatch(/bidirectional/);
  });

  it('names every offending field of a JSON value by its path, keys included', () => {
    const value = JSON.parse('{"fullName":"Mario\\u0000","paymentOption":[{"description":"ok"},{"description":"\\u202E1"}],"a\\ud800":1}');
    expect(unsafeTextFields(value)).toEqual([
      { field: 'fullName', message: expect.stringMatching(/control/) },
      { field: 'paymentOption.1.description', message: expect.stringMatching(/bidirectional/) },
      { field: 'a\uD800', message: expect.stringMatching(/^its name must be valid Unicode/) },
    ]);
    expect(unsafeTextFields('\u0000')).toEqual([{ field: '(body)', message: expect.any(String) }]);
  });

  it('refuses a body nested deeper than 64 levels without overflowing the stack (200,000 levels)', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(unsafeTextFields(deep)).toEqual([{ field: '(body)', message: 'must not nest deeper than 64 levels' }]);
    const ok = JSON.parse(`${'{"a":'.repeat(60)}"x"${'}'.repeat(60)}`) as unknown;
    expect(unsafeTextFields(ok)).toEqual([]);
  });
});
