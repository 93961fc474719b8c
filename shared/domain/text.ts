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

/**
 * Every string inside a parsed JSON value (object keys too) that `unsafeTextReason` refuses, by
 * its path in the notation of the API's field errors (`paymentOption.0.description`).
 */
export function unsafeTextFields(value: unknown, path: readonly (string | number)[] = []): Array<{ field: string; message: string }> {
  const field = path.length > 0 ? path.join('.') : '(body)';
  if (typeof value === 'string') {
    const reason = unsafeTextReason(value);
    return reason ? [{ field, message: reason }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unsafeTextFields(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const reason = unsafeTextReason(k);
      return [...(reason ? [{ field: [...path, k].join('.'), message: `its name ${reason}` }] : []), ...unsafeTextFields(v, [...path, k])];
    });
  }
  return [];
}
