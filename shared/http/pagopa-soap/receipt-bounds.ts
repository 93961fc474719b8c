/**
 * What a receipt of paSendRT / paSendRTV2 must be beyond its XSD to be taken in: the XSD
 * (wire.ts) bounds its fields in characters; the layer also needs to store it (the receipts
 * queue's contract, events/receipt.ts): a receiptId of at most MAX_RECEIPT_ID_BYTES (the XSD
 * types it xsd:string, unbounded), a receipt of at most MAX_RECEIPT_JSON_BYTES, and every string
 * within the text rules (no control characters, unpaired surrogates, bidirectional overrides,
 * U+FFFE / U+FFFF). Each problem names its element as the XSD does (`receipt/debtor/fullName`,
 * `receipt/transferList/transfer[2]/remittanceInformation`), so the fault says what to fix.
 */
import { receiptTextProblem } from '../../../events/receipt';
import { MAX_RECEIPT_ID_BYTES, MAX_RECEIPT_JSON_BYTES, utf8Length, type Receipt } from '../../domain/receipt';
import { formatPath, type StructureIssue } from './shape';

/** The decoded `receipt` element (wire shape, XSD names) and the receipt it maps to → what breaks the bounds. */
export function receiptBeyondXsdIssues(wireReceipt: Record<string, unknown>, receipt: Receipt): StructureIssue[] {
  const issues: StructureIssue[] = [];
  const walk = (value: unknown, path: readonly PropertyKey[]): void => {
    if (typeof value === 'string') {
      const problem = receiptTextProblem(value);
      if (problem) issues.push({ path: formatPath(path), message: problem });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, i]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    }
  };
  walk(wireReceipt, ['receipt']);
  const idBytes = utf8Length(receipt.receiptId);
  if (idBytes > MAX_RECEIPT_ID_BYTES) {
    issues.push({ path: 'receipt/receiptId', message: `must be at most ${MAX_RECEIPT_ID_BYTES} bytes (UTF-8), is ${idBytes}` });
  }
  const bytes = utf8Length(JSON.stringify(receipt));
  if (bytes > MAX_RECEIPT_JSON_BYTES) {
    issues.push({ path: 'receipt', message: `is ${bytes} bytes as JSON, more than the ${MAX_RECEIPT_JSON_BYTES} a receipt may weigh` });
  }
  return issues;
}
