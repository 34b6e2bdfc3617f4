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
  ].join("\n");
}
