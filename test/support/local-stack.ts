/**
 * The whole local stack for a test file: the local cloud on a random port with the default seed,
 * and small helpers to call the REST API as a back office would (real HTTP).
 */
import type { LocalCloud } from '../../infra/local/cloud';
import { startLocalLayer, temporaryOutbox, type LocalLayer } from '../../infra/local/layer';

export const ESEMPIO_FC = '80001234568';
export const ESEMPIO_KEY = 'demo-esempio-key-0123456789abcdef';
export const ALTROVE_FC = '80007654322';
export const ALTROVE_KEY = 'demo-altrove-key-0123456789abcdef';

export interface LocalStack {
  readonly cloud: LocalCloud;
  readonly layer: LocalLayer;
  readonly url: string;
  api(method: string, path: string, options?: { key?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse>;
  stop(): Promise<void>;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
  readonly text: string;
}

/** The same layer `npm start` runs (cloud, simulators, seed), on random ports. */
export async function startLocalStack(options: { env?: Record<string, string> } = {}): Promise<LocalStack> {
  const logs: string[] = [];
  const layer = await startLocalLayer({ port: 0, log: (line) => logs.push(line), outboxDir: temporaryOutbox(), env: options.env });
  const { cloud } = layer;
  return {
    cloud,
    layer,
    url: cloud.url,
    async api(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const key = options.key === undefined ? ESEMPIO_KEY : options.key;
      if (key !== null) headers['Ocp-Apim-Subscription-Key'] = key;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['Content-Type'] ??= 'application/json';
      }
      const response = await fetch(`${cloud.url}${path}`, { method, headers, body });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, json, text };
    },
    stop: () => cloud.stop(),
  };
}
