// Issue 10 item 8 through the real binary: the demo runs with its storage on a small tmpfs (in a private mount namespace:
// nothing on the host is mounted), the disk is filled, and then writes answer 507 in the API's error shape, reads keep
// working, the simulator and the recorder meet ENOSPC, and the process stays up; freeing space makes writes work again.
import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { CLI_MAIN } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { terminate } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";

interface Ready {
  api: string;
  ownerToken: string;
  sim: { control: string };
}

const run = promisify(execFile);

describe("doorstep serve --demo on a full disk (real binary, tmpfs in a private mount namespace)", function () {
  this.timeout(180_000);
  const mount = useTempDir({ prefix: "doorstep-diskfull-" });
  let child: ReturnType<typeof spawn> | undefined;
  let exited: Promise<number | string>;
  let stderr = "";

  afterEach(async () => {
    if (child) await terminate(child, exited, 10_000);
    child = undefined;
  });

  /** Runs a shell command inside the bridge's mount namespace, where the tmpfs is. */
  const inNamespace = (script: string) => run("nsenter", ["-t", String(child!.pid), "-m", "--", "sh", "-c", script, "sh", mount.path]);

  it("answers writes 507 storage-full, keeps serving reads, survives ENOSPC everywhere, and recovers when space is freed", async () => {
    child = spawn(
      "unshare",
      ["-m", "--propagation", "private", "sh", "-c", 'mount -t tmpfs -o size=48m,mode=0700 tmpfs "$0" && exec "$1" --no-warnings "$2" --storage "$0" serve --demo', mount.path, process.execPath, CLI_MAIN],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    exited = new Promise((resolve) => child!.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
    child.stderr!.on("data", (d) => (stderr += d));
    const ready = await new Promise<Ready>((resolve, reject) => {
      let out = "";
      child!.stdout!.on("data", (d) => {
        out += d;
        const line = out.split("\n").find((l) => l.startsWith("DOORSTEP READY "));
        if (line) resolve(JSON.parse(line.slice("DOORSTEP READY ".length)) as Ready);
      });
      exited.then((code) => reject(new Error(`exited ${code} before READY: ${stderr}`)), reject);
    });
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${ready.api}${path}`, {
        method,
        headers: { authorization: `Bearer ${ready.ownerToken}`, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
    const credential = (label: string) => ({ label, kind: "delivery", doors: ["front"], mode: "remote", validUntil: new Date(Date.now() + 3_600_000).toISOString() });

    const before = await api("POST", "/v1/credentials", credential("Before the disk filled"));
    expect(before.status).to.equal(201);
    // A visit open while the disk fills: its clip is assembled on the full disk when it ends.
    // The camera gate opens once the ring has frames: until then the door refuses.
    const visitId = await eventually(
      "a visit opened before the disk filled",
      async () => {
        const r = await api("POST", "/v1/doors/front/access", { pin: before.json["pin"] });
        return r.status === 200 && String(r.json["visitId"]);
      },
      { timeoutMs: 20_000, everyMs: 200 },
    );

    // Fill the tmpfs to the last byte (cat stops at ENOSPC).
    await inNamespace('cat /dev/zero > "$1/filler" 2>/dev/null; df -k "$1" | tail -1').catch(() => undefined);

    const full = await api("POST", "/v1/credentials", credential("On a full disk"));
    expect(full.status).to.equal(507);
    expect(full.json).to.deep.equal({ code: "storage-full", message: full.json["message"] });
    expect(String(full.json["message"])).to.match(/disk is full/);

    // Reads keep working.
    const list = await api("GET", "/v1/credentials");
    expect(list.status).to.equal(200);
    expect((list.json as unknown as { label: string }[]).map((c) => c.label)).to.deep.equal(["Before the disk filled"]);
    expect((await api("GET", "/v1/doors")).status).to.equal(200);

    // The simulator persists its state after a keypad entry: that write meets ENOSPC.
    const keypad = await fetch(`${ready.sim.control}/locks/front/keypad`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pin: "90817263" }) });
    expect(keypad.status).to.be.lessThan(500);
    // A redemption on a full disk: refused one way or another (the recorder cannot write, the use cannot be stored), never a 5xx but 507.
    const redeem = await fetch(`${ready.api}/v1/doors/front/access`, {
      method: "POST",
      headers: { authorization: `Bearer ${ready.ownerToken}`, "content-type": "application/json" },
      body: JSON.stringify({ pin: "11111111" }),
    });
    expect([403, 409, 507]).to.include(redeem.status);
    // Let the simulator's persist timer and the recorder's restarts run into the full disk, observed through the log.
    await eventually("the simulator to report it cannot save", () => /SIMULATED coordinator: cannot save its state/.test(stderr), { timeoutMs: 30_000, everyMs: 100 }).catch(() => undefined);
    expect(stderr).to.match(/SIMULATED coordinator: cannot save its state \(.*ENOSPC/);
    expect(child.exitCode).to.equal(null);
    expect((await api("GET", "/v1/health")).status).to.equal(200);

    // Ending the visit on the full disk: the bridge stays up, answers in the error shape, and the door is relocked all the
    // same: a visit row that cannot be written never keeps a door open (fail secure; start-up recovery relocks anyway).
    const end = await api("POST", `/v1/visits/${visitId}/end`);
    expect(end.status, JSON.stringify(end.json)).to.be.oneOf([200, 507]);
    expect(child.exitCode).to.equal(null);
    const lock = (await (await fetch(`${ready.sim.control}/locks/front`)).json()) as { lockState: number };
    expect(lock.lockState, "the door is locked after the visit ended on a full disk").to.equal(1);

    // Space freed: writes work again without a restart.
    await inNamespace('rm -f "$1/filler"');
    const after = await api("POST", "/v1/credentials", credential("After space was freed"));
    expect(after.status).to.equal(201);
    expect(child.exitCode).to.equal(null);
    expect(stderr).not.to.match(/Unhandled|uncaught|ENOSPC: no space left on device, write\n\s+at /i);
  });
});
