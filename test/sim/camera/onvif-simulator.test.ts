// The simulated camera spoken to with hand-written SOAP (no client library): what it demands and answers.

import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { startOnvifSimulator, type OnvifSimulator } from "../../../src/sim/camera/onvif-simulator.js";

const USER = "admin";
const PASSWORD = "pw-1234";

function security(created: string, password = PASSWORD, nonce = randomBytes(16)): string {
  const digest = createHash("sha1").update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)])).digest("base64");
  return (
    `<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>` +
    `<Username>${USER}</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</Password>` +
    `<Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString("base64")}</Nonce>` +
    `<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created></UsernameToken></Security>`
  );
}

async function soap(url: string, body: string, header = ""): Promise<{ status: number; xml: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/soap+xml; charset=utf-8" },
    body: `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`,
  });
  return { status: res.status, xml: await res.text() };
}

const DEVICE_INFO = `<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>`;
const NOT_AUTHORIZED = /<env:Subcode><env:Value>ter:NotAuthorized<\/env:Value><\/env:Subcode>/;

describe("ONVIF camera simulator", function () {
  this.timeout(10_000);
  let sim: OnvifSimulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it("listens on loopback and tells its (skewed) time without credentials", async () => {
    sim = await startOnvifSimulator({ username: USER, password: PASSWORD, rtspUrl: "rtsp://127.0.0.1/x", clockSkewMs: -86_400_000 });
    expect(sim.host).to.equal("127.0.0.1");
    expect(sim.url).to.equal(`http://127.0.0.1:${sim.port}/onvif/device_service`);
    const { status, xml } = await soap(sim.url, `<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>`);
    expect(status).to.equal(200);
    const year = Number(/<tt:UTCDateTime>[\s\S]*<tt:Year>(\d+)<\/tt:Year>/.exec(xml)?.[1]);
    const month = Number(/<tt:UTCDateTime>[\s\S]*<tt:Month>(\d+)<\/tt:Month>/.exec(xml)?.[1]);
    const day = Number(/<tt:UTCDateTime>[\s\S]*<tt:Day>(\d+)<\/tt:Day>/.exec(xml)?.[1]);
    const yesterday = new Date(Date.now() - 86_400_000);
    // Compare dates a minute apart too, in case the test runs across midnight.
    const ok = [yesterday, new Date(yesterday.getTime() - 60_000)].some(
      (d) => d.getUTCFullYear() === year && d.getUTCMonth() + 1 === month && d.getUTCDate() === day,
    );
    expect(ok, xml).to.equal(true);
  });

  it("answers GetDeviceInformation only to a fresh UsernameToken with the right password, otherwise a NotAuthorized fault", async () => {
    sim = await startOnvifSimulator({ username: USER, password: PASSWORD, rtspUrl: "rtsp://127.0.0.1/x", clockSkewMs: 600_000 });
    const cameraNow = () => new Date(Date.now() + 600_000).toISOString();

    const none = await soap(sim.url, DEVICE_INFO);
    expect(none.status).to.equal(400);
    expect(none.xml).to.match(NOT_AUTHORIZED).and.to.include("<env:Value>env:Sender</env:Value>");

    const good = await soap(sim.url, DEVICE_INFO, security(cameraNow()));
    expect(good.status).to.equal(200);
    expect(good.xml).to.include("<tds:Manufacturer>Doorstep</tds:Manufacturer>");

    const wrong = await soap(sim.url, DEVICE_INFO, security(cameraNow(), "pw-1235"));
    expect(wrong.xml).to.match(NOT_AUTHORIZED);
    expect(wrong.xml).to.not.include(PASSWORD);

    // Our own clock, ten minutes behind the camera's: stale.
    const stale = await soap(sim.url, DEVICE_INFO, security(new Date().toISOString()));
    expect(stale.xml).to.match(NOT_AUTHORIZED);

    // The same header twice: a replay.
    const header = security(cameraNow());
    expect((await soap(sim.url, DEVICE_INFO, header)).status).to.equal(200);
    expect((await soap(sim.url, DEVICE_INFO, header)).xml).to.match(NOT_AUTHORIZED);
    expect(sim.stats().authFailures).to.equal(4);
  });

  it("holds PullMessages open until a motion event is injected, then delivers it", async () => {
    sim = await startOnvifSimulator({ username: USER, password: PASSWORD, rtspUrl: "rtsp://127.0.0.1/x" });
    const now = () => new Date().toISOString();
    const created = await soap(
      sim.url.replace("device_service", "Events"),
      `<CreatePullPointSubscription xmlns="http://www.onvif.org/ver10/events/wsdl"><InitialTerminationTime>PT60S</InitialTerminationTime></CreatePullPointSubscription>`,
      security(now()),
    );
    const address = /<wsa:Address>([^<]+)<\/wsa:Address>/.exec(created.xml)?.[1];
    expect(address, created.xml).to.match(/^http:\/\/127\.0\.0\.1:\d+\/onvif\/Events\/PullSubManager_\d+$/);
    const pull = () =>
      soap(address!, `<PullMessages xmlns="http://www.onvif.org/ver10/events/wsdl"><Timeout>PT10S</Timeout><MessageLimit>10</MessageLimit></PullMessages>`, security(now()));
    // First the current state.
    expect((await pull()).xml).to.include('PropertyOperation="Initialized"').and.to.include('Value="false"');
    let injected = false;
    const pending = pull().then((r) => ({ ...r, injectedBefore: injected }));
    await new Promise((r) => setTimeout(r, 300)); // kept: the pull must stay unanswered for this window (it asserts an absence)
    injected = true;
    sim.injectMotion();
    const r = await pending;
    expect(r.injectedBefore, "the pull must wait for the event, not answer empty").to.equal(true);
    expect(r.xml).to.include("tns1:RuleEngine/CellMotionDetector/Motion").and.to.include('<tt:SimpleItem Name="IsMotion" Value="true"/>');

    const renew = await soap(address!, `<Renew xmlns="http://docs.oasis-open.org/wsn/b-2"><TerminationTime>PT60S</TerminationTime></Renew>`, security(now()));
    expect(renew.xml).to.include("<wsnt:RenewResponse>");
    const bye = await soap(address!, `<Unsubscribe xmlns="http://docs.oasis-open.org/wsn/b-2"/>`, security(now()));
    expect(bye.status).to.equal(200);
    expect((await pull()).xml).to.include("ResourceUnknownFault");
  });

  it("refuses an unknown profile token and an unsupported operation with ONVIF faults", async () => {
    sim = await startOnvifSimulator({ username: USER, password: PASSWORD, rtspUrl: "rtsp://127.0.0.1/x" });
    const media = sim.url.replace("device_service", "Media");
    const now = () => new Date().toISOString();
    const bad = await soap(media, `<GetStreamUri xmlns="http://www.onvif.org/ver10/media/wsdl"><ProfileToken>nope</ProfileToken></GetStreamUri>`, security(now()));
    expect(bad.status).to.equal(400);
    expect(bad.xml).to.include("ter:NoProfile");
    const odd = await soap(sim.url, `<SystemReboot xmlns="http://www.onvif.org/ver10/device/wsdl"/>`, security(now()));
    expect(odd.status).to.equal(500);
    expect(odd.xml).to.include("ter:ActionNotSupported");
  });
});
