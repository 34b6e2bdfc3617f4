// WS-Discovery over real multicast, only inside a private network namespace (never a real interface).

import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { runInNamespace } from "../helpers/netns.js";
import { parseProbeMatches, probeMessage, type DiscoveredCamera } from "../../src/camera/camera-discovery.js";
import { ValidationError } from "../../src/core/errors.js";
import { discoverCameras } from "../../src/camera/camera-discovery.js";

const SCRIPT = fileURLToPath(new URL("./onvif-discovery-netns.js", import.meta.url));

describe("camera discovery (WS-Discovery)", function () {
  this.timeout(20_000);

  it("finds two simulated cameras by multicast Probe inside a private network namespace", async () => {
    // runInNamespace fails (never skips) where unshare is missing: the probe must not run on a real interface.
    const run = await runInNamespace(SCRIPT, 15_000);
    const result = run.steps.get("discovered");
    expect(result, `discovery in a private netns failed (exit ${run.code}):
${run.stderrTail}`).to.not.equal(undefined);
    const { sims, found } = result as unknown as { sims: string[]; found: DiscoveredCamera[] };
    expect(found).to.have.length(2);
    const byName = new Map(found.map((c) => [c.scopes.name, c]));
    expect([...byName.keys()].sort()).to.deep.equal(["Back door", "Front door"]);
    expect(byName.get("Front door")!.xaddrs).to.deep.equal([sims[0]]);
    expect(byName.get("Back door")!.xaddrs).to.deep.equal([sims[1]]);
    for (const c of found) {
      expect(c.address).to.match(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(c.scopes.hardware).to.equal("SIM-CAM-1");
      expect(c.types).to.include("dn:NetworkVideoTransmitter");
      expect(c.from).to.equal("127.0.0.1");
    }
    expect(found[0]!.address).to.not.equal(found[1]!.address);
  });

  it("reads a ProbeMatches as cameras send it and drops answers to someone else's probe", () => {
    // Shaped after a Hikvision answer (prefixes SOAP-ENV, wsa, d), with percent-encoded scopes.
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" ` +
      `xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">` +
      `<SOAP-ENV:Header><wsa:RelatesTo>urn:uuid:1111</wsa:RelatesTo></SOAP-ENV:Header><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>` +
      `<wsa:EndpointReference><wsa:Address>urn:uuid:e6a7c3a1-0000-1111-2222-bcbac2c1f7e8</wsa:Address></wsa:EndpointReference>` +
      `<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>` +
      `<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I onvif://www.onvif.org/hardware/DS-2CD2143G2-I</d:Scopes>` +
      `<d:XAddrs>http://192.0.2.10/onvif/device_service http://[fe80::1]/onvif/device_service</d:XAddrs>` +
      `<d:MetadataVersion>10</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
    const [cam] = parseProbeMatches(xml, "192.0.2.10", "urn:uuid:1111");
    expect(cam).to.deep.equal({
      address: "urn:uuid:e6a7c3a1-0000-1111-2222-bcbac2c1f7e8",
      xaddrs: ["http://192.0.2.10/onvif/device_service", "http://[fe80::1]/onvif/device_service"],
      scopes: {
        name: "HIKVISION DS-2CD2143G2-I",
        hardware: "DS-2CD2143G2-I",
        all: [
          "onvif://www.onvif.org/type/video_encoder",
          "onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I",
          "onvif://www.onvif.org/hardware/DS-2CD2143G2-I",
        ],
      },
      types: ["dn:NetworkVideoTransmitter", "tds:Device"],
      from: "192.0.2.10",
    });
    expect(parseProbeMatches(xml, "192.0.2.10", "urn:uuid:2222")).to.deep.equal([]);
    expect(probeMessage("urn:uuid:abc")).to.include("<d:Types>dn:NetworkVideoTransmitter</d:Types>").and.to.include("urn:uuid:abc");
  });

  it("refuses an unreasonable timeout before sending anything", async () => {
    for (const timeoutMs of [0, -1, Number.NaN, 600_000]) {
      await discoverCameras({ timeoutMs }).then(
        () => expect.fail(`timeout ${timeoutMs} accepted`),
        (e: unknown) => expect(e).to.be.instanceOf(ValidationError).and.to.have.property("path", "timeoutMs"),
      );
    }
  });
});
