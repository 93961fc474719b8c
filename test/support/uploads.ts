/**
 * What the bulk-upload tests share: a GPD massive-upload file (`{"paymentPositions": […]}`, or
 * `paymentPositionIUPDs` for a delete), its ZIP, and the wait for an upload to end (its status
 * no longer IN_PROGRESS).
 */
import { strToU8, zipSync } from 'fflate';
import { expect } from 'vitest';
import type { LocalStack } from './local-stack';

export const gpdFile = (positions: unknown[], key = 'paymentPositions'): string => `{"${key}": [\n${positions.map((p) => JSON.stringify(p)).join(',\n')}\n]}\n`;

/** A ZIP of the named files (GPD: exactly one `.json`). */
export const zipOf = (files: Record<string, string>): Uint8Array => zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));

/** The upload's status once it has ended (80 s at most); `files` is …/debtpositions of its broker and organization. */
export async function finished(stack: LocalStack, files: string, fileId: string): Promise<any> {
  const deadline = Date.now() + 80_000;
  for (;;) {
    const status = await stack.api('GET', `${files}/file/${fileId}/status`);
    expect(status.status).toBe(200);
    if (status.json.operationStatus !== 'IN_PROGRESS') return status.json;
    if (Date.now() > deadline) throw new Error(`upload ${fileId} still in progress: ${status.text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
