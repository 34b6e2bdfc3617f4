// How ffmpeg gets a camera URL that carries a password without it reaching the command line (which every local user
// can read in `ps` and /proc/<pid>/cmdline): ffmpeg reads a one-entry ffconcat list on its stdin, the list names the
// URL, and `option` lines carry the options for opening it. Works with the ffmpeg 5.1 that Debian 12 ships as well as
// ffmpeg 7 (whose `-/i file` would need 7.0+); nothing is written to disk.
import type { Writable } from "node:stream";

/** Options for opening the camera URL, as ffmpeg's own option names and values (e.g. rtsp_transport: "tcp"). */
export type InputOptions = Readonly<Record<string, string>>;

/** The protocols the list may open: the pipe itself, and what an RTSP(S) camera needs. Nothing else (no file:). */
const PROTOCOLS = "pipe,rtsp,rtsps,rtp,srtp,tcp,udp,tls";

/** The ffmpeg input arguments that read the list from stdin: put them where `-i <url>` would go. */
export function secretInputArgs(): string[] {
  return ["-f", "concat", "-safe", "0", "-protocol_whitelist", PROTOCOLS, "-i", "pipe:0"];
}

/** The ffconcat text naming `url`, with one `option` line per option. Throws on a URL that could break the list. */
export function secretInputList(url: string, options: InputOptions = {}): string {
  // A control character (a newline above all) would end the `file` line and let the rest be read as directives.
  if (/\p{Cc}/u.test(url)) throw new TypeError("The camera URL holds a control character.");
  const lines = ["ffconcat version 1.0", `file ${quote(url)}`];
  for (const [name, value] of Object.entries(options)) {
    if (!/^[a-z_]+$/.test(name) || /[\s\p{Cc}]/u.test(value)) throw new TypeError(`Invalid ffmpeg input option "${name}".`);
    lines.push(`option ${name} ${quote(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Writes the list to ffmpeg's stdin and closes it; an ffmpeg that died first (EPIPE) is left to its exit handler. */
export function feedSecretInput(stdin: Writable | null | undefined, url: string, options: InputOptions = {}): void {
  if (!stdin) throw new TypeError("ffmpeg was spawned without a stdin pipe.");
  stdin.on("error", () => {});
  stdin.end(secretInputList(url, options));
}

/** ffconcat tokens: single quotes, a quote inside written as '\'' (as in a POSIX shell). */
function quote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
