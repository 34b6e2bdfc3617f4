import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ProviderId } from "../../src/access/ids.js";
import { NotFoundError, ValidationError } from "../../src/core/errors.js";
import type { Store, TokenId } from "../../src/store/index.js";
import { StoreFixture, T0 } from "./store-fixtures.js";

describe("store/token-store", () => {
  let fixture: StoreFixture;
  let store: Store;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
    store = fixture.open();
  });
  afterEach(() => fixture.cleanup());

  const acme = ProviderId("acme");

  it("issues dst_ tokens that verify to whom they speak for", () => {
    const owner = store.tokens.create({ kind: "owner" });
    const provider = store.tokens.create({ kind: "provider", providerId: acme });
    expect(owner.token).to.match(/^dst_[A-Za-z0-9_-]{43}$/);
    expect(provider.token).not.to.equal(owner.token);
    expect(store.tokens.verify(owner.token)).to.deep.equal({ kind: "owner" });
    expect(store.tokens.verify(provider.token)).to.deep.equal({ kind: "provider", providerId: acme });
    const elsewhere = fixture.open().tokens.verify(provider.token);
    expect(elsewhere, "through another connection").to.deep.equal({ kind: "provider", providerId: acme });
  });

  it("stores only a hash: neither the token nor its random part is in the database files", () => {
    const issued = [store.tokens.create({ kind: "owner" }), store.tokens.create({ kind: "provider", providerId: acme })];
    const bytes = Buffer.concat(
      ["doorstep.db", "doorstep.db-wal"].map((f) => join(fixture.storageDir, f)).filter(existsSync).map((f) => readFileSync(f)),
    );
    for (const { token } of issued) {
      expect(bytes.includes(Buffer.from(token))).to.equal(false);
      expect(bytes.includes(Buffer.from(token.slice(4), "base64url"))).to.equal(false);
    }
    expect(bytes.includes(Buffer.from(issued[0]!.id)), "the test can fail: the token id is stored").to.equal(true);
  });

  it("verifies nothing for a wrong, altered, truncated or malformed token", () => {
    const { token } = store.tokens.create({ kind: "owner" });
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const guess of [flipped, token.slice(0, -1), `${token}x`, token.toUpperCase(), "", "dst_", `Bearer ${token}`]) {
      expect(store.tokens.verify(guess), guess.length.toString()).to.equal(undefined);
    }
  });

  it("lists tokens without secrets, and a revoked token no longer verifies", () => {
    const owner = store.tokens.create({ kind: "owner" });
    fixture.clock.set(T0 + 1);
    const provider = store.tokens.create({ kind: "provider", providerId: acme });
    expect(store.tokens.hasOwnerToken()).to.equal(true);
    const listed = store.tokens.list();
    expect(listed).to.deep.equal([
      { id: owner.id, subject: { kind: "owner" }, createdAt: T0 },
      { id: provider.id, subject: { kind: "provider", providerId: acme }, createdAt: T0 + 1 },
    ]);
    expect(JSON.stringify(listed)).not.to.include(owner.token.slice(4, 20));
    expect(store.tokens.revoke(owner.id, T0 + 5).revokedAt).to.equal(T0 + 5);
    expect(store.tokens.revoke(owner.id, T0 + 9).revokedAt).to.equal(T0 + 5);
    expect(store.tokens.verify(owner.token)).to.equal(undefined);
    expect(store.tokens.verify(provider.token)).to.deep.equal({ kind: "provider", providerId: acme });
    expect(store.tokens.hasOwnerToken()).to.equal(false);
    expect(() => store.tokens.revoke("tok_nope" as TokenId)).to.throw(NotFoundError);
  });

  it("refuses a blank provider name", () => {
    for (const name of ["", "  ", " acme"]) {
      expect(() => store.tokens.create({ kind: "provider", providerId: ProviderId(name) })).to.throw(ValidationError);
    }
    expect(store.tokens.list()).to.deep.equal([]);
  });
});
