// The zigbee driver's public surface: herdsman types stay inside this folder.
export type * from "./lock-driver.js";
export { ZigbeeCoordinator, type CoordinatorConfig, type CoordinatorOptions, type CoordinatorEvents, type Interviewed } from "./zigbee-coordinator.js";
export { HerdsmanLockDriver, type HerdsmanLockDriverOptions } from "./herdsman-lock-driver.js";
export { SlotReconciler, type DesiredCredential, type CredentialSyncStatus, type ReconcileReport, type SlotReconcilerOptions } from "./slot-reconciler.js";
export { MemorySlotRepository, type SlotRecord, type SlotRepository, type SlotSync } from "./slot-repository.js";
export { LOCK_MODELS, findLockModel, resolveCapabilities, type LockModel } from "./devices.js";
export { Z2mLockDriver, type Z2mLockDriverOptions } from "./z2m-lock-driver.js";
export { Z2mConnection, type MqttSettings, type MqttTlsOptions } from "./z2m-connection.js";
export { ADAPTERS, herdsmanPortOptions, type AdapterFamily } from "./adapter-options.js";
