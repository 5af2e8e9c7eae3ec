/**
 * One way to write a metric value for people, shared by the reports (HTML
 * tables, Markdown, chart titles) and the command line (`show`, `analyze`,
 * the loop's progress lines): `755`, not `755.000000` or `755.0000`.
 */

/** Options of {@link formatMetricValue}. */
export interface MetricValueOptions {
  /** Significant digits of a non-integer (default 4): 1.0756 → "1.076", 0.000822 → "0.000822". */
  digits?: number;
  /** Group the digits of integers of 10,000 and more with commas (default true): "12,345". */
  group?: boolean;
}

/**
 * A metric value as people read it: an integer as it is (`21`, `755`,
 * `12,345`); any other number with `digits` significant digits and no
 * trailing zeros (`0.1752`, `1.076`, `-4.208`), or rounded to an integer when
 * its integer part alone has that many digits (`123,457`); magnitudes of 1e9 and more or
 * under 1e-4 in exponent form (`1.5e9`, `1.23e-5`); NaN as "NaN" and the
 * infinities as "Infinity" / "-Infinity" (the record format's own words).
 *
 * @param value the number
 * @param options significant digits and digit grouping
 * @returns the text
 */
export function formatMetricValue(value: number, options: MetricValueOptions = {}): string {
  const digits = Math.min(Math.max(Math.trunc(options.digits ?? 4), 1), 21);
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e9 || abs < 1e-4) return trimExponent(value.toExponential(digits - 1));
  if (Number.isInteger(value)) {
    return options.group !== false && abs >= 10_000 ? groupDigits(value) : `${value}`;
  }
  // An integer part longer than `digits` is kept whole: 123456.7 → "123,457", not "123,500".
  if (abs >= 10 ** (digits - 1)) {
    const rounded = Math.round(value);
    return options.group !== false && Math.abs(rounded) >= 10_000
      ? groupDigits(rounded)
      : `${rounded}`;
  }
  return trimZeros(value.toPrecision(digits));
}

function groupDigits(value: number): string {
  const sign = value < 0 ? "-" : "";
  const text = `${Math.abs(value)}`;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (i > 0 && (text.length - i) % 3 === 0) out += ",";
    out += text[i];
  }
  return sign + out;
}

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

function trimExponent(text: string): string {
  const [mantissa, exponent] = text.split("e") as [string, string];
  return `${trimZeros(mantissa)}e${exponent.replace("+", "")}`;
}
