// The audit log: is the hash chain intact? Verified on opening and on demand.
import { fill, h } from "./dom.js";
import { formatTime } from "./time.js";

export function renderAudit(main, ctx) {
  const result = h("div", { role: "status", class: "audit-result" });
  const health = h("div", {});
  const verify = async () => {
    fill(result, h("p", { class: "hint" }, "Verifying…"));
    try {
      const r = await ctx.api("GET", "/v1/audit/verify");
      fill(result, r.ok
        ? h("p", { class: "verdict ok" }, h("strong", {}, "Intact. "), `All ${r.entries} entries chain correctly (checked ${formatTime(Date.now(), ctx.home.timeZone)}).`)
        : h("p", { class: "verdict bad" }, h("strong", {}, "Not trustworthy. "), `${r.message} (first bad entry: #${r.firstBad}, ${r.problem}).`));
    } catch (e) {
      fill(result, h("p", { class: "error" }, e.message));
    }
    try {
      const hr = await ctx.api("GET", "/v1/health");
      fill(health, h("h3", {}, "Health"), h("ul", { class: "plain" },
        h("li", {}, hr.ok ? "Everything is working." : "Something needs attention."),
        (hr.doors ?? []).map((d) => h("li", {}, `${ctx.state.doors.find((x) => x.id === d.id)?.name ?? d.id}: lock ${d.lock}, camera ${d.camera}`))));
    } catch {
      fill(health);
    }
  };
  main.append(h("h2", { class: "view-title" }, "Audit log"),
    h("section", { class: "card" },
      h("p", {}, "Every code, visit, switch and token change is written to a hash-chained log. Verifying recomputes the chain: an edited, deleted or reordered entry shows here."),
      result,
      h("div", { class: "actions" }, h("button", { type: "button", class: "btn btn-primary", onclick: verify }, "Verify now"))),
    h("section", { class: "card" }, health));
  void verify();
  return { update() {} };
}
