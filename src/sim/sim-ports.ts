// `doorstep sim`'s fixed port block, so a written config stays valid across restarts (a module of its own: the CLI
// reads these constants without loading the simulator).

/** `doorstep sim`'s default port block: 47800 Zigbee, 47801 control, then ONVIF 47810+2i and RTSP 47811+2i for door i. */
export const SIM_DEFAULT_BASE_PORT = 47800;
/** How many ports a block spans (8 doors at most). */
export const SIM_PORT_SPAN = 10 + 2 * 8;

/** The port of each endpoint in the block starting at `base`; all 0 (ephemeral) when base is 0. */
export function simPorts(base: number, doorIndex = 0): { zigbee: number; control: number; onvif: number; rtsp: number } {
  if (base === 0) return { zigbee: 0, control: 0, onvif: 0, rtsp: 0 };
  return { zigbee: base, control: base + 1, onvif: base + 10 + 2 * doorIndex, rtsp: base + 11 + 2 * doorIndex };
}
