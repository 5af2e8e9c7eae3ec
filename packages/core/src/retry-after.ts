/**
 * Milliseconds to wait from an HTTP `Retry-After` value: delay-seconds
 * ("120", "1.5") or an HTTP date (a date in the past waits 0). Null when the
 * value is absent, empty or neither form.
 *
 * @param value the header's value
 * @param now the current time in ms since the epoch, for the date form
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
