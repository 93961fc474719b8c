/**
 * Runs the local stack as `npm start` does, in a child process, so a benchmark's load generator
 * does not share the stack's event loop. Resolves once /health answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface StackProcess {
  readonly url: string;
  readonly dynamodb: string;
  readonly table: string;
  readonly region: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startStackProcess(env: Record<string, string> = {}): Promise<StackProcess> {
  const port = await freePort();
  const stateFile = join(mkdtempSync(join(tmpdir(), 'pagopa-bench-')), 'local-cloud.json');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', resolve('infra/local/main.ts')], {
    env: { ...process.env, ...env, PORT: String(port), LOCAL_STATE_FILE: stateFile, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the local stack exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the local stack did not become healthy within 120 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { dynamodb: string; table: string; region: string };
  return {
    url,
    ...state,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
