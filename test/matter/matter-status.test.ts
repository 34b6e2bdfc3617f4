// One Matter status per error class (src/matter/matter-status.ts), as the commands of the bridged lock answer.

import { Status, StatusResponseError } from "@matter/main/types";
import { expect } from "chai";
import {
  ConfigError,
  ConflictError,
  DeviceRejectedError,
  DeviceUnreachableError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  StorageFullError,
  StoreError,
  ValidationError,
} from "../../src/core/errors.js";
import { DoorLockRefusal, matterStatusError, matterStatusFor, refusedCredential, type DoorLockRefusalKind } from "../../src/matter/matter-status.js";

describe("Matter status mapping", () => {
  const cases: [string, unknown, Status][] = [
    ["ValidationError", new ValidationError("must be 4 to 8 digits", "pin"), Status.ConstraintError],
    ["ConfigError", new ConfigError("bad config"), Status.ConstraintError],
    ["ForbiddenError", new ForbiddenError("owner only"), Status.UnsupportedAccess],
    ["NotFoundError", new NotFoundError("no door x"), Status.NotFound],
    ["StorageFullError", new StorageFullError("disk full"), Status.ResourceExhausted],
    ["ConflictError", new ConflictError("PIN in use"), Status.Failure],
    ["DeviceUnreachableError", new DeviceUnreachableError("no answer"), Status.Failure],
    ["DeviceRejectedError", new DeviceRejectedError("ZCL status 1", 1), Status.Failure],
    ["StoreError", new StoreError("corrupt"), Status.Failure],
    ["InternalError", new InternalError("bug"), Status.Failure],
    ["a plain Error", new Error("boom"), Status.Failure],
    ["a thrown string", "boom", Status.Failure],
  ];
  for (const [name, error, status] of cases) {
    it(`${name} → ${Status[status]}`, () => {
      expect(matterStatusFor(error)).to.equal(status);
      const e = matterStatusError(error, "The switch did not change");
      expect(e).to.be.instanceOf(StatusResponseError);
      expect(e.code).to.equal(status);
      expect(e.message).to.include(error instanceof Error ? error.message : String(error));
    });
  }

  it("keeps a StatusResponseError as it is, and says which command failed except for a conflict", () => {
    const own = new StatusResponseError("Week-day schedule out of range", Status.InvalidCommand);
    expect(matterStatusError(own, "ignored")).to.equal(own);
    expect(matterStatusError(new DeviceUnreachableError("no answer in 5 s"), "The lock did not lock").message).to.include(
      "The lock did not lock: no answer in 5 s",
    );
    expect(matterStatusError(new ConflictError("Another guest code already uses this PIN"), "x").message).to.include(
      "Another guest code already uses this PIN",
    );
    expect(matterStatusError(new ConflictError("Another guest code already uses this PIN"), "x").message).not.to.include("x:");
  });

  describe("the DoorLock cluster's own refusals, by the status its spec gives each", () => {
    const refusals: [DoorLockRefusalKind, number][] = [
      ["invalid-command", Status.InvalidCommand],
      ["operation-refused", Status.Failure],
      ["not-matter-owned", Status.Failure],
      ["occupied", 3], // DlStatus OCCUPIED
      ["duplicate", 2], // DlStatus DUPLICATE
      ["no-free-slot", Status.ResourceExhausted],
    ];
    for (const [kind, status] of refusals) {
      it(`${kind} → ${Status[status] ?? `DlStatus ${status}`}`, () => {
        const refusal = new DoorLockRefusal(kind, "Refused: revoked");
        expect(matterStatusFor(refusal)).to.equal(status);
        const e = matterStatusError(refusal, "The lock did not unlock");
        expect(e.code).to.equal(status);
        expect(e.message, "a refusal is its own sentence").to.include("Refused: revoked").and.not.include("did not unlock");
      });
    }

    it("a SetCredentialResponse carries the DlStatus matter.js would otherwise reject, and the next free index", () => {
      const response = refusedCredential(new DoorLockRefusal("duplicate", "Another user has this PIN"), 4);
      expect(response).to.deep.include({ status: 2, userIndex: null, nextCredentialIndex: 4 });
    });
  });
});
