// ffmpeg must not outlive the bridge: an orphaned recorder keeps the camera's (often only) RTSP session and keeps
// writing to the ring. On Linux, util-linux `setpriv --pdeathsig` makes the kernel signal ffmpeg when we die, even by
// SIGKILL; setpriv execs ffmpeg, so the pid stays ffmpeg's.
import fs from "node:fs";

const SETPRIV = "/usr/bin/setpriv";
let available: boolean | undefined;

/** The command and arguments to spawn so that `command` receives SIGTERM when this process dies (where supported). */
export function withParentDeathSignal(command: string, args: readonly string[]): { command: string; args: string[] } {
  available ??= process.platform === "linux" && fs.existsSync(SETPRIV);
  if (!available) return { command, args: [...args] };
  return { command: SETPRIV, args: ["--pdeathsig", "SIGTERM", "--", command, ...args] };
}
