// Where @homebridge/hap-nodejs is not installed, the package still loads and the standalone bridge says what to do.
// A child Node process gets a resolve hook that makes the package unresolvable, as on a machine without it.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const HAP_MODULE = new URL("../../src/homekit/hap-module.js", import.meta.url).href;
const PLUGIN_ENTRY = new URL("../../src/homebridge/index.js", import.meta.url).href;
const HOOKS = `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === "@homebridge/hap-nodejs") {
    throw Object.assign(new Error("Cannot find package '@homebridge/hap-nodejs'"), { code: "ERR_MODULE_NOT_FOUND" });
  }
  return next(specifier, context);
}`)}`;
const SCRIPT = `
import { register } from "node:module";
register(${JSON.stringify(HOOKS)});
const plugin = await import(${JSON.stringify(PLUGIN_ENTRY)});
const { loadHap } = await import(${JSON.stringify(HAP_MODULE)});
try { await loadHap(); console.log("LOADED"); } catch (e) { console.log(JSON.stringify({ plugin: typeof plugin.default, name: e.name, message: e.message })); }
`;

describe("without @homebridge/hap-nodejs installed", () => {
  it("the plugin entry still loads, and loadHap() throws a ConfigError saying what to install", async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--no-warnings", "--input-type=module", "-e", SCRIPT], { cwd: fileURLToPath(new URL(".", import.meta.url)), timeout: 20_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      ),
    );
    const result = JSON.parse(stdout.trim()) as { plugin: string; name: string; message: string };
    expect(result.plugin).to.equal("function");
    expect(result.name).to.equal("ConfigError");
    expect(result.message).to.include('npm install @homebridge/hap-nodejs');
  });
});
