/**
 * Small helpers for tests that inspect report HTML as text: the CSP, inline
 * scripts and styles, and every attribute outside raw-text elements.
 */

/** Decodes the character references the report writes. */
export function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The policy in the CSP meta tag (decoded), or null. */
export function cspOf(html: string): string | null {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  return m ? decode(m[1] as string) : null;
}

/** The text of every `<style>` element. */
export function stylesOf(html: string): string[] {
  return [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] as string);
}

/** The text of every executable inline `<script>` (no type attribute). */
export function scriptsOf(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
}

/** The text of every `<script type="application/json">` data block. */
export function jsonBlocksOf(html: string): string[] {
  return [...html.matchAll(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) => m[1] as string,
  );
}

/** Every element tag name outside script and style contents, lower-cased. */
export function tagNamesOf(html: string): string[] {
  const markup = withoutRawText(html);
  return [...markup.matchAll(/<([a-zA-Z][\w:-]*)/g)].map((m) => (m[1] as string).toLowerCase());
}

function withoutRawText(html: string): string {
  return html
    .replace(/(<script[^>]*>)[\s\S]*?<\/script>/g, "$1</script>")
    .replace(/(<style[^>]*>)[\s\S]*?<\/style>/g, "$1</style>");
}

/** Every attribute (name, decoded value) of every tag outside script and style contents. */
export function attributesOf(html: string): { tag: string; name: string; value: string }[] {
  const out: { tag: string; name: string; value: string }[] = [];
  const markup = withoutRawText(html);
  for (const tag of markup.matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[^\s=/>]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    for (const attr of (tag[2] as string).matchAll(/([^\s=/>]+)(?:="([^"]*)")?/g)) {
      out.push({
        tag: (tag[1] as string).toLowerCase(),
        name: (attr[1] as string).toLowerCase(),
        value: decode(attr[2] ?? ""),
      });
    }
  }
  return out;
}
