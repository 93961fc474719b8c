/**
 * Vitest global setup: the system programs the tests use, checked once before any test runs. A
 * missing one stops the run with one line naming the Debian package that brings it (`.ci/run`
 * installs them all), instead of a cryptic `spawnSync … ENOENT` in the middle of a suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const TOOLS: ReadonlyArray<{ what: string; present: () => boolean; debianPackage: string; usedBy: string }> = [
  { what: 'java', present: () => runs('java', ['-version']), debianPackage: 'openjdk-17-jre-headless', usedBy: 'DynamoDB Local' },
  { what: 'pdftoppm', present: () => runs('pdftoppm', ['-v']), debianPackage: 'poppler-utils', usedBy: 'reading the notice barcodes back' },
  { what: 'pdftotext', present: () => runs('pdftotext', ['-v']), debianPackage: 'poppler-utils', usedBy: 'reading the notice text back' },
  { what: '/usr/bin/chromium', present: () => existsSync('/usr/bin/chromium'), debianPackage: 'chromium', usedBy: 'the browser tests' },
];

function runs(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined;
}

export default function checkSystemTools(): void {
  const missing = TOOLS.filter((tool) => !tool.present());
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((t) => t.debianPackage))].join(' ');
  const what = missing.map((t) => `${t.what} (${t.usedBy})`).join(', ');
  process.stderr.write(`npm test needs ${what}: apt-get install ${packages} (or run .ci/run, which installs them)\n`);
  process.exit(1);
}
