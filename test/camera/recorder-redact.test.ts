import { expect } from "chai";
import { redactSecrets, redactUrl, urlSecrets } from "../../src/camera/ffmpeg-redact.js";

describe("camera/URL redaction", () => {
  it("removes user:pass@ from every URL in a line", () => {
    const line = "Opening rtsp://admin:hunter2@192.0.2.7:554/stream1 failed; retry rtsp://u:p@127.0.0.1/cam";
    const out = redactUrl(line);
    expect(out).to.equal("Opening rtsp://***@192.0.2.7:554/stream1 failed; retry rtsp://***@127.0.0.1/cam");
    expect(out).to.not.include("hunter2");
  });

  it("handles passwords with reserved characters percent-encoded in the URL", () => {
    const url = `rtsp://admin:${encodeURIComponent("p@ss:w/rd")}@10.0.0.2/live`;
    expect(redactUrl(`ffmpeg -i ${url}`)).to.equal("ffmpeg -i rtsp://***@10.0.0.2/live");
  });

  it("leaves URLs without credentials alone", () => {
    expect(redactUrl("rtsp://127.0.0.1:8554/cam and http://host/x@y")).to.equal("rtsp://127.0.0.1:8554/cam and http://host/x@y");
  });

  it("also removes the password where a tool echoes it outside the URL", () => {
    const url = "rtsp://admin:S3cr%21t@10.0.0.2/live";
    const secrets = urlSecrets(url);
    expect(secrets).to.have.members(["S3cr%21t", "S3cr!t"]);
    const out = redactSecrets(`auth failed for password S3cr!t (S3cr%21t) at ${url}`, secrets);
    expect(out).to.not.include("S3cr");
    expect(out).to.include("rtsp://***@10.0.0.2/live");
  });
});
