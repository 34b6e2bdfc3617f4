// A tiny element builder: text always goes in as text nodes, so nothing from the bridge is ever parsed as HTML.

/** h("button", {class: "x", onclick: f}, "Label", child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let idCounter = 0;
export const uid = (prefix) => `${prefix}-${++idCounter}`;

/** A labelled form field: label, control, optional hint, all linked for screen readers. */
export function field(labelText, control, hint) {
  const id = control.id || uid("f");
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : undefined;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, labelText), control, hintEl);
}

/** A checkbox shown as a switch, labelled. */
export function toggle(labelText, checked, onchange, description) {
  const id = uid("t");
  const input = h("input", { type: "checkbox", role: "switch", id, checked, onchange: (e) => onchange(e.target.checked, e.target) });
  return h("div", { class: "toggle" }, input, h("label", { for: id }, labelText, description ? h("span", { class: "hint" }, description) : undefined));
}

/** Copies text; falls back to selecting it when the clipboard is not available. */
export async function copyText(text, fallbackEl) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallbackEl) {
      const range = document.createRange();
      range.selectNodeContents(fallbackEl);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
    return false;
  }
}
