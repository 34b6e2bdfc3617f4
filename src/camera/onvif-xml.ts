// Just enough XML reading for the few SOAP fields we take from raw text (device information, discovery
// answers): elements matched by local name, whatever prefix the camera chose. Not a general XML parser.

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric character references. */
export function xmlUnescape(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return ENTITIES[e.toLowerCase()] ?? "";
  });
}

/** Escapes text for an element or attribute value. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

function elementPattern(localName: string): RegExp {
  const n = localName.replace(/[^A-Za-z0-9_.-]/g, "");
  return new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${n}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:[A-Za-z_][\\w.-]*:)?${n}\\s*>)`, "g");
}

/** Inner XML of every element with this local name (empty string for `<x/>`), in document order. */
export function xmlElements(xml: string, localName: string): string[] {
  return [...xml.matchAll(elementPattern(localName))].map((m) => m[1] ?? "");
}

/** Text of the first element with this local name, unescaped; undefined when absent. */
export function xmlFirstText(xml: string, localName: string): string | undefined {
  const first = xmlElements(xml, localName)[0];
  return first === undefined ? undefined : xmlUnescape(first.replace(/<[^>]*>/g, ""));
}
