// `doorstep camera discover`, the real binary, with real multicast — only inside a private network namespace.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./camera-discover-netns.js", import.meta.url));
const NETNS_SETUP = "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo";

describe("doorstep camera discover (real binary, private network namespace)", function () {
  this.timeout(30_000);

  it("lists the camera that answers the WS-Discovery probe, and refuses a bad --timeout with exit 2", async () => {
    // Fails (never skips) where unshare is missing: the probe must not run on a real interface.
    const out = await new Promise<string>((resolve, reject) => {
      execFile("unshare", ["-rn", "sh", "-c", `${NETNS_SETUP} && exec "$0" --enable-source-maps "$1"`, process.execPath, SCRIPT], { timeout: 25_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`camera discover in a private netns failed: ${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const r = JSON.parse(out.trim().split("\n").pop()!) as { sim: string; code: number; stdout: string; stderr: string; badCode: number };
    expect(r.code, r.stderr).to.equal(0);
    const found = JSON.parse(r.stdout) as { xaddrs: string[]; scopes: { name?: string } }[];
    expect(found).to.have.length(1);
    expect(found[0]!.scopes.name).to.equal("Hall camera");
    expect(found[0]!.xaddrs).to.deep.equal([r.sim]);
    expect(r.badCode).to.equal(2);
  });
});
