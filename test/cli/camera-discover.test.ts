// `doorstep camera discover`, the real binary, with real multicast — only inside a private network namespace.
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { runInNamespace } from "../helpers/netns.js";

const SCRIPT = fileURLToPath(new URL("./camera-discover-netns.js", import.meta.url));

describe("doorstep camera discover (real binary, private network namespace)", function () {
  this.timeout(30_000);

  it("lists the camera that answers the WS-Discovery probe, and refuses a bad --timeout with exit 2", async () => {
    // runInNamespace fails (never skips) where unshare is missing: the probe must not run on a real interface.
    const run = await runInNamespace(SCRIPT, 25_000);
    const r = run.steps.get("discovered") as { sim: string; code: number; stdout: string; stderr: string; badCode: number } | undefined;
    expect(r, `camera discover in a private netns failed (exit ${run.code}):\n${run.stderrTail}`).to.not.equal(undefined);
    expect(r!.code, r!.stderr).to.equal(0);
    const found = JSON.parse(r!.stdout) as { xaddrs: string[]; scopes: { name?: string } }[];
    expect(found).to.have.length(1);
    expect(found[0]!.scopes.name).to.equal("Hall camera");
    expect(found[0]!.xaddrs).to.deep.equal([r!.sim]);
    expect(r!.badCode).to.equal(2);
  });
});
