// Reads the ring's HLS playlist. With `temp_file`, a segment is listed only once it is complete on disk.

export interface PlaylistEntry {
  name: string;
  durationMs: number;
}

/** The segments a media playlist lists, in order, with their EXTINF durations. */
export function parsePlaylist(text: string): PlaylistEntry[] {
  const out: PlaylistEntry[] = [];
  let duration: number | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#EXTINF:")) {
      const value = Number.parseFloat(line.slice("#EXTINF:".length));
      duration = Number.isFinite(value) ? value : undefined;
    } else if (line.length > 0 && !line.startsWith("#")) {
      // Only bare file names: the ring never lists anything outside its own directory.
      if (duration !== undefined && !line.includes("/") && !line.includes("\\")) {
        out.push({ name: line, durationMs: Math.round(duration * 1000) });
      }
      duration = undefined;
    }
  }
  return out;
}
