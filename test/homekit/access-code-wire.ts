// Access Code control point messages as a test controller writes and reads them, written from the public layout
// (docs/homekit-access-codes.md) independently of the codec under test.
export const OP = { list: 1, read: 2, add: 3, update: 4, remove: 5 } as const;

const item = (type: number, value: Buffer) => Buffer.concat([Buffer.from([type, value.length]), value]);
const sep = Buffer.from([0, 0]);
export function request(op: number, entries: { id?: number; code?: string }[] = []): string {
  const parts = [item(1, Buffer.from([op]))];
  entries.forEach((e, i) => {
    if (i > 0) parts.push(sep);
    const sub = [...(e.id !== undefined ? [item(1, Buffer.from([e.id]))] : []), ...(e.code !== undefined ? [item(2, Buffer.from(e.code, "ascii"))] : [])];
    parts.push(item(2, Buffer.concat(sub)));
  });
  return Buffer.concat(parts).toString("base64");
}
export interface Entry {
  id?: number;
  code?: string;
  flags?: number;
  status?: number;
}
export function items(data: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  for (let o = 0; o + 2 <= data.length; o += 2 + data[o + 1]!) out.push([data[o]!, data.subarray(o + 2, o + 2 + data[o + 1]!)]);
  return out;
}
export function response(value: unknown): { op: number; entries: Entry[] } {
  const top = items(Buffer.from(value as string, "base64"));
  const op = top.find(([t]) => t === 1)![1][0]!;
  const entries = top
    .filter(([t]) => t === 3)
    .map(([, v]) => {
      const e: Entry = {};
      for (const [t, x] of items(v)) {
        if (t === 1) e.id = x.readUIntLE(0, x.length);
        if (t === 2) e.code = x.toString("ascii");
        if (t === 3) e.flags = x[0];
        if (t === 4) e.status = x[0];
      }
      return e;
    });
  return { op, entries };
}

