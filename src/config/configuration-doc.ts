// Generates docs/configuration.md from the options catalogue, so the reference can't drift from the validator.
import { configSchema } from "./options.js";

type Node = { [key: string]: unknown };

function rows(node: Node, path: string, out: string[]): void {
  const props = node.properties as Record<string, Node> | undefined;
  if (props) {
    for (const [key, child] of Object.entries(props)) {
      if (key === "platform" || key === "_bridge") continue;
      const required = ((node.required as string[] | undefined) ?? []).includes(key);
      const childPath = path ? `${path}.${key}` : key;
      out.push(row(childPath, child, required));
      rows(child.type === "array" ? (child.items as Node) : child, child.type === "array" ? `${childPath}[]` : childPath, out);
    }
  }
}

function row(path: string, node: Node, required: boolean): string {
  const type = node.enum ? (node.enum as unknown[]).map((v) => `\`${String(v)}\``).join(" \\| ") : String(node.type);
  const bounds = [node.minimum !== undefined ? `≥ ${String(node.minimum)}` : "", node.maximum !== undefined ? `≤ ${String(node.maximum)}` : ""].filter(Boolean).join(", ");
  const def = node.default !== undefined && node.type !== "object" && node.type !== "array" ? `\`${JSON.stringify(node.default)}\`` : required ? "**required**" : "";
  return `| \`${path}\` | ${type}${bounds ? ` (${bounds})` : ""} | ${def} | ${String(node.description ?? "")} |`;
}

export function configurationDoc(): string {
  const out: string[] = [];
  rows(configSchema as unknown as Node, "", out);
  return [
    "# Configuration",
    "",
    "<!-- Generated from src/config/options.ts by `npm run schema`; a test fails when this file is out of date. -->",
    "",
    "The same options serve the Homebridge platform block (edited in the Homebridge UI through `config.schema.json`) and the",
    "standalone bridge's `doorstep.json`. The config is validated with ajv at start-up; every error names its JSON path",
    "(for example `doors[0].camera.port: must be <= 65535`), and an invalid config changes nothing.",
    "",
    "| option | type | default | meaning |",
    "|---|---|---|---|",
    ...out,
    "",
    "## Example (`doorstep.json`)",
    "",
    "```json",
    JSON.stringify(
      {
        zigbee: { port: "/dev/ttyUSB0", channel: 15 },
        doors: [
          {
            id: "front",
            name: "Front door",
            lock: { ieee: "0x000d6f0012345678" },
            camera: { host: "192.0.2.10", username: "doorstep", password: "…" },
            relockAfterSeconds: 30,
          },
        ],
        delivery: { timeZone: "Europe/Berlin" },
        api: { host: "127.0.0.1", port: 8787 },
      },
      null,
      2,
    ),
    "```",
    "",
    "## A lock on an existing Zigbee2MQTT",
    "",
    "When the home already runs Zigbee2MQTT on its one adapter, pair the lock there and give the door",
    "`\"lock\": {\"driver\": \"zigbee2mqtt\", \"mqtt\": {\"url\": \"mqtt://broker:1883\", \"username\": \"…\", \"password\": \"…\"}, \"device\": \"Front door lock\"}`",
    "(`device` is the friendly name, or the IEEE address; `baseTopic` if Zigbee2MQTT's is not `zigbee2mqtt`). No `zigbee` block is",
    "needed for such doors. Doorstep then reads the lock's state, events and availability from Zigbee2MQTT's topics, confirms",
    "every lock/unlock by the lock's own report, writes PINs with `set {\"pin_code\": …}` (as strings) and confirms each by",
    "reading that one slot back; it never asks Zigbee2MQTT to read every slot. The slot count comes from Zigbee2MQTT's exposes",
    "when they state it, else from Doorstep's device table by model, else from `lock.pinSlots`. Zigbee2MQTT keeps no lock",
    "schedules, so the bridge enforces every guest window itself (as it always does). Set the device option `expose_pin: true`",
    "in Zigbee2MQTT to let Doorstep compare a read-back code, and keep the broker's retained messages (persistence), so a",
    "restarted broker still holds Zigbee2MQTT's device list. Tested against Zigbee2MQTT 2.14.1 and Mosquitto 2.0",
    "(`test/zigbee2mqtt/`); `doorstep sim --zigbee2mqtt` runs the same setup with no hardware.",
    "",
    "## Coordinator adapters",
    "",
    "`zigbee.adapter` names the coordinator's firmware family as zigbee-herdsman knows it (the same names in herdsman 10.x",
    "and 11.x): `zstack` (Texas Instruments: Sonoff ZBDongle-P, SLZB-06P7, CC2652), `ember` (Silicon Labs EmberZNet 7.4+:",
    "Home Assistant SkyConnect/ZBT-1, Sonoff ZBDongle-E, SLZB-06M), `deconz` (ConBee II/III, RaspBee), `zboss` (Nordic nRF52840),",
    "`zigate`, `zoh` (ZigBee on Host over an OpenThread RCP), or `auto`: herdsman picks the family from the USB ids of a",
    "serial port, or from the `radio_type` of an `mdns://` service. `zigbee.port` is a serial path (prefer `/dev/serial/by-id/…`),",
    "`tcp://host:port` for a network coordinator, or `mdns://service-type`. `baudRate` and `rtscts` apply to serial ports only.",
    "`deconz` is refused over `tcp://`: the deCONZ driver of zigbee-herdsman 10.9 throws an uncaught error when a TCP connection",
    "closes, which would stop the bridge; ConBee and RaspBee are serial devices anyway.",
    "",
    "What was tested: only `zstack` runs a network in the tests, against the project's Z-Stack emulator (pairing, every lock",
    "command, faults). For `ember`, `deconz`, `zboss`, `zigate` and `zoh` no emulator exists: the tests check that each family",
    "and its port options reach herdsman and that a port that does not answer ends in one clear error naming the port and the",
    "firmware to check (`test/zigbee/adapters.long.test.ts`; deCONZ on a serial path that does not exist). They have not been run",
    "against their hardware.",
    "",
  ].join("\n");
}
