/**
 * The debtor-name search's text rules (shared/domain/debtor-name.ts): what a name is compared as,
 * the rotations it is indexed under, and which rotation lists it.
 */
import { describe, expect, it } from 'vitest';
import { matchingRotation, nameRotations, normalizeName } from '../../shared/domain/debtor-name';

describe('debtor names', () => {
  it('compares names in capitals without accents, punctuation as spaces', () => {
    expect(normalizeName("  d'Angelo   Nicolò ")).toBe('D ANGELO NICOLO');
    expect(normalizeName('Società Agricola S.r.l.')).toBe('SOCIETA AGRICOLA S R L');
    expect(normalizeName('Françoise-Müller')).toBe('FRANCOISE MULLER');
    expect(normalizeName('—')).toBe('');
  });

  it('indexes a name under its first four word rotations, the name itself first', () => {
    expect(nameRotations('ROSSI MARIO')).toEqual(['ROSSI MARIO', 'MARIO ROSSI']);
    expect(nameRotations('MARIA GRAZIA DE LUCA')).toEqual(['MARIA GRAZIA DE LUCA', 'GRAZIA DE LUCA MARIA', 'DE LUCA MARIA GRAZIA', 'LUCA MARIA GRAZIA DE']);
    expect(nameRotations('A B C D E')).toHaveLength(4);
    expect(nameRotations('VERDI')).toEqual(['VERDI']);
    expect(nameRotations('')).toEqual([]);
  });

  it('a search lists a name by the first rotation that starts with it', () => {
    expect(matchingRotation('MARIO ROSSI', 'ROSSI M')).toBe(1);
    expect(matchingRotation('ROSSI ROSSANA', 'ROSS')).toBe(0);
    expect(matchingRotation('ROSSI ROSSANA', 'ROSSA')).toBe(1);
    expect(matchingRotation('A B C D E', 'E')).toBeUndefined();
    expect(matchingRotation('MARIO ROSSI', 'ARIO')).toBeUndefined();
  });
});
