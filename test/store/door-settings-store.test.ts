import { expect } from "chai";
import type { DoorSettings } from "../../src/store/index.js";
import { BACK, FRONT, StoreFixture } from "./store-fixtures.js";

describe("store/door-settings-store", () => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
  });
  afterEach(() => fixture.cleanup());

  const defaults: DoorSettings = { inHomeDeliveries: true, petsHome: false };

  it("reads the defaults for a door never switched", () => {
    expect(fixture.open().doorSettings.get(FRONT, defaults)).to.deep.equal(defaults);
  });

  it("persists a switch across restarts, per door, leaving the other switch on its default", () => {
    const store = fixture.open();
    expect(store.doorSettings.update(FRONT, { petsHome: true }, defaults)).to.deep.equal({ inHomeDeliveries: true, petsHome: true });
    store.doorSettings.update(FRONT, { inHomeDeliveries: false }, defaults);
    store.close();
    const reopened = fixture.open();
    expect(reopened.doorSettings.get(FRONT, defaults)).to.deep.equal({ inHomeDeliveries: false, petsHome: true });
    expect(reopened.doorSettings.get(BACK, defaults)).to.deep.equal(defaults);
    // Only what the homeowner set is pinned; the untouched switch follows a changed default.
    reopened.doorSettings.update(BACK, { petsHome: false }, defaults);
    const changedDefaults = { inHomeDeliveries: false, petsHome: true };
    expect(reopened.doorSettings.get(BACK, changedDefaults)).to.deep.equal({ inHomeDeliveries: false, petsHome: false });
  });
});
