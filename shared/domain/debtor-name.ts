/**
 * Finding a debtor by name, as a tax office types it: in capitals or not, with or without accents
 * and apostrophes, surname first ("ROSSI MARIO", as the tax rolls export it) or given name first
 * ("Mario Rossi", as a citizen writes it), the first letters of a word being enough.
 *
 * A name is indexed under its word rotations ("MARIA GRAZIA DE LUCA", "GRAZIA DE LUCA MARIA",
 * "DE LUCA MARIA GRAZIA", "LUCA MARIA GRAZIA DE"), at most NAME_ROTATIONS of them, and a search is
 * a prefix of one rotation: "de luca", "luca m" and "rossi mario" all find their position. A word
 * after the fourth does not start a search (it still continues one).
 */

/** Rotations indexed per name (the listing entries that always exist carry one each). */
export const NAME_ROTATIONS = 4;
/** The fewest letters or digits a name search needs (fewer would read most of a tenant). */
export const NAME_SEARCH_MIN = 2;

/**
 * The comparable form of a name: capitals without accents, any other character (apostrophe,
 * hyphen, dot, comma) a space, spaces collapsed. "D'Angelo Nicolò" → "D ANGELO NICOLO".
 */
export function normalizeName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

/** The rotations of a normalized name under which it is indexed (the name itself first). */
export function nameRotations(normalized: string): string[] {
  const words = normalized === '' ? [] : normalized.split(' ');
  const rotations: string[] = [];
  for (let k = 0; k < Math.min(words.length, NAME_ROTATIONS); k++) {
    rotations.push([...words.slice(k), ...words.slice(0, k)].join(' '));
  }
  return rotations;
}

/**
 * Which rotation of a name a search finds it by: the first that starts with the (normalized)
 * search, or undefined. A name two rotations of which match is listed once, by this one.
 */
export function matchingRotation(normalized: string, search: string): number | undefined {
  const found = nameRotations(normalized).findIndex((r) => r.startsWith(search));
  return found === -1 ? undefined : found;
}
