// Issue 10 item 9, the CLI part, through the real binary: `serve --demo --storage DIR` creates a missing DIR (0700);
// a demo start revokes the owner tokens of earlier demo starts; a config that is not JSON is reported without quoting
// the file (it may hold a password).
import { expect } from "chai";
import { stat, writeFile } from "node:fs/promises";
import { runDoorstep } from "../helpers/cli.js";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";

interface Ready {
  api: string;
  ownerToken: string;
}

describe("doorstep serve --demo --storage, and config parse errors (real binary)", function () {
  this.timeout(180_000);
  const parent = useTempDir({ prefix: "doorstep-demo-storage-" });
  let bridge: RunningDoorstep<Ready> | undefined;

  afterEach(async () => {
    await bridge?.stop();
    bridge = undefined;
  });

  it("creates a missing storage dir (0700), and each demo start revokes the previous demo's owner token", async () => {
    const storage = parent.join("not", "yet");
    bridge = await startDoorstep<Ready>(["--storage", storage, "serve", "--demo"], "DOORSTEP READY", { timeoutMs: 90_000 });
    expect((await stat(storage)).mode & 0o777).to.equal(0o700);
    const first = bridge.ready.ownerToken;
    const doors = (api: string, token: string) => fetch(`${api}/v1/doors`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await doors(bridge.ready.api, first)).to.equal(200);
    await bridge.stop();

    bridge = await startDoorstep<Ready>(["--storage", storage, "serve", "--demo"], "DOORSTEP READY", { timeoutMs: 90_000 });
    const second = bridge.ready.ownerToken;
    expect(second).not.to.equal(first);
    expect(await doors(bridge.ready.api, second)).to.equal(200);
    expect(await doors(bridge.ready.api, first)).to.equal(401);
    await bridge.stop();
    bridge = undefined;

    const tokens = await runDoorstep(["--storage", storage, "token", "list", "--json"]);
    const live = (JSON.parse(tokens.stdout) as { subject: { kind: string }; revokedAt?: number }[]).filter((t) => t.subject.kind === "owner" && t.revokedAt === undefined);
    expect(live).to.have.length(1);
  });

  it("reports a config that is not JSON by line and column, without quoting the file", async () => {
    const config = parent.join("doorstep.json");
    const secret = "hunter2-cam-pass";
    for (const text of [
      `{\n  "doors": [{ "camera": { "password": "${secret}" x } }]\n}`,
      `{ "zigbee": { "networkKey": ${secret} } }`,
      `{ "doors": [{ "camera": { "password": "${secret}`,
    ]) {
      await writeFile(config, text);
      const r = await runDoorstep(["--config", config, "guest", "list"]);
      expect(r.code, text).to.equal(2);
      expect(r.stderr).to.contain("is not valid JSON");
      expect(r.stderr + r.stdout, text).not.to.contain(secret);
      expect(r.stderr + r.stdout, text).not.to.contain("hunter");
    }
  });
});
