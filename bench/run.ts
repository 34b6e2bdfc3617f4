// `npm run bench`: runs every benchmark in this folder one after another and writes docs/benchmarks.md.
// Each bench module exports one async function that measures and returns a markdown section.
import { writeFile } from "node:fs/promises";
import os from "node:os";

type Bench = () => Promise<string>;
const BENCHES: { file: string; title: string; fn: string }[] = [
  { file: "./decide.js", title: "Access decisions", fn: "benchDecide" },
  { file: "./zigbee-reconcile.js", title: "Zigbee slot reconciliation", fn: "benchZigbeeReconcile" },
  { file: "./zigbee-latency.js", title: "Zigbee unlock latency", fn: "benchZigbeeLatency" },
  { file: "./zigbee2mqtt-driver.js", title: "Zigbee2MQTT driver", fn: "benchZigbee2mqttDriver" },
  { file: "./camera-recorder.js", title: "Camera recorder", fn: "benchCameraRecorder" },
  { file: "./ring-storage-writes.js", title: "Ring in RAM: storage writes", fn: "benchRingStorageWrites" },
  { file: "./durable-commit.js", title: "Durable intent: commit cost", fn: "benchDurableCommit" },
  { file: "./delivery-redeem.js", title: "Delivery flow (in process)", fn: "benchDeliveryRedeem" },
  { file: "./delivery-latency.js", title: "Delivery flow through the API", fn: "benchDeliveryLatency" },
  { file: "./load.js", title: "Load: 100 providers, 4 doors, out of process", fn: "benchLoad" },
  { file: "./serve-rss.js", title: "Memory of doorstep serve", fn: "benchServeRss" },
  { file: "./homekit-latency.js", title: "HomeKit", fn: "benchHomekitLatency" },
];

const loadAtStart = os.loadavg()[0]!;
const only = process.argv.slice(2);
const sections: string[] = [];
for (const { file, title, fn: name } of BENCHES) {
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
  const mod = (await import(file)) as Record<string, unknown>;
  const fn = mod[name] as Bench | undefined;
  if (typeof fn !== "function") throw new Error(`${file} does not export ${name}()`);
  process.stderr.write(`bench: ${title}…\n`);
  sections.push((await fn()).trim());
}

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const header = [
  "# Benchmarks",
  "",
  "Written by `npm run bench` (bench/run.ts); every figure below was measured by that run.",
  "",
  `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}. Run at ${new Date().toISOString()}.`,
  `Load average (1 min) at the start and the end of the run: ${loadAtStart.toFixed(1)} and ${os.loadavg()[0]!.toFixed(1)}. Above the core count`,
  "means other work shared the machine (on the development machine, other engineers' test runs), which stretches the tails.",
  "",
].join("\n");
const text = `${header}\n${sections.join("\n\n")}\n`;
if (only.length === 0) await writeFile(new URL("../../docs/benchmarks.md", import.meta.url), text);
process.stdout.write(text);
