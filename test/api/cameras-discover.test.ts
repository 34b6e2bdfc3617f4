// POST /v1/cameras/discover (the console's "find my camera" button), through a real bridge's API with real
// multicast — only inside a private network namespace.
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { runInNamespace } from "../helpers/netns.js";

const SCRIPT = fileURLToPath(new URL("./cameras-discover-netns.js", import.meta.url));

describe("POST /v1/cameras/discover (real bridge, private network namespace)", function () {
  this.timeout(40_000);

  it("answers the camera that replied to the probe with the host and port the camera fields need; owner only; bad input 400", async () => {
    const run = await runInNamespace(SCRIPT, 35_000);
    const r = run.steps.get("discovered") as
      | { sim: string; found: { status: number; body: { host: string; port: number; deviceService: string; name?: string; address: string }[] }; bad: number; anonymous: number }
      | undefined;
    expect(r, `discovery in a private netns failed (exit ${run.code}):\n${run.stderrTail}`).to.not.equal(undefined);
    expect(r!.found.status).to.equal(200);
    expect(r!.found.body).to.have.length(1);
    const sim = new URL(r!.sim);
    expect(r!.found.body[0]).to.include({ host: sim.hostname, port: Number(sim.port), deviceService: r!.sim, name: "Hall camera" });
    expect(r!.found.body[0]!.address).to.match(/^urn:uuid:/);
    expect(r!.bad).to.equal(400);
    expect(r!.anonymous).to.equal(401);
  });
});
