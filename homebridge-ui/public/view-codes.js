// Guest codes: create one from a preset (or a weekly schedule / RRULE), show its PIN once with a message for the
// guest, list every code with where it stands on the lock, explain why one does not open, revoke.
import { copyText, field, fill, h, uid } from "./dom.js";
import { DAYS, describeSchedule, FormError, KINDS, preset, toCredentialInput } from "./presets.js";
import { formatDate, formatDateTime } from "./time.js";

const PRESETS = [
  ["courier", "Courier", "Today, one use"],
  ["cleaner", "Cleaner", "Every other Tuesday 9–12"],
  ["dog-walker", "Dog walker", "Weekdays 12–13"],
  ["custom", "Custom", "Your own schedule"],
];

export function renderCodes(main, ctx) {
  const createBox = h("section", { class: "card", "aria-labelledby": "ds-create-title" });
  const listBox = h("section", { "aria-labelledby": "ds-codes-title" });
  main.append(h("h2", { class: "view-title" }, "Guest codes"), createBox, listBox);
  renderCreate(createBox, ctx);
  const update = () => renderList(listBox, ctx);
  update();
  // Writing a PIN to a lock takes a moment and sends no event: while a code is on its way, look again now and then.
  const poll = setInterval(async () => {
    if (!ctx.state.slots.some((s) => s.state === "pending") && !ctx.state.credentials.some((c) => codeStatus(c, ctx.state.slots).tone === "warn")) return;
    try {
      await ctx.refresh("credentials");
      update();
    } catch {
      // the next round tries again; a lost session shows the login form
    }
  }, 2000);
  return { update, dispose: () => clearInterval(poll) };
}

// ── create ──

function renderCreate(box, ctx) {
  const doors = ctx.state.doors.map((d) => d.id);
  const timeZone = ctx.home.timeZone;
  let draft = preset("cleaner", { now: Date.now(), timeZone, doors });
  const form = h("form", { novalidate: true, onsubmit: (e) => (e.preventDefault(), submit()) });
  const result = h("div", { class: "pin-result", tabindex: "-1" });
  const error = h("p", { class: "error", role: "alert" });

  const presetGroup = h("fieldset", { class: "presets" }, h("legend", {}, "Start from"),
    PRESETS.map(([key, title, sub]) => {
      const id = uid("preset");
      return h("div", { class: "preset" },
        h("input", { type: "radio", name: "ds-preset", id, value: key, checked: draft.preset === key,
          onchange: () => { draft = preset(key, { now: Date.now(), timeZone, doors }); drawFields(); } }),
        h("label", { for: id }, h("strong", {}, title), h("span", {}, sub)));
    }));
  const fields = h("div", { class: "form-fields" });
  form.append(presetGroup, fields, error,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary", id: "ds-create-code" }, "Create code")));
  fill(box, h("h3", { id: "ds-create-title" }, "New guest code"),
    h("p", { class: "hint" }, `Times are in the home's time zone, ${timeZone}.`), form, result);

  function drawFields() {
    // Redrawing replaces the controls: give focus back to the one that was used.
    const focusKey = document.activeElement?.dataset?.fk;
    const set = (key) => (e) => { draft[key] = e.target.type === "checkbox" ? e.target.checked : e.target.value; if (key === "schedule") drawFields(); };
    const label = h("input", { type: "text", name: "label", value: draft.label, maxlength: 80, required: true, autocomplete: "off", oninput: set("label") });
    const kind = h("select", { name: "kind", onchange: set("kind") }, KINDS.map(([v, t]) => h("option", { value: v, selected: draft.kind === v }, t)));
    const doorBoxes = h("fieldset", { class: "inline" }, h("legend", {}, "Doors"),
      ctx.state.doors.map((d) => {
        const id = uid("door");
        return h("span", { class: "check" },
          h("input", { type: "checkbox", id, value: d.id, checked: draft.doors.includes(d.id),
            onchange: (e) => { draft.doors = e.target.checked ? [...new Set([...draft.doors, d.id])] : draft.doors.filter((x) => x !== d.id); } }),
          h("label", { for: id }, d.name));
      }));
    const from = h("input", { type: "date", name: "validFrom", value: draft.validFrom, required: true, onchange: set("validFrom") });
    const until = h("input", { type: "date", name: "validUntil", value: draft.validUntil, required: true, onchange: set("validUntil") });
    const uses = h("input", { type: "number", name: "maxUses", min: 1, step: 1, inputmode: "numeric", value: draft.maxUses, oninput: set("maxUses") });
    const mode = h("select", { name: "mode", onchange: set("mode") },
      [["keypad", "Keypad"], ["remote", "Remote (provider app)"], ["both", "Keypad and remote"]].map(([v, t]) => h("option", { value: v, selected: draft.mode === v }, t)));
    const pets = h("input", { type: "checkbox", name: "allowWhenPetsHome", checked: draft.allowWhenPetsHome, onchange: set("allowWhenPetsHome") });
    const scheduleKind = h("fieldset", { class: "inline" }, h("legend", {}, "When"),
      [["none", "Any time"], ["weekly", "Weekly schedule"], ["rrule", "Repeating rule (RRULE)"]].map(([v, t]) => {
        const id = uid("sched");
        return h("span", { class: "check" }, h("input", { type: "radio", name: "ds-schedule", id, value: v, checked: draft.schedule === v, onchange: set("schedule") }), h("label", { for: id }, t));
      }));
    const petsId = uid("pets");
    pets.id = petsId;
    fill(fields,
      h("div", { class: "row" },
        field("Name", label, "Shown in the list and the visit log."),
        field("Kind", kind)),
      doorBoxes,
      h("div", { class: "row" }, field("First day", from), field("Last day", until, "The code stops at midnight after this day."), field("Uses", uses, "Empty: no limit.")),
      scheduleKind,
      draft.schedule === "weekly" ? weeklyEditor(draft, () => drawFields()) : undefined,
      draft.schedule === "rrule" ? rruleEditor(draft) : undefined,
      h("div", { class: "row" }, field("Opens with", mode),
        h("div", { class: "field check" }, pets, h("label", { for: petsId }, "Works while “Pets home” is on"))));
    if (focusKey) fields.querySelector(`[data-fk="${focusKey}"]`)?.focus();
  }

  async function submit() {
    error.textContent = "";
    let input;
    try {
      input = toCredentialInput(draft, { now: Date.now(), timeZone });
    } catch (e) {
      if (!(e instanceof FormError)) throw e;
      error.textContent = e.message;
      form.querySelector(`[name="${e.field}"]`)?.focus();
      return;
    }
    try {
      const created = await ctx.api("POST", "/v1/credentials", input);
      showPin(created);
      await ctx.refresh("credentials");
      ctx.rerender();
    } catch (e) {
      const issues = e.body?.issues?.map((i) => `${i.path}: ${i.message}`).join("; ");
      error.textContent = `The bridge refused the code: ${issues || e.message}`;
    }
  }

  function showPin({ pin, credential }) {
    const doorNames = credential.doors.map((id) => ctx.state.doors.find((d) => d.id === id)?.name ?? id).join(" and ");
    const message =
      `Hi ${credential.label}, your code for the ${doorNames} is ${pin}. ` +
      `It works ${describeSchedule(credential)} (${ctx.home.timeZone} time) from ${formatDate(credential.validFrom, ctx.home.timeZone)} ` +
      `to ${formatDate(credential.validUntil - 1, ctx.home.timeZone)}` +
      `${credential.maxUses ? `, ${credential.maxUses === 1 ? "once" : `${credential.maxUses} times`}` : ""}. ` +
      "Type it on the keypad; the visit is recorded.";
    const messageEl = h("p", { class: "guest-message", id: "ds-guest-message" }, message);
    const copied = h("span", { class: "hint", role: "status" });
    fill(result,
      h("h4", {}, `Code for ${credential.label}`),
      h("p", {}, "The PIN is shown this once — copy it now:"),
      h("p", { class: "pin", id: "ds-new-pin", "aria-label": `PIN ${pin.split("").join(" ")}` }, pin),
      h("p", { class: "hint" }, "Message for the guest:"),
      messageEl,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "btn btn-primary", onclick: async () => { copied.textContent = (await copyText(message, messageEl)) ? "Copied." : "Selected: copy it with Ctrl+C."; } }, "Copy message"),
        h("button", { type: "button", class: "btn btn-quiet", onclick: () => fill(result) }, "Done, hide the PIN")),
      copied);
    result.focus();
  }

  drawFields();
}

function weeklyEditor(draft, redraw) {
  const box = h("fieldset", { class: "weekly" }, h("legend", {}, "Weekly schedule"));
  draft.windows.forEach((w, index) => {
    const days = h("div", { class: "day-toggles", role: "group", "aria-label": `Days of window ${index + 1}` },
      DAYS.map(([key, short, long]) => h("button", {
        type: "button", class: "day", dataset: { fk: `day-${index}-${key}` }, "aria-pressed": String(w.days.includes(key)), "aria-label": long,
        onclick: () => { w.days = w.days.includes(key) ? w.days.filter((d) => d !== key) : DAYS.map(([k]) => k).filter((k) => k === key || w.days.includes(k)); redraw(); },
      }, short)));
    const start = h("input", { type: "time", value: w.start, name: "windows", dataset: { fk: `start-${index}` }, onchange: (e) => { w.start = e.target.value; redraw(); } });
    const end = h("input", { type: "time", value: w.end, dataset: { fk: `end-${index}` }, onchange: (e) => { w.end = e.target.value; redraw(); } });
    box.append(h("div", { class: "window" }, days, h("div", { class: "row" }, field("From", start), field("To", end)),
      draft.windows.length > 1 ? h("button", { type: "button", class: "btn btn-quiet", onclick: () => { draft.windows.splice(index, 1); redraw(); } }, "Remove this window") : undefined));
  });
  box.append(h("button", { type: "button", class: "btn btn-quiet", onclick: () => { draft.windows.push({ days: [], start: "09:00", end: "17:00" }); redraw(); } }, "Add a time window"));
  box.append(weekChart(draft.windows));
  return box;
}

/** The week at a glance: one bar per day with the allowed hours filled. Decorative; the controls above carry the data. */
function weekChart(windows) {
  const toMin = (t) => { const [a, b] = t.split(":").map(Number); return a * 60 + b; };
  return h("div", { class: "week-chart", "aria-hidden": "true" },
    DAYS.map(([key, short], dayIndex) => {
      const blocks = [];
      for (const w of windows) {
        const s = toMin(w.start), e = toMin(w.end);
        if (w.days.includes(key)) blocks.push([s, e > s ? e : 1440]);
        // A window past midnight spills into the next day.
        const prev = DAYS[(dayIndex + 6) % 7][0];
        if (e <= s && w.days.includes(prev) && e > 0) blocks.push([0, e]);
      }
      return h("div", { class: "week-row" }, h("span", { class: "week-day" }, short),
        h("div", { class: "week-bar" }, blocks.map(([s, e]) => {
          const b = h("span", { class: "week-block" });
          b.style.left = `${(s / 1440) * 100}%`;
          b.style.width = `${((e - s) / 1440) * 100}%`;
          return b;
        })));
    }),
    h("div", { class: "week-row week-scale" }, h("span", {}), h("div", { class: "week-ticks" }, ["0", "6", "12", "18", "24"].map((t) => h("span", {}, t)))));
}

function rruleEditor(draft) {
  const dtstart = h("input", { type: "datetime-local", name: "dtstart", value: draft.dtstart, onchange: (e) => (draft.dtstart = e.target.value) });
  const rrule = h("input", { type: "text", name: "rrule", value: draft.rrule, spellcheck: "false", autocomplete: "off", oninput: (e) => (draft.rrule = e.target.value) });
  const minutes = h("input", { type: "number", name: "durationMinutes", min: 1, step: 1, value: draft.durationMinutes, oninput: (e) => (draft.durationMinutes = e.target.value) });
  return h("fieldset", { class: "rrule" }, h("legend", {}, "Repeating rule"),
    h("div", { class: "row" },
      field("First visit starts", dtstart),
      field("Visit length (minutes)", minutes)),
    field("RRULE", rrule, "RFC 5545, e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TU for every other Tuesday."));
}

// ── list ──

/** Where a code stands: the words and a tone for the chip. */
export function codeStatus(credential, slots, now = Date.now()) {
  if (credential.revokedAt !== undefined) return { text: "Revoked", tone: "muted" };
  if (credential.maxUses !== undefined && credential.usage.uses >= credential.maxUses) return { text: "Used up", tone: "muted" };
  if (!credential.live || now >= credential.validUntil) return { text: "Expired", tone: "muted" };
  if (credential.mode === "remote") return { text: "Active (remote only)", tone: "ok" };
  const mine = slots.filter((s) => s.credentialId === credential.id);
  const failed = mine.find((s) => s.state === "failed");
  if (failed) return { text: `Failed: ${failed.lastError ?? "the lock refused it"}`, tone: "bad" };
  if (mine.some((s) => s.state === "pending")) return { text: "Pending: being written to the lock", tone: "warn" };
  if (mine.length > 0 && mine.every((s) => s.desired === "present" && s.state === "synced")) return { text: "On the lock", tone: "ok" };
  if (now < credential.validFrom) return { text: `Starts ${formatDateTime(credential.validFrom)}`, tone: "warn" };
  return { text: "Not on the lock (outside its hours)", tone: "warn" };
}

function renderList(box, ctx) {
  const tz = ctx.home.timeZone;
  const now = Date.now();
  const creds = [...ctx.state.credentials].sort((a, b) => Number(a.revokedAt !== undefined) - Number(b.revokedAt !== undefined) || b.createdAt - a.createdAt);
  fill(box,
    h("h3", { id: "ds-codes-title" }, "Codes"),
    creds.length === 0 ? h("p", { class: "muted" }, "No guest codes yet.") :
      h("ul", { class: "code-list" }, creds.map((c) => {
        const status = codeStatus(c, ctx.state.slots, now);
        const why = h("p", { class: "explain", role: "status" });
        const doorSelect = c.doors.length > 1
          ? h("select", { "aria-label": `Door to check for ${c.label}` }, c.doors.map((d) => h("option", { value: d }, ctx.state.doors.find((x) => x.id === d)?.name ?? d)))
          : undefined;
        const explain = async () => {
          why.textContent = "Checking…";
          try {
            const r = await ctx.api("POST", `/v1/credentials/${encodeURIComponent(c.id)}/explain`, { doorId: doorSelect?.value ?? c.doors[0] });
            why.textContent = r.sentence;
            why.dataset.outcome = r.outcome;
          } catch (e) {
            why.textContent = e.status === 404 ? "This bridge cannot explain codes yet; try `doorstep guest check`." : e.message;
          }
        };
        const revoke = async (button) => {
          if (button.dataset.confirm !== "yes") {
            button.dataset.confirm = "yes";
            button.textContent = "Really revoke?";
            return;
          }
          button.disabled = true;
          try {
            await ctx.api("DELETE", `/v1/credentials/${encodeURIComponent(c.id)}`);
            ctx.announce(`${c.label}'s code is revoked.`);
            await ctx.refresh("credentials");
            ctx.rerender();
          } catch (e) {
            ctx.toast(`Could not revoke: ${e.message}`, "error");
            button.disabled = false;
          }
        };
        const titleId = `code-${c.id}`;
        return h("li", { class: "card code", "aria-labelledby": titleId, dataset: { credential: c.id } },
          h("div", { class: "code-head" },
            h("h4", { id: titleId }, c.label),
            h("span", { class: `chip tone-${status.tone}`, dataset: { status: status.text } }, status.text)),
          h("p", { class: "code-meta" },
            `${KINDS.find(([k]) => k === c.kind)?.[1] ?? c.kind} · ${describeSchedule(c)} · `,
            `${formatDate(c.validFrom, tz)} – ${formatDate(c.validUntil - 1, tz)}`,
            c.maxUses ? ` · used ${c.usage.uses} of ${c.maxUses}` : ` · used ${c.usage.uses} time${c.usage.uses === 1 ? "" : "s"}`,
            c.providerId ? ` · by ${c.providerId}` : ""),
          h("div", { class: "actions" },
            doorSelect,
            h("button", { type: "button", class: "btn btn-quiet", onclick: explain }, "Why can't they get in?"),
            c.revokedAt === undefined ? h("button", { type: "button", class: "btn btn-danger", onclick: (e) => revoke(e.currentTarget) }, "Revoke") : undefined),
          why);
      })));
}
