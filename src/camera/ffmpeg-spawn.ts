// ffmpeg must not outlive the bridge: an orphaned recorder keeps the camera's (often only) RTSP session and keeps
// writing to the ring. On Linux, util-linux `setpriv --pdeathsig` makes the kernel signal ffmpeg when we die, even by
// SIGKILL; setpriv execs ffmpeg, so the pid stays ffmpeg's.
import fs from "node:fs";

const SETPRIV = "/usr/bin/setpriv";
let available: boolean | undefined;

/**
 * The command and arguments to spawn so that `command` receives SIGTERM when this process dies (where supported), and
 * creates its files private (umask 077: the ring's segments are 0600 from their first byte; the process's own umask,
 * Homebridge's inside Homebridge, is left alone). sh and setpriv both exec, so the pid stays the command's.
 */
export function withParentDeathSignal(command: string, args: readonly string[]): { command: string; args: string[] } {
  available ??= process.platform === "linux" && fs.existsSync(SETPRIV);
  const inner = available ? [SETPRIV, "--pdeathsig", "SIGTERM", "--", command, ...args] : [command, ...args];
  return { command: "/bin/sh", args: ["-c", 'umask 077 && exec "$@"', "sh", ...inner] };
}
