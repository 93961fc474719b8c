/**
 * Text the layer accepts from outside, whatever the channel (REST, JSON webhook, SOAP), before it
 * can reach a notice, an App IO message, an e-mail or the table. Refused, not silently changed:
 * - NUL and the other C0/C1 control characters except tab, line feed and carriage return;
 * - unpaired UTF-16 surrogates (JSON `\ud800` escapes decode to them; they are not text);
 * - the bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069),
 *   with which an amount or a notice number can be made to display reversed ("Trojan Source",
 *   CVE-2021-42574). The marks U+200E/U+200F that right-to-left names need stay allowed.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` is refused, or undefined when it is acceptable. */
export function unsafeTextReason(text: string): string | undefined {
  if (CONTROL.test(text)) return 'must not contain control characters (NUL and the like)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (an unpaired surrogate was found)';
  if (BIDI_CONTROL.test(text)) return 'must not contain bidirectional override or isolate characters';
  return undefined;
}

/** Deeper than this, a JSON body is refused whole: no request of the API nests beyond a few levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * Every string inside a parsed JSON value (object keys too) that `unsafeTextReason` refuses, by
 * its path in the notation of the API's field errors (`paymentOption.0.description`). Walked with
 * an explicit stack, so a hostile body nested 200,000 levels deep costs a 400, not a stack overflow.
 */
export function unsafeTextFields(value: unknown): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  // in document order: an object's key is looked at just before its value
  const pending: Array<{ value: unknown; path: readonly (string | number)[]; isKey?: true }> = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path, isKey } = pending.pop()!;
    if (path.length > MAX_JSON_DEPTH) return [{ field: '(body)', message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` }];
    const field = path.length > 0 ? path.join('.') : '(body)';
    if (typeof current === 'string') {
      const reason = unsafeTextReason(current);
      if (reason) problems.push({ field, message: isKey ? `its name ${reason}` : reason });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], path: [...path, i] });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        pending.push({ value: child, path: [...path, key] }, { value: key, path: [...path, key], isKey: true });
      }
    }
  }
  return problems;
}
