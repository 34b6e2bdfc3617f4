// Headless Chromium (the Debian package, not a downloaded build) driven by playwright-core, for the console's tests.
import { access } from "node:fs/promises";
import { chromium, type Browser } from "playwright-core";

/** DOORSTEP_CHROMIUM overrides where Chromium is; Debian installs it at /usr/bin/chromium (scripts/dev.sh does). */
export const CHROMIUM = process.env["DOORSTEP_CHROMIUM"] ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  await access(CHROMIUM).catch(() => {
    throw new Error(`Chromium is not at ${CHROMIUM}: install the Debian package (apt-get install chromium) or set DOORSTEP_CHROMIUM.`);
  });
  // --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"] });
}

/** Ready line of `doorstep serve --demo` as the console tests read it. */
export interface DemoReady {
  api: string;
  console: string;
  ownerToken: string;
  doors: string[];
  sim: { control: string };
}
