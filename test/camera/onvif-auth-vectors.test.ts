// Golden vectors from the specifications, not from our code: RFC 2617 §3.5 and RFC 7616 §3.9.1 for HTTP
// Digest; for the WS-Security UsernameToken PasswordDigest (OASIS UsernameToken Profile 1.0 §3.1,
// Base64(SHA-1(nonce + created + password))) the value was computed with
// `(printf nonce-bytes; printf '%s%s' created password) | openssl sha1 -binary | base64`.

import { expect } from "chai";
import { basicAuthorization, digestAuthorization, parseDigestChallenge } from "../../src/camera/onvif-http-auth.js";
import { DigestVerifier, UsernameTokenVerifier, passwordDigest } from "../../src/sim/camera/onvif-sim-auth.js";

function responseOf(header: string): string | undefined {
  return /response="([0-9a-f]+)"/.exec(header)?.[1];
}

describe("camera authentication vectors", () => {
  it("answers the RFC 2617 §3.5 Digest example (MD5, qop=auth)", () => {
    const challenge = parseDigestChallenge([
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    ]);
    expect(challenge).to.not.equal(undefined);
    const h = digestAuthorization(challenge!, {
      method: "GET",
      uri: "/dir/index.html",
      username: "Mufasa",
      password: "Circle Of Life",
      nc: 1,
      cnonce: "0a4f113b",
    });
    expect(responseOf(h)).to.equal("6629fae49393a05397450978507c4ef1");
    expect(h).to.include('opaque="5ccc069c403ebaf9f0171e9517f40e41"').and.to.include("nc=00000001").and.to.include("qop=auth");
  });

  it("answers the RFC 7616 §3.9.1 examples and prefers SHA-256 when both are offered", () => {
    const nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    const md5 = `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="${nonce}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
    const sha = md5.replace("algorithm=MD5", "algorithm=SHA-256");
    const input = {
      method: "GET",
      uri: "/dir/index.html",
      username: "Mufasa",
      password: "Circle of Life",
      nc: 1,
      cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    };
    expect(responseOf(digestAuthorization(parseDigestChallenge([md5])!, input))).to.equal("8ca523f5e9506fed4657c9700eebdbec");
    const both = parseDigestChallenge([md5, sha])!;
    expect(both.algorithm).to.equal("SHA-256");
    expect(responseOf(digestAuthorization(both, input))).to.equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  });

  it("encodes Basic credentials as RFC 7617 says", () => {
    // RFC 7617 §2: Aladdin / open sesame
    expect(basicAuthorization("Aladdin", "open sesame")).to.equal("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  });

  it("computes the UsernameToken PasswordDigest, and the simulated camera checks user, digest, time and replay", () => {
    const nonce = Buffer.from("000102030405060708090a0b0c0d0e0f", "hex");
    const created = "2026-11-26T12:00:00.000Z";
    expect(passwordDigest(nonce, created, "correct horse")).to.equal("bsFotQ3ZGqiphE8K4qlvLYPdnu0=");

    const token = (user: string, digest: string, n = nonce, c = created) =>
      `<Security><UsernameToken><Username>${user}</Username>` +
      `<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</Password>` +
      `<Nonce>${n.toString("base64")}</Nonce><Created>${c}</Created></UsernameToken></Security>`;
    const cameraNow = Date.parse(created) + 2000;
    const v = new UsernameTokenVerifier("admin", "correct horse", 5000);
    expect(v.check(token("admin", "bsFotQ3ZGqiphE8K4qlvLYPdnu0="), cameraNow)).to.deep.equal({ ok: true });
    expect(v.check(token("admin", "bsFotQ3ZGqiphE8K4qlvLYPdnu0="), cameraNow)).to.deep.equal({ ok: false, why: "replayed" });
    expect(v.check(token("root", "bsFotQ3ZGqiphE8K4qlvLYPdnu0="), cameraNow)).to.deep.equal({ ok: false, why: "wrong-user" });
    expect(v.check(token("admin", "bsFotQ3ZGqiphE8K4qlvLYPdnu0="), cameraNow + 60_000)).to.deep.equal({ ok: false, why: "stale" });
    const other = Buffer.alloc(16, 7);
    expect(v.check(token("admin", passwordDigest(other, created, "wrong")), cameraNow)).to.deep.equal({ ok: false, why: "bad-digest" });
    expect(v.check("<Header/>", cameraNow)).to.deep.equal({ ok: false, why: "no-token" });
  });

  it("the simulated camera's Digest check accepts our client's answer to its own challenge, and only with the right password", () => {
    const server = new DigestVerifier("admin", "pw", "IP Camera(SIM)");
    const challenge = parseDigestChallenge([server.challenge()])!;
    const good = digestAuthorization(challenge, { method: "GET", uri: "/onvif-http/snapshot?Profile_1", username: "admin", password: "pw" });
    const bad = digestAuthorization(challenge, { method: "GET", uri: "/onvif-http/snapshot?Profile_1", username: "admin", password: "px" });
    expect(server.check(good, "GET", "/onvif-http/snapshot?Profile_1")).to.equal(true);
    expect(server.check(good, "GET", "/onvif-http/snapshot?Profile_2")).to.equal(false);
    expect(server.check(bad, "GET", "/onvif-http/snapshot?Profile_1")).to.equal(false);
  });
});
