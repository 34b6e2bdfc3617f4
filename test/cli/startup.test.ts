// What one command line loads: the bridge (herdsman, Fastify, HAP, matter.js) only for `serve`, ajv only once a
// command reads the config. A static import of a heavy module into a command file would make every command slow again.
import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { runDoorstep } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";

// Preloaded into the CLI process (NODE_OPTIONS=--import): every module URL it resolves, written to $MODULE_TRACE at exit.
const TRACER = `
import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";
const urls = new Set();
registerHooks({ resolve: (specifier, context, next) => { const r = next(specifier, context); urls.add(r.url); return r; } });
process.on("exit", () => writeFileSync(process.env.MODULE_TRACE, JSON.stringify([...urls])));
`;

const BRIDGE_PACKAGES = ["zigbee-herdsman", "fastify", "hap-nodejs", "@matter/main", "onvif", "mqtt"];
const bridgeModules = (ours: string[]) => ours.filter((m) => /^(bridge|api|zigbee|homekit|matter)\//.test(m) || ["cli/serve.js", "sim/simulated-home.js"].includes(m));

interface Loaded {
  code: number;
  stdout: string;
  /** npm packages, by name. */
  packages: Set<string>;
  /** Our modules, as paths under src/ ("store/store.js"). */
  ours: string[];
}

describe("doorstep CLI start-up (what each command line loads)", function () {
  this.timeout(30_000);
  const dir = useTempDir();

  async function load(...args: string[]): Promise<Loaded> {
    const tracer = dir.join("tracer.mjs");
    await writeFile(tracer, TRACER);
    const trace = dir.join("trace.json");
    const run = await runDoorstep(["--storage", dir.path, ...args], { env: { NODE_OPTIONS: `--import=${pathToFileURL(tracer).href}`, MODULE_TRACE: trace } });
    const urls = JSON.parse(await readFile(trace, "utf8")) as string[];
    return {
      code: run.code,
      stdout: run.stdout,
      packages: new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? [])),
      ours: urls.flatMap((u) => /\/dist\/src\/(.+)$/.exec(u)?.[1] ?? []),
    };
  }

  it("--help lists every command and loads commander alone: no ajv, no store, no bridge", async () => {
    const help = await load("--help");
    expect(help.code).to.equal(0);
    for (const command of ["serve", "guest", "visits", "audit", "token", "camera", "sim"]) expect(help.stdout).to.match(new RegExp(`^\\s+${command}\\b`, "m"));
    expect([...help.packages]).to.deep.equal(["commander"]);
    expect(help.ours.filter((m) => /^(store|config)\//.test(m))).to.deep.equal([]);
    expect(bridgeModules(help.ours)).to.deep.equal([]);
  });

  it("guest list loads the config validator and the store, and nothing of the bridge", async () => {
    await writeFile(dir.join("doorstep.json"), JSON.stringify({ delivery: { timeZone: "Europe/Berlin" } }));
    const list = await load("guest", "list");
    expect(list.code).to.equal(0);
    expect(list.stdout).to.equal("No guest credentials.\n");
    expect(list.packages).to.include("ajv");
    expect(list.ours).to.include.members(["config/validate-config.js", "store/store.js"]);
    expect(BRIDGE_PACKAGES.filter((p) => list.packages.has(p))).to.deep.equal([]);
    expect(bridgeModules(list.ours)).to.deep.equal([]);
  });
});
