// Doors: lock and door state, camera with a current picture, battery, the household switches, lock/unlock, and
// pairing a lock / finding a camera.
import { fill, h, toggle } from "./dom.js";
import { formatTime } from "./time.js";

const LOCK_TEXT = { locked: "Locked", unlocked: "Unlocked", locking: "Locking…", unlocking: "Unlocking…", jammed: "Jammed", unknown: "Unknown" };
const DOOR_TEXT = { open: "Door open", closed: "Door closed", jammed: "Door jammed", "forced-open": "Door forced open", unknown: "Door state unknown" };

export function renderDoors(main, ctx) {
  const list = h("div", { class: "grid doors" });
  const setup = h("section", { class: "card", "aria-labelledby": "ds-setup-title" });
  main.append(h("h2", { class: "view-title" }, "Doors"), list, setup);

  function update() {
    fill(list, ctx.state.doors.length === 0 ? h("p", { class: "muted" }, "No doors are configured.") : ctx.state.doors.map((d) => doorCard(d, ctx)));
  }
  update();
  renderSetup(setup, ctx);
  return { update };
}

function doorCard(door, ctx) {
  const state = door.lock?.state ?? "unknown";
  const titleId = `door-${door.id}-title`;
  const message = h("p", { class: "hint", role: "status" });
  const act = async (action) => {
    message.textContent = action === "lock" ? "Locking…" : "Unlocking…";
    try {
      await ctx.api("POST", `/v1/doors/${encodeURIComponent(door.id)}/${action}`);
      message.textContent = action === "lock" ? "Locked." : "Unlocked.";
      await ctx.refresh("doors", "visits");
      ctx.rerender();
    } catch (error) {
      message.textContent =
        error.status === 404 || error.status === 405
          ? "Locking from the console needs a newer bridge; use the Home app for now."
          : `Could not ${action}: ${error.message}`;
    }
  };
  const camera = door.camera ?? { configured: false, recording: false };
  const picture = h("img", { class: "snapshot", alt: `Current picture from the ${door.name} camera`, width: 320, height: 180, hidden: true });
  const pictureNote = h("p", { class: "hint" });
  const loadPicture = async () => {
    const url = await ctx.transport.snapshotUrl(door.id);
    if (!url) return void (pictureNote.textContent = "No picture available here.");
    picture.onload = () => {
      picture.hidden = false;
      pictureNote.textContent = `Picture taken ${formatTime(Date.now(), ctx.home.timeZone)}.`;
    };
    picture.onerror = () => {
      picture.hidden = true;
      pictureNote.textContent = "The camera did not send a picture.";
    };
    picture.src = url;
  };
  if (camera.configured) void loadPicture();

  const switches = door.switches ?? {};
  const setSwitch = (key) => async (checked, input) => {
    input.disabled = true;
    try {
      await ctx.api("PATCH", `/v1/doors/${encodeURIComponent(door.id)}`, { [key]: checked });
      await ctx.refresh("doors");
      ctx.announce(`${key === "petsHome" ? "Pets home" : "In-home deliveries"} ${checked ? "on" : "off"}.`);
    } catch (error) {
      input.checked = !checked;
      ctx.toast(`Could not change the switch: ${error.message}`, "error");
    } finally {
      input.disabled = false;
    }
  };

  return h(
    "article",
    { class: "card door", "aria-labelledby": titleId, dataset: { door: door.id } },
    h("div", { class: "door-head" },
      h("h3", { id: titleId }, door.name),
      h("span", { class: `chip lock-${state}`, dataset: { lockState: state } }, LOCK_TEXT[state] ?? state)),
    h("dl", { class: "facts" },
      h("div", {}, h("dt", {}, "Door"), h("dd", {}, DOOR_TEXT[door.door] ?? "—")),
      h("div", {}, h("dt", {}, "Lock"), h("dd", {}, door.lock?.available ? "Reachable" : "Not answering")),
      h("div", {}, h("dt", {}, "Battery"), h("dd", {}, door.lock?.battery !== undefined ? `${Math.round(door.lock.battery)} %` : "—")),
      h("div", {}, h("dt", {}, "Camera"), h("dd", { class: camera.recording ? "ok" : camera.configured ? "warn" : "" },
        !camera.configured ? "None" : camera.recording ? "Recording ring running" : "Not recording — guests stay outside")),
      door.visitId ? h("div", {}, h("dt", {}, "Visit"), h("dd", { class: "warn" }, "Someone is inside now")) : undefined),
    camera.configured
      ? h("figure", { class: "snapshot-box" }, picture,
          h("figcaption", {}, pictureNote, h("button", { type: "button", class: "btn btn-quiet", onclick: loadPicture }, "Refresh picture")))
      : undefined,
    h("div", { class: "switches" },
      toggle("In-home deliveries", switches.inHomeDeliveries === true, setSwitch("inHomeDeliveries"), "Couriers may put parcels inside."),
      toggle("Pets home", switches.petsHome === true, setSwitch("petsHome"), "Only pet-care codes open the door.")),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn", onclick: () => act("lock") }, "Lock"),
      h("button", { type: "button", class: "btn", onclick: () => act("unlock") }, "Unlock")),
    message,
  );
}

function renderSetup(section, ctx) {
  const pairStatus = h("p", { class: "hint", role: "status" });
  const discoverStatus = h("div", { role: "status" });
  ctx.pairing = (event) => {
    pairStatus.textContent = event?.message ?? (event?.ieee ? `A device joined: ${event.ieee}.` : "Pairing update.");
  };
  const pair = async () => {
    pairStatus.textContent = "Opening the Zigbee network…";
    try {
      const r = await ctx.api("POST", "/v1/zigbee/permit-join", { seconds: 120 });
      pairStatus.textContent = `Joining is open${r?.seconds ? ` for ${r.seconds} s` : ""}: put the lock in pairing mode now.`;
    } catch (error) {
      pairStatus.textContent =
        error.status === 404 ? "Pairing from the console needs a newer bridge: restart the bridge to open joining for 180 s." : `Could not open joining: ${error.message}`;
    }
  };
  const discover = async () => {
    fill(discoverStatus, h("p", { class: "hint" }, "Looking for cameras on the network (a few seconds)…"));
    try {
      const found = await ctx.api("POST", "/v1/cameras/discover", {});
      const cameras = Array.isArray(found) ? found : (found?.cameras ?? []);
      fill(discoverStatus, cameras.length === 0
        ? h("p", { class: "hint" }, "No ONVIF camera answered.")
        : h("ul", { class: "plain" }, cameras.map((c) => h("li", {}, h("strong", {}, c.name ?? c.model ?? "Camera"), ` — ${c.host ?? c.address ?? ""}${c.port ? `:${c.port}` : ""}`))));
    } catch (error) {
      fill(discoverStatus, h("p", { class: "hint" }, error.status === 404
        ? "Camera discovery from the console needs a newer bridge; run `doorstep camera discover`."
        : `Discovery failed: ${error.message}`));
    }
  };
  fill(section,
    h("h3", { id: "ds-setup-title" }, "Add hardware"),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn", onclick: pair }, "Pair a lock"),
      h("button", { type: "button", class: "btn", onclick: discover }, "Discover cameras")),
    pairStatus,
    discoverStatus);
}
