// The console's shell: connects (standalone login or the Homebridge UI), keeps the bridge's state, switches between
// the screens and applies live events. Each screen lives in its own view-*.js.
import { h, fill } from "./dom.js";
import { createTransport } from "./transport.js";
import { renderDoors } from "./view-doors.js";
import { renderCodes } from "./view-codes.js";
import { renderVisits } from "./view-visits.js";
import { renderProviders } from "./view-providers.js";
import { renderAudit } from "./view-audit.js";

const VIEWS = { doors: renderDoors, codes: renderCodes, visits: renderVisits, providers: renderProviders, audit: renderAudit };

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `The bridge answered ${status}.`);
    this.status = status;
    this.body = body;
  }
}

const root = document.getElementById("doorstep");
const main = document.getElementById("ds-main");
const nav = document.getElementById("ds-nav");
const live = document.getElementById("ds-live");
const transport = createTransport();

const ctx = {
  transport,
  home: { name: "Doorstep", timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
  state: { doors: [], credentials: [], slots: [], visits: [], tokens: undefined },
  view: "doors",
  /** Calls the API; resolves with the body of a 2xx, throws ApiError otherwise. */
  async api(method, path, body) {
    const r = await transport.request(method, path, body);
    if (r.status === 401 && transport.mode === "standalone") {
      showLogin("Your session has ended: log in again.");
      throw new ApiError(401, r.body);
    }
    if (r.status < 200 || r.status >= 300) throw new ApiError(r.status, r.body);
    return r.body;
  },
  announce(message) {
    const el = document.getElementById("ds-announce");
    el.textContent = "";
    // A fresh text node after a tick so screen readers announce repeated messages too.
    setTimeout(() => (el.textContent = message), 30);
  },
  toast(message, kind = "info") {
    const box = document.getElementById("ds-toasts");
    const t = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, message,
      h("button", { type: "button", class: "btn-close", "aria-label": "Dismiss", onclick: () => t.remove() }, "×"));
    box.append(t);
    setTimeout(() => t.remove(), kind === "error" ? 12_000 : 6_000);
  },
  async refresh(...what) {
    const all = what.length === 0;
    const tasks = [];
    if (all || what.includes("doors")) tasks.push(ctx.api("GET", "/v1/doors").then((d) => (ctx.state.doors = d)));
    if (all || what.includes("credentials")) {
      tasks.push(ctx.api("GET", "/v1/credentials?includeRevoked=true").then((c) => (ctx.state.credentials = c)));
      tasks.push(ctx.api("GET", "/v1/lock-slots").then((s) => (ctx.state.slots = s), () => (ctx.state.slots = [])));
    }
    if (all || what.includes("visits")) tasks.push(ctx.api("GET", "/v1/visits?limit=100").then((v) => (ctx.state.visits = v)));
    await Promise.all(tasks);
  },
  rerender() {
    // Forms keep what was typed: a view re-renders only its live parts when it offers update().
    if (ctx.current?.update) ctx.current.update();
    else show(ctx.view, { keepFocus: true });
  },
};

function show(name, { keepFocus = false } = {}) {
  ctx.view = name;
  for (const b of nav.querySelectorAll("button")) {
    if (b.dataset.view === name) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  }
  ctx.current?.dispose?.();
  fill(main);
  ctx.current = VIEWS[name](main, ctx) ?? undefined;
  if (!keepFocus) {
    main.focus({ preventScroll: true });
    // Codes made from the CLI or by a provider send no event: a screen opened fresh shows fresh data.
    const shown = ctx.current;
    ctx.refresh().then(() => shown === ctx.current && shown?.update?.(), () => {});
  }
  if (location.hash !== `#${name}` && transport.mode === "standalone" && location.pathname === "/") history.replaceState(null, "", `#${name}`);
}

nav.addEventListener("click", (e) => {
  const button = e.target.closest("button[data-view]");
  if (button) show(button.dataset.view);
});

function showLogin(message) {
  nav.hidden = true;
  document.getElementById("ds-logout").hidden = true;
  live.textContent = "Not logged in";
  const tokenInput = h("input", { type: "password", id: "ds-token", name: "token", autocomplete: "current-password", required: true, spellcheck: "false" });
  const error = h("p", { class: "error", role: "alert", id: "ds-login-error" }, message ?? "");
  const form = h(
    "form",
    {
      class: "card login",
      "aria-labelledby": "ds-login-title",
      onsubmit: async (e) => {
        e.preventDefault();
        const r = await transport.login({ token: tokenInput.value.trim() });
        if (r.status === 200) return start();
        error.textContent = r.body?.message ?? "That did not work.";
        tokenInput.setAttribute("aria-invalid", "true");
        tokenInput.focus();
      },
    },
    h("h2", { id: "ds-login-title" }, "Log in"),
    h("p", {}, "Open the one-time link that ", h("code", {}, "doorstep serve"), " printed when it started, or paste the owner token."),
    h("div", { class: "field" }, h("label", { for: "ds-token" }, "Owner token"), tokenInput),
    error,
    h("button", { type: "submit", class: "btn btn-primary" }, "Log in"),
  );
  fill(main, form);
  tokenInput.focus();
}

let unsubscribe;
async function start() {
  try {
    const home = await ctx.api("GET", "/v1/home").catch(() => undefined);
    if (home) ctx.home = home;
    // The bridge's own name says nothing new when it is the default.
    document.getElementById("ds-home-name").textContent = ctx.home.name === "Doorstep" ? "Home console" : ctx.home.name;
    await ctx.refresh();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    fill(main, h("p", { class: "error", role: "alert" }, `The bridge did not answer: ${error.message}`));
    return;
  }
  nav.hidden = false;
  document.getElementById("ds-logout").hidden = transport.mode !== "standalone";
  unsubscribe?.();
  unsubscribe = transport.subscribe(onEvent);
  const wanted = location.hash.slice(1);
  show(VIEWS[wanted] ? wanted : "doors");
}

const doorName = (id) => ctx.state.doors.find((d) => d.id === id)?.name ?? id;

async function onEvent({ type, data }) {
  switch (type) {
    case "connection":
      live.textContent = data.open ? "Live" : "Reconnecting…";
      live.classList.toggle("live-on", data.open);
      return;
    case "visitStarted":
      ctx.announce(`Visit started at ${doorName(data.visit.doorId)}.`);
      ctx.toast(`Someone is coming in at ${doorName(data.visit.doorId)}.`);
      await ctx.refresh("visits", "doors", "credentials");
      break;
    case "visitEnded":
      ctx.announce(`Visit at ${doorName(data.visit.doorId)} ended; the door is relocked.`);
      await ctx.refresh("visits", "doors", "credentials");
      break;
    case "lockState":
    case "switches": {
      await ctx.refresh("doors");
      break;
    }
    case "alert":
      ctx.toast(`${doorName(data.doorId)}: ${data.message}`, "error");
      await ctx.refresh("visits");
      break;
    case "credential":
      await ctx.refresh("credentials");
      break;
    case "pairing":
      ctx.pairing?.(data);
      await ctx.refresh("doors");
      break;
    default:
      return;
  }
  ctx.rerender();
}

document.getElementById("ds-logout").addEventListener("click", async () => {
  unsubscribe?.();
  await transport.logout();
  showLogin("You are logged out.");
});

async function boot() {
  root.classList.toggle("in-homebridge", transport.mode === "homebridge");
  if (transport.mode === "standalone") {
    // The one-time link carries its code after "#": it never reaches a server log or a Referer.
    if (location.pathname === "/login" && location.hash.length > 1) {
      const code = location.hash.slice(1);
      history.replaceState(null, "", "/");
      const r = await transport.login({ code });
      if (r.status !== 200) return showLogin(r.body?.message ?? "That login link does not work any more.");
    } else if (!(await transport.session())) {
      return showLogin();
    }
  }
  await start();
}

void boot();
