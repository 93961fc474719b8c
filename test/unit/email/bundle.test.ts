/**
 * The io-sender Lambda bundle composes e-mail with nodemailer's MailComposer and never carries the
 * local outbox listing or its parser (mailparser is for the local cloud and the tests only).
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../infra/aws/bundling';

describe('io-sender bundle', () => {
  it('holds MailComposer, and neither the outbox listing nor mailparser', async () => {
    const result = await build({ ...esbuildOptions(resolve('functions/io-sender/handler.ts'), resolve('.tmp/email-bundle-test/index.mjs')), write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('node_modules/nodemailer/dist/esm/mail-composer/index.js');
    expect(inputs.filter((f) => /mailparser|libmime|infra\/local\//.test(f))).toEqual([]);
  }, 60_000);
});
