// The rules Homebridge applies to a plugin's package.json (plugin.js / pluginManager.js in Homebridge 2.4), checked
// against ours: loading throws without the keyword or engines.homebridge; HAP libraries in dependencies are an error.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PLATFORM_NAME } from "../../src/config/options.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as {
  name: string;
  main: string;
  keywords?: string[];
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const schema = JSON.parse(readFileSync(`${root}config.schema.json`, "utf8")) as { pluginAlias: string; pluginType: string };

describe("package.json follows Homebridge's plugin rules", () => {
  it("has the homebridge-plugin keyword and a homebridge-prefixed name", () => {
    expect(pkg.keywords).to.include("homebridge-plugin");
    expect(pkg.name).to.match(/^homebridge-/);
  });

  it("declares engines.homebridge (2.x) and a Node engine Homebridge 2 supports", () => {
    expect(pkg.engines?.["homebridge"]).to.match(/\^?2\./);
    expect(pkg.engines?.["node"]).to.be.a("string");
  });

  it("lists no homebridge or HAP library in dependencies (peer dependencies at most)", () => {
    const forbidden = ["homebridge", "hap-nodejs", "@homebridge/hap-nodejs"];
    for (const name of forbidden) expect(Object.keys(pkg.dependencies ?? {}), name).not.to.include(name);
  });

  it("points main at the built entry that default-exports the registration function", async () => {
    expect(pkg.main).to.equal("dist/src/homebridge/index.js");
    const entry = (await import(`${root}${pkg.main}`)) as { default: unknown };
    expect(entry.default).to.be.a("function");
    const registered: string[] = [];
    (entry.default as (api: unknown) => void)({ registerPlatform: (name: string) => registered.push(name) });
    expect(registered).to.deep.equal([PLATFORM_NAME]);
  });

  it("config.schema.json's pluginAlias is the registered platform name", () => {
    expect(schema).to.include({ pluginAlias: PLATFORM_NAME, pluginType: "platform" });
  });
});
