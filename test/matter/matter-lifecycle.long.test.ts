// The Matter user list and Matter's commands over a code's whole life, through a real matter.js controller in a private
// network namespace (issue 10, items 2 and 16). The scenario runs in matter-lifecycle-child.ts.
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { runInNamespace, type NamespaceRun } from "../helpers/netns.js";

const CHILD = fileURLToPath(new URL("./matter-lifecycle-child.js", import.meta.url));
const FAILURE = 1;

describe("Matter users follow the credential store (used up, revoked, expired, restart) and Matter's PIN checks", function () {
  this.timeout(170_000);
  let run: NamespaceRun;
  const step = (name: string) => run.step(name);

  before(async () => {
    run = await runInNamespace(CHILD, 160_000);
  });

  it("a used-up one-time code, a revoked and an expired one leave the Matter user list, and the mirror never fails", () => {
    const s = step("lifecycle");
    expect(s.mirroredAtFirst).to.deep.equal(["expiring:1", "kept:1", "revoked:1", "used:1"]);
    expect(s.redeemed).to.equal("unlocked");
    expect(s.mirrorAfterUse, "the mirror after a one-time code was used up").to.equal("accepted");
    expect(s.afterUse).to.deep.equal(["expiring:1", "kept:1", "revoked:1"]);
    expect(s.mirrorAfterRevoke).to.equal("accepted");
    expect(s.afterRevoke).to.deep.equal(["expiring:1", "kept:1"]);
    expect(s.mirrorAfterExpiry).to.equal("accepted");
    expect(s.afterExpiry).to.deep.equal(["kept:1"]);
  });

  it("a failed Matter edit (the lock takes no PIN) fails the command and leaves the guest's code as it was", () => {
    const s = step("failed-edit");
    expect(s.walkerSet).to.equal(0);
    expect(s.edit, "the edit fails: the keypad did not confirm").to.equal(FAILURE);
    expect(s.sameCredential, "the same credential, not revoked and replaced").to.equal(true);
    expect(s.live).to.equal(true);
    expect(s.mode, "its old terms (remote only) are back").to.equal("remote");
    expect(s.decision, "the guest's code still opens remotely").to.equal("allowed");
    expect(s.userType, "matter.js rolled the user back").to.equal(9);
  });

  it("after a restart on the same storage the bridge starts, and the user list still follows the store", () => {
    expect(step("restart-start").restartError).to.equal(null);
    const s = step("restarted");
    expect(s.mirrorAfterRestart).to.equal("accepted");
    expect(s.names).to.deep.equal(["walker:1"]);
  });

  it("wrong PINs given with LockDoor count toward the lockout; during it the right PIN neither unlocks nor locks", () => {
    const s = step("lockout");
    expect(s.wrongLocks.every((w: unknown) => w === FAILURE)).to.equal(true);
    expect(s.rightUnlock, "UnlockDoor with the right PIN during the lockout").to.equal(FAILURE);
    expect(s.rightLock, "LockDoor with the right PIN during the lockout").to.equal(FAILURE);
    expect(s.api, "the API is locked out at this door too").to.equal("locked-out");
    expect(s.simUnlocks).to.equal(0);
  });

  it("stops everything it started", () => {
    expect(step("done")).to.be.an("object");
    expect(run.steps.has("cleanup-error"), String(run.steps.get("cleanup-error")?.error)).to.equal(false);
    expect(run.code).to.equal(0);
  });
});
