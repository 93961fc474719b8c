/**
 * The JSON report of an upload refused row by row (the same 100,000-row file uploaded again:
 * every row 409) stays under what a Lambda function may answer (6 MB): the refused rows up to a
 * byte budget in file order, the count of those left out; the iupds grouped by status all there.
 */
import { describe, expect, it } from 'vitest';
import { REPORT_ROWS_BYTES, toUploadReport } from '../../shared/http/gpd-upload-schemas';
import type { RowOutcome, Upload } from '../../shared/use-cases/bulk-upload/ports';

const upload = { fileId: 'f', processedItem: 100_000, submittedItem: 100_000, startTime: '2026-12-02T10:00:00.000Z', endTime: '2026-12-02T10:10:00.000Z' } as unknown as Upload;

async function* outcomes(n: number): AsyncIterable<RowOutcome> {
  // chunks come back in any order: the report sorts by line
  for (let i = n - 1; i >= 0; i--) yield { line: i + 2, iupd: `TARI-2026-${String(i).padStart(6, '0')}`, status: 409, reasons: ['a debt position with this iupd exists already (created by upload 0b8f8f2e-6a3b-4c1d-9d42-3f0e7f6c1a11)'] };
}

describe('upload report size', () => {
  it('100,000 refused rows: the report is under 6 MB, rows in line order up to the budget, rowsOmitted the rest', async () => {
    const report = await toUploadReport(upload, outcomes(100_000), false);
    const bytes = Buffer.byteLength(JSON.stringify(report));
    expect(bytes).toBeLessThan(6 * 1024 * 1024);
    expect(Buffer.byteLength(JSON.stringify(report.rows))).toBeLessThanOrEqual(REPORT_ROWS_BYTES + report.rows.length);
    expect(report.rows.length).toBeGreaterThan(1000);
    expect(report.rows.length + report.rowsOmitted!).toBe(100_000);
    expect(report.rows.map((r) => r.line)).toEqual(report.rows.map((_, i) => i + 2));
    expect(report.responses).toEqual([expect.objectContaining({ statusCode: 409, iupds: expect.any(Array) })]);
    expect(report.responses[0]!.iupds).toHaveLength(100_000);
  });

  it('a few refused rows: all of them, no rowsOmitted', async () => {
    const report = await toUploadReport(upload, outcomes(300), false);
    expect(report.rows).toHaveLength(300);
    expect(report.rowsOmitted).toBeUndefined();
  });
});
