/**
 * Runs the catalog's handlers the way Lambda does, inside this process: the module named by the
 * function's `entry` is imported lazily (after the environment is set), `handler(event, context)`
 * is awaited, and an invocation that outlives `timeoutSeconds` fails with Lambda's own message.
 */
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionDef } from '../catalog';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LOCAL_ACCOUNT_ID = '000000000000';

type Handler = (event: unknown, context: Context) => unknown;

export class InvocationTimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

export class LambdaRuntime {
  private readonly modules = new Map<string, Promise<Handler>>();
  private inFlight = 0;

  constructor(
    private readonly functions: readonly FunctionDef[],
    private readonly region: string,
  ) {}

  get invocationsInFlight(): number {
    return this.inFlight;
  }

  functionDef(functionId: string): FunctionDef {
    const fn = this.functions.find((f) => f.id === functionId);
    if (!fn) throw new Error(`no function '${functionId}' in the catalog`);
    return fn;
  }

  /** Imports the handler once (like a warm container); the import error surfaces on every call. */
  private load(fn: FunctionDef): Promise<Handler> {
    let loaded = this.modules.get(fn.id);
    if (!loaded) {
      const url = pathToFileURL(resolve(REPO_ROOT, fn.entry)).href;
      loaded = import(url).then((mod: Record<string, unknown>) => {
        const handler = mod.handler ?? (mod.default as Record<string, unknown> | undefined)?.handler;
        if (typeof handler !== 'function') {
          throw new Error(`${fn.entry} does not export a function named 'handler'`);
        }
        return handler as Handler;
      });
      loaded.catch(() => this.modules.delete(fn.id)); // let a fixed module load on the next call
      this.modules.set(fn.id, loaded);
    }
    return loaded;
  }

  async invoke(functionId: string, event: unknown): Promise<unknown> {
    const fn = this.functionDef(functionId);
    this.inFlight++;
    try {
      const handler = await this.load(fn);
      const deadline = Date.now() + fn.timeoutSeconds * 1000;
      const requestId = randomUUID();
      const context: Context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: fn.id,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:${this.region}:${LOCAL_ACCOUNT_ID}:function:${fn.id}`,
        memoryLimitInMB: String(fn.memoryMb),
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${fn.id}`,
        logStreamName: `local/${requestId}`,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: () => {
          throw new Error('callback-style handlers are not supported: return a promise');
        },
        fail: () => {
          throw new Error('callback-style handlers are not supported: throw instead');
        },
        succeed: () => {
          throw new Error('callback-style handlers are not supported: return a value');
        },
      };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new InvocationTimeoutError(fn.timeoutSeconds)), fn.timeoutSeconds * 1000);
      });
      try {
        return await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      this.inFlight--;
    }
  }
}
