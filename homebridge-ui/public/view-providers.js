// Providers: tokens for courier companies — create (shown once), list with last use, revoke.
import { copyText, field, fill, h } from "./dom.js";
import { formatDateTime, relative } from "./time.js";

export function renderProviders(main, ctx) {
  const listBox = h("section", { "aria-labelledby": "ds-tokens-title" });
  const name = h("input", { type: "text", name: "provider", maxlength: 64, autocomplete: "organization", required: true });
  const result = h("div", { class: "pin-result", tabindex: "-1" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "card", "aria-labelledby": "ds-token-new", onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = "";
    if (!name.value.trim()) { error.textContent = "Name the company the token is for."; name.focus(); return; }
    try {
      const created = await ctx.api("POST", "/v1/tokens", { provider: name.value.trim() });
      const tokenEl = h("code", { class: "token", id: "ds-new-token" }, created.token);
      const copied = h("span", { class: "hint", role: "status" });
      fill(result, h("p", {}, `Token for ${created.provider}, shown this once — give it to their integration now:`), tokenEl,
        h("div", { class: "actions" },
          h("button", { type: "button", class: "btn btn-primary", onclick: async () => { copied.textContent = (await copyText(created.token, tokenEl)) ? "Copied." : "Selected: copy it with Ctrl+C."; } }, "Copy token"),
          h("button", { type: "button", class: "btn btn-quiet", onclick: () => fill(result) }, "Done, hide it")),
        copied);
      result.focus();
      name.value = "";
      await load();
    } catch (e2) {
      error.textContent = e2.status === 404 ? "This bridge cannot make tokens from the console; use `doorstep token create`." : e2.message;
    }
  } },
    h("h3", { id: "ds-token-new" }, "New provider token"),
    h("p", { class: "hint" }, "A courier company's system uses its token to create its own codes and to open the door remotely — always recorded, always within your switches."),
    field("Company", name), error,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "Create token")), result);
  main.append(h("h2", { class: "view-title" }, "Providers"), form, listBox);

  async function load() {
    try {
      ctx.state.tokens = await ctx.api("GET", "/v1/tokens");
    } catch (e) {
      ctx.state.tokens = undefined;
      fill(listBox, h("p", { class: "error" }, e.status === 404 ? "This bridge does not list tokens yet." : e.message));
      return;
    }
    update();
  }
  function update() {
    const tokens = ctx.state.tokens;
    if (!tokens) return;
    fill(listBox, h("h3", { id: "ds-tokens-title" }, "Tokens"),
      tokens.length === 0 ? h("p", { class: "muted" }, "No provider tokens.") :
        h("ul", { class: "token-list" }, tokens.map((t) => h("li", { class: "card token-row" },
          h("div", {}, h("h4", {}, t.provider),
            h("p", { class: "hint" }, `Created ${formatDateTime(t.createdAt, ctx.home.timeZone)} · `,
              t.lastUsedAt ? `last used ${relative(t.lastUsedAt)}` : "never used",
              t.revokedAt ? ` · revoked ${formatDateTime(t.revokedAt, ctx.home.timeZone)}` : "")),
          t.revokedAt ? h("span", { class: "chip tone-muted" }, "Revoked") :
            h("button", { type: "button", class: "btn btn-danger", "aria-label": `Revoke ${t.provider}'s token`, onclick: async (e) => {
              const b = e.currentTarget;
              if (b.dataset.confirm !== "yes") { b.dataset.confirm = "yes"; b.textContent = "Really revoke?"; return; }
              try { await ctx.api("DELETE", `/v1/tokens/${encodeURIComponent(t.id)}`); ctx.announce(`${t.provider}'s token is revoked.`); await load(); }
              catch (e2) { ctx.toast(`Could not revoke: ${e2.message}`, "error"); }
            } }, "Revoke")))));
  }
  void load();
  return { update };
}
