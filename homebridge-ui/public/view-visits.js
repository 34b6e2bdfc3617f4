// Visits: a timeline per door — who came, how, when the door opened and relocked, alerts, and the clip (pre-roll
// included) playing in the page, with a download link.
import { fill, h } from "./dom.js";
import { formatDate, formatTime } from "./time.js";

const VIA_TEXT = { keypad: "Keypad code", remote: "Remote (provider)", matter: "Matter", owner: "Owner" };
const STATE_TEXT = { opening: "Opening", open: "Inside now", relocking: "Relocking", closed: "Closed" };

export function renderVisits(main, ctx) {
  const filter = h("select", { id: "ds-visit-door", onchange: () => update() },
    h("option", { value: "" }, "All doors"), ctx.state.doors.map((d) => h("option", { value: d.id }, d.name)));
  const refresh = h("button", { type: "button", class: "btn btn-quiet", onclick: async () => { await ctx.refresh("visits"); update(); } }, "Refresh");
  const list = h("div", { class: "timeline-box" });
  main.append(h("div", { class: "view-head" }, h("h2", { class: "view-title" }, "Visits"),
    h("div", { class: "field inline-field" }, h("label", { for: "ds-visit-door" }, "Door"), filter), refresh), list);

  // Playing videos are kept across live updates: a new visit must not restart the one being watched.
  const players = new Map();
  function update() {
    const tz = ctx.home.timeZone;
    const visits = ctx.state.visits.filter((v) => !filter.value || v.doorId === filter.value);
    if (visits.length === 0) return void fill(list, h("p", { class: "muted" }, "No visits yet. When a guest uses a code, the visit appears here while it happens."));
    const byDay = new Map();
    for (const v of visits) {
      const day = formatDate(v.startedAt, tz);
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day).push(v);
    }
    fill(list, [...byDay].map(([day, items]) =>
      h("section", { class: "day-group", "aria-label": day }, h("h3", { class: "day-title" }, day),
        h("ol", { class: "timeline" }, items.map((v) => visitItem(v, ctx, players))))));
  }
  update();
  return { update };
}

function visitItem(visit, ctx, players) {
  const tz = ctx.home.timeZone;
  const credential = ctx.state.credentials.find((c) => c.id === visit.credentialId);
  const who = credential?.label ?? (visit.via === "owner" ? "You (owner)" : visit.providerId ?? "Unknown guest");
  const door = ctx.state.doors.find((d) => d.id === visit.doorId)?.name ?? visit.doorId;
  const titleId = `visit-${visit.id}`;
  const first = visit.clip[0];
  const unlockOffset = first && visit.unlockedAt ? Math.max(0, (visit.unlockedAt - first.firstFrameAt) / 1000) : undefined;
  return h("li", { class: `card visit state-${visit.state}`, "aria-labelledby": titleId, dataset: { visit: visit.id } },
    h("div", { class: "visit-head" },
      h("h4", { id: titleId }, `${who} · ${door}`),
      h("span", { class: `chip ${visit.state === "closed" ? "tone-muted" : "tone-warn"}` }, STATE_TEXT[visit.state] ?? visit.state)),
    h("dl", { class: "facts" },
      h("div", {}, h("dt", {}, "How"), h("dd", {}, VIA_TEXT[visit.via] ?? visit.via)),
      h("div", {}, h("dt", {}, "Arrived"), h("dd", {}, formatTime(visit.startedAt, tz))),
      h("div", {}, h("dt", {}, "Unlocked"), h("dd", {}, formatTime(visit.unlockedAt, tz))),
      h("div", {}, h("dt", {}, "Relocked"), h("dd", {}, formatTime(visit.relockedAt, tz)))),
    visit.state !== "closed"
      ? h("div", { class: "actions" }, h("button", { type: "button", class: "btn", onclick: async (e) => {
          e.currentTarget.disabled = true;
          try {
            await ctx.api("POST", `/v1/visits/${encodeURIComponent(visit.id)}/end`);
            ctx.announce(`${door} is relocking.`);
          } catch (error) {
            ctx.toast(`Could not relock: ${error.message}`, "error");
          }
        } }, "Relock now"))
      : undefined,
    visit.alerts.length > 0
      ? h("ul", { class: "alerts", "aria-label": "Alerts" }, visit.alerts.map((a) => h("li", { role: "note" }, "⚠ ", a)))
      : undefined,
    visit.clip.length > 0
      ? visit.clip.map((part, index) => clipPlayer(visit, part, index, unlockOffset, ctx, players))
      : h("p", { class: "hint" }, visit.state === "closed" ? "No clip was kept for this visit." : "Recording… the clip appears when the visit ends."));
}

function clipPlayer(visit, part, index, unlockOffset, ctx, players) {
  const key = `${visit.id}:${index}`;
  let player = players.get(key);
  if (!player) {
    const video = h("video", { controls: true, preload: "metadata", playsinline: true, class: "clip", width: 480, height: 270,
      "aria-label": `Clip of the visit${visit.clip.length > 1 ? `, part ${index + 1}` : ""}` });
    const download = h("a", { class: "btn btn-quiet", download: `doorstep-visit-${visit.id}${index ? `-${index + 1}` : ""}.mp4` }, "Download clip");
    void ctx.transport.clipUrl(visit.id, index).then((url) => {
      if (!url) return;
      // "#t=0.1" makes the browser draw the first frame: the thumbnail, with no extra request.
      video.src = `${url}#t=0.1`;
      download.href = url;
    });
    const caption = h("p", { class: "hint" }, `${Math.round(part.durationMs / 1000)} s`,
      unlockOffset !== undefined && index === 0 ? ` · the door opens at ${unlockOffset.toFixed(1)} s (before that: the pre-roll)` : "");
    player = h("figure", { class: "clip-box" }, video, h("figcaption", {}, caption, download));
    players.set(key, player);
  }
  return player;
}
