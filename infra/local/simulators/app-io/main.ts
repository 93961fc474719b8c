/**
 * Run the App IO simulator by hand: `npx tsx infra/local/simulators/app-io/main.ts [port]`.
 * Seeds one demo service (key `demo-key`) and two citizens, one of whom blocked the service.
 */
import { startAppIoSimulator } from './server';

const port = Number(process.argv[2] ?? process.env.APP_IO_SIM_PORT ?? 0);
const running = await startAppIoSimulator({ port });
running.sim.registerService({ serviceId: 'DEMO-TARI', apiKey: 'demo-key', name: 'TARI', organizationName: 'Comune di Esempio' });
running.sim.registerCitizen({ fiscalCode: 'RCCMNL83S18D969H' });
running.sim.registerCitizen({ fiscalCode: 'BNCGVN80A01H501U', blockedServices: ['DEMO-TARI'] });
process.stdout.write(`App IO simulator: inbox ${running.url}/  API ${running.apiUrl}  (key demo-key)\n`);
const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
