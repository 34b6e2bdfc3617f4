// The folder rules of docs/architecture.md, checked against every import in src/.

import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { doubleImports, forbidden, importsOf, parseFolderRules, readText, sourceFiles } from "./import-graph.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SRC = join(ROOT, "src");

describe("import boundaries (docs/architecture.md)", () => {
  const rules = parseFolderRules(readText(join(ROOT, "docs/architecture.md")));

  it("has a rule in the doc for every folder of src/, and no rule for a folder that does not exist", () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect([...rules.keys()].sort()).to.deep.equal(folders);
  });

  it("finds no import the doc forbids in src/ (all of them listed)", () => {
    const edges = sourceFiles(SRC).flatMap((f) => importsOf(f, readText(f), SRC));
    expect(edges.length, "the reader found the imports between folders").to.be.greaterThan(100);
    const bad = forbidden(edges, rules);
    expect(bad, `imports the folder rules forbid:\n${bad.join("\n")}`).to.deep.equal([]);
  });

  it("reports every forbidden import, static, re-exported and dynamic, and allows types only where the doc says so", () => {
    const file = join(SRC, "matter", "x.ts");
    const source = [
      'import { a } from "../delivery/delivery-port.js";',
      'import type { B } from "../store/visit-store.js";',
      'import { c } from "../api/handlers.js";',
      'export { d } from "../sim/simulated-home.js";',
      "const e = await import(\"../homekit/door-homekit.js\");",
      'import { f } from "../store/visit-store.js";',
      'import "../bridge/create-bridge.js";',
      'import { g } from "./local.js";',
      'import { h } from "node:fs";',
    ].join("\n");
    const edges = importsOf(file, source, SRC);
    expect(edges.map((e) => e.to)).to.deep.equal(["delivery", "store", "api", "sim", "homekit", "store", "bridge"]);
    expect(forbidden(edges, rules)).to.deep.equal([
      "src/matter/x.ts:3 matter → api (../api/handlers.js)",
      "src/matter/x.ts:4 matter → sim (../sim/simulated-home.js)",
      "src/matter/x.ts:5 matter → homekit (../homekit/door-homekit.js)",
      "src/matter/x.ts:6 matter → store (../store/visit-store.js)",
      "src/matter/x.ts:7 matter → bridge (../bridge/create-bridge.js)",
    ]);
  });

  it("finds no product module importing a test double (src/**/test-*.ts), all of them listed", () => {
    const files = sourceFiles(SRC);
    expect(files.filter((f) => /[/\\]test-[^/\\]*\.ts$/.test(f)).length, "the doubles beside their seams").to.be.greaterThan(1);
    const bad = files.flatMap((f) => doubleImports(f, readText(f), SRC));
    expect(bad, `product modules importing a test double:\n${bad.join("\n")}`).to.deep.equal([]);
  });

  it("reports a double imported by product code, in its folder or another, and lets src/sim and other doubles use it", () => {
    const source = [
      'import { TestLockDriver } from "../zigbee/test-lock-driver.js";',
      'import type { TestRecorder } from "./test-recorder.js";',
      'export { KWIKSET_LIKE } from "../zigbee/test-lock-driver.js";',
      'const d = await import("../zigbee/test-lock-driver.js");',
      'import { RingRecorder } from "./ring-recorder.js";',
    ].join("\n");
    expect(doubleImports(join(SRC, "camera", "x.ts"), source, SRC)).to.deep.equal([
      "src/camera/x.ts:1 → ../zigbee/test-lock-driver.js",
      "src/camera/x.ts:2 → ./test-recorder.js",
      "src/camera/x.ts:3 → ../zigbee/test-lock-driver.js",
      "src/camera/x.ts:4 → ../zigbee/test-lock-driver.js",
    ]);
    expect(doubleImports(join(SRC, "sim", "simulated-home.ts"), source, SRC)).to.deep.equal([]);
    expect(doubleImports(join(SRC, "camera", "test-camera.ts"), source, SRC)).to.deep.equal([]);
  });

  it("reads the table's value and type columns", () => {
    const r = parseFolderRules("| `src/x` | does x | `access`, `core`; types: `store` |\n| `src/y` | pure | nothing of ours |");
    expect([...r.get("x")!.values]).to.deep.equal(["access", "core"]);
    expect([...r.get("x")!.types]).to.deep.equal(["store"]);
    expect(r.get("y")!.values.size).to.equal(0);
  });
});
