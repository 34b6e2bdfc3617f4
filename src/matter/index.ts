// The Matter face of Doorstep. The process-config module comes first: it must run before matter.js initialises.
import "./matter-process-config.js";

export { startMatterBridge, type MatterBridge, type StartMatterBridgeOptions } from "./matter-bridge.js";
export { slotTableProbe, type KeypadSyncProbe, type KeypadSyncState, type SlotTable } from "./doorstep-link.js";
export { resolvePairingIdentity, type PairingIdentity } from "./pairing-identity.js";
