import { expect } from "chai";
import { createConsoleSessions, SESSION_TTL_MS, LOGIN_LINK_TTL_MS } from "../../src/api/console-session.js";
import { ForbiddenError, UnauthorizedError } from "../../src/api/http-errors.js";

describe("console sessions", () => {
  const OWNER = "dst_owner";
  const make = (clock: { t: number }) => createConsoleSessions({ isOwnerToken: (t) => t === OWNER, secure: false, now: () => clock.t });
  const cookieHeader = (setCookie: string) => ({ cookie: setCookie.split(";")[0]! });

  it("expires a session SESSION_TTL_MS after login", () => {
    const clock = { t: 1_000_000 };
    const sessions = make(clock);
    const s = sessions.login({ token: OWNER })!;
    clock.t += SESSION_TTL_MS - 1;
    expect(sessions.find(cookieHeader(s.cookie))).to.not.equal(undefined);
    clock.t += 1;
    expect(sessions.find(cookieHeader(s.cookie))).to.equal(undefined);
    expect(() => sessions.authenticate("GET", cookieHeader(s.cookie), "http://h")).to.throw(UnauthorizedError);
  });

  it("takes a login code once, and not after LOGIN_LINK_TTL_MS", () => {
    const clock = { t: 0 };
    const sessions = make(clock);
    const code = sessions.issueLoginCode();
    expect(sessions.login({ code: code + "x" })).to.equal(undefined);
    expect(sessions.login({ code })).to.not.equal(undefined);
    expect(sessions.login({ code })).to.equal(undefined);
    const late = sessions.issueLoginCode();
    clock.t += LOGIN_LINK_TTL_MS;
    expect(sessions.login({ code: late })).to.equal(undefined);
  });

  it("a new code replaces the previous one", () => {
    const sessions = make({ t: 0 });
    const old = sessions.issueLoginCode();
    sessions.issueLoginCode();
    expect(sessions.login({ code: old })).to.equal(undefined);
  });

  it("lets safe methods through without CSRF, refuses unsafe ones without it", () => {
    const sessions = make({ t: 0 });
    const s = sessions.login({ token: OWNER })!;
    const headers = cookieHeader(s.cookie);
    expect(sessions.authenticate("GET", headers, "http://h")).to.deep.equal({ kind: "owner", via: "api" });
    expect(() => sessions.authenticate("POST", { ...headers, origin: "http://h" }, "http://h")).to.throw(ForbiddenError);
    expect(() => sessions.authenticate("DELETE", { ...headers, origin: "http://other", "x-doorstep-csrf": s.csrf }, "http://h")).to.throw(ForbiddenError);
    expect(sessions.authenticate("DELETE", { ...headers, origin: "http://h", "x-doorstep-csrf": s.csrf }, "http://h").kind).to.equal("owner");
  });

  it("marks the cookie Secure when the API runs on TLS", () => {
    const sessions = createConsoleSessions({ isOwnerToken: () => true, secure: true });
    expect(sessions.login({ token: "any" })!.cookie).to.contain("; Secure");
  });
});
