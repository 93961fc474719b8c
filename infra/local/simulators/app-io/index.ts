export {
  API_PREFIX,
  createAppIoSimulator,
  type AppIoSimulator,
  type AppIoSimulatorOptions,
  type AppIoSimulatorState,
  type FaultSettings,
  type SimCitizen,
  type SimMessage,
  type SimRequestRecord,
  type SimService,
} from './simulator';
export { startAppIoSimulator, type RunningAppIoSimulator } from './server';
export { renderMarkdownSafe, escapeHtml } from './markdown';
