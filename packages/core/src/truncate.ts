/**
 * `text` cut to at most `max` units, the last of them "…" when it was cut,
 * never inside a surrogate pair, so that a long user string (a 200-character
 * parameter name) stays readable. Callers keep the full text reachable where
 * it matters (a `title` attribute, a table).
 *
 * @param unit what `max` counts: code points (what a reader sees; default),
 *   or UTF-16 code units (`string.length`, for a budget in characters such as
 *   a prompt's)
 */
export function truncate(
  text: string,
  max: number,
  unit: "code-point" | "utf-16" = "code-point",
): string {
  if (text.length <= max) return text;
  if (unit === "utf-16") {
    let end = Math.max(0, max - 1);
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    return `${text.slice(0, end)}…`;
  }
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}
