import { expect } from "chai";
import { DEFAULT_TRAITS, LOCK_MODELS, findLockModel, resolveCapabilities, traitsOf, type LockModel } from "../../src/zigbee/devices.js";

/** Every rule a table entry must satisfy; returns one line per broken rule (the test reports them all). */
function checkTable(table: readonly LockModel[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const m of table) {
    const name = `${m.vendor} ${m.model}`;
    const t = traitsOf(m);
    if (m.zigbeeModels.length === 0) problems.push(`${name}: no zigbeeModel`);
    for (const z of m.zigbeeModels) {
      const other = seen.get(z);
      if (other) problems.push(`${name}: zigbeeModel "${z}" also in ${other}`);
      seen.set(z, name);
      if (z.trim() !== z || z === "") problems.push(`${name}: zigbeeModel "${z}" has stray whitespace`);
    }
    if (!m.vendor || !m.model || !m.description) problems.push(`${name}: vendor, model and description are required`);
    if (!Number.isInteger(t.pinSlots) || t.pinSlots < 1 || t.pinSlots > 0xfffe) problems.push(`${name}: pinSlots ${t.pinSlots} out of 1–65534`);
    if (!(Number.isInteger(t.minPinLength) && t.minPinLength >= 1)) problems.push(`${name}: minPinLength must be ≥ 1`);
    if (!(t.maxPinLength >= t.minPinLength && t.maxPinLength <= 16)) problems.push(`${name}: maxPinLength must be min…16`);
    for (const k of ["yearDaySchedules", "weekDaySchedules"] as const) {
      if (!Number.isInteger(t[k]) || t[k] < 0 || t[k] > 255) problems.push(`${name}: ${k} must be 0–255`);
    }
    for (const s of t.reservedSlots) if (!(Number.isInteger(s) && s >= 0 && s < t.pinSlots)) problems.push(`${name}: reserved slot ${s} outside the lock`);
    if (t.reservedSlots.length >= t.pinSlots) problems.push(`${name}: no usable slot left`);
    if (t.duplicateCodeStatus !== null && !(Number.isInteger(t.duplicateCodeStatus) && t.duplicateCodeStatus > 0 && t.duplicateCodeStatus < 256)) {
      problems.push(`${name}: duplicateCodeStatus must be a ZCL status 1–255 or null`);
    }
    const keys = new Set(m.traits.flatMap((x) => Object.keys(x)));
    for (const k of ["pinSlots", "minPinLength", "maxPinLength", "yearDaySchedules", "weekDaySchedules"]) {
      if (!keys.has(k)) problems.push(`${name}: ${k} not stated (the cautious default would apply silently)`);
    }
  }
  return problems;
}

describe("lock model table", () => {
  it("has no broken entry (every failure is listed)", () => {
    expect(checkTable(LOCK_MODELS)).to.deep.equal([]);
  });

  it("the invariant check reports every failure in a bad table, not just the first", () => {
    const bad: LockModel[] = [
      { vendor: "A", zigbeeModels: ["X"], model: "a", description: "a", traits: [{ pinSlots: 0, minPinLength: 6, maxPinLength: 4, yearDaySchedules: 0, weekDaySchedules: 0 }] },
      { vendor: "B", zigbeeModels: ["X"], model: "b", description: "b", traits: [{ pinSlots: 10, minPinLength: 4, maxPinLength: 8, yearDaySchedules: 0, weekDaySchedules: 0, reservedSlots: [12] }] },
    ];
    const problems = checkTable(bad);
    expect(problems.some((p) => p.startsWith("A a: pinSlots"))).to.equal(true);
    expect(problems.some((p) => p.startsWith("A a: maxPinLength"))).to.equal(true);
    expect(problems.some((p) => p.startsWith('B b: zigbeeModel "X" also in A a'))).to.equal(true);
    expect(problems.some((p) => p.startsWith("B b: reserved slot 12"))).to.equal(true);
  });

  it("finds models by exact genBasic modelId only", () => {
    expect(findLockModel("YRD226 TSDB")?.model).to.equal("YRD226HA2619");
    expect(findLockModel("SMARTCODE_DEADBOLT_5")?.vendor).to.equal("Kwikset");
    expect(findLockModel("yrd226 tsdb")).to.equal(undefined);
    expect(findLockModel(undefined)).to.equal(undefined);
  });

  it("prefers what the lock reports over the table, and the table over cautious defaults", () => {
    const yale = findLockModel("YRD226 TSDB");
    expect(resolveCapabilities(yale, { numOfPinUsersSupported: 100, minPinLen: 6 })).to.deep.include({ pinSlots: 100, minPinLength: 6, maxPinLength: 8, yearDaySchedules: 1 });
    expect(resolveCapabilities(undefined, {})).to.deep.include({ pinSlots: 0, yearDaySchedules: 0, masksPinsOnRead: DEFAULT_TRAITS.masksPinsOnRead });
    // A nonsense maximum below the minimum is ignored rather than trusted.
    expect(resolveCapabilities(yale, { minPinLen: 6, maxPinLen: 4 })).to.deep.include({ minPinLength: 6, maxPinLength: 8 });
  });
});
