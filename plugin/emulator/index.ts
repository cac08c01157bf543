/** A local emulator of the RetroDiffusion API, for offline builds and tests (`retro-sprites emulate`). */
export {
  DEFAULT_EMULATOR_CREDITS,
  DEFAULT_EMULATOR_PORT,
  DEFAULT_EMULATOR_TOKEN,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type RecordedRequest,
} from './server.js';
export { parseFaultSpec, FAULT_KINDS, FaultSpecError, type FaultKind, type FaultRule } from './faults.js';
export { priceOf } from './cost.js';
export { REGULAR_SIZE_FACTOR } from './images.js';
export type { LedgerCharge } from './v2.js';
