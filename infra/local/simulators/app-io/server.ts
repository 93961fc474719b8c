/**
 * The App IO simulator on its own HTTP server (127.0.0.1 only), for tests and for running it by
 * hand. The local cloud gateway does not use this: it mounts `createAppIoSimulator().listener`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_PREFIX, createAppIoSimulator, type AppIoSimulator, type AppIoSimulatorOptions } from './simulator';

export interface RunningAppIoSimulator {
  /** the server's root, e.g. http://127.0.0.1:41234 (the inbox page is at `${url}/`) */
  readonly url: string;
  /** what the layer's IO_API_URL would be: `${url}/api/v1` */
  readonly apiUrl: string;
  readonly sim: AppIoSimulator;
  close(): Promise<void>;
}

export async function startAppIoSimulator(
  options: AppIoSimulatorOptions & { port?: number } = {},
): Promise<RunningAppIoSimulator> {
  const { port = 0, ...simOptions } = options;
  const sim = createAppIoSimulator(simOptions);
  const server = createServer(sim.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${actual}`;
  return {
    url,
    apiUrl: `${url}${API_PREFIX}`,
    sim,
    close: () =>
      new Promise<void>((resolve, reject) => {
        sim.reset(); // ends requests held by an injected timeout
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
