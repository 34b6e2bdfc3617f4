// Child process of bench/load.ts: the out-of-process load generator. Reads one JSON job on stdin, fires every code's
// redemption at the same instant (one HTTP connection per provider), `rounds` times, ending the winners' visits between
// rounds, and samples the server's CPU time (/proc/<pid>/stat) around each burst. Prints one JSON result on stdout.
import { readFileSync } from "node:fs";

interface Job {
  api: string;
  owner: string;
  serverPid: number;
  rounds: number;
  codes: { token: string; doorId: string; pin: string }[];
}

const CLK_TCK_MS = 10; // Linux USER_HZ = 100
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * CLK_TCK_MS;
}

async function call(api: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const job = JSON.parse(readFileSync(0, "utf8")) as Job;
const winners: number[] = [];
const refused: number[] = [];
const outcomes: Record<string, number> = {};
let cpuTotalMs = 0;
let requests = 0;
for (let round = 0; round < job.rounds; round++) {
  const cpu0 = cpuMs(job.serverPid);
  const results = await Promise.all(
    job.codes.map(async (c) => {
      const t0 = performance.now();
      const r = await call(job.api, "POST", `/v1/doors/${c.doorId}/access`, c.token, { pin: c.pin });
      return { c, ms: performance.now() - t0, r };
    }),
  );
  cpuTotalMs += cpuMs(job.serverPid) - cpu0;
  requests += results.length;
  for (const { ms, r } of results) {
    const key = `${r.status} ${String(r.body.outcome)}${r.body.reason ? ` ${String(r.body.reason)}` : ""}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    (r.status === 200 ? winners : refused).push(ms);
  }
  // End the winners' visits and wait until they are closed, so the next burst finds every door free.
  for (const { c, r } of results.filter((x) => x.r.status === 200)) {
    const id = r.body.visitId as string;
    await call(job.api, "POST", `/v1/visits/${id}/end`, c.token);
    for (let i = 0; (await call(job.api, "GET", `/v1/visits/${id}`, job.owner)).body.state !== "closed"; i++) {
      if (i > 600) throw new Error(`visit ${id} never closed`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}
process.stdout.write(`${JSON.stringify({ winners, refused, outcomes, cpuTotalMs, requests })}\n`);
