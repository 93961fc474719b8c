export { createFdrSimulator, FDR_API_PREFIX, type CloseFaults, type FdrSimulator, type FdrSimulatorOptions, type SimFlow, type SimPayment, type SimReceipt } from './simulator';
export { createLocalFdr, FDR_MOUNT, type LocalFdr } from './local';
