/**
 * Charts in the document: the chart module's specs, rendered to SVG in Node
 * and inlined. A chart that cannot be drawn becomes a visible note naming the
 * reason; it never fails the whole report.
 */
import { terminalSafe } from "@converge/core";
import type { ChartDescription, ChartEngine } from "../view-model/chart-engine.js";
import { escapeHtml, jsonForScript } from "./escape.js";
import { markHiddenHtml } from "./marks.js";
import { inlineSvg } from "./svg.js";

/** A chart ready for the page. */
export interface PlacedChart {
  /** Document-unique element id. */
  domId: string;
  title: string;
  description: string;
  spec: unknown;
  /** Inline SVG markup, or null when drawing failed (see `error`). */
  svg: string | null;
  error?: string;
  styleAttributes: string[];
}

/** The spec to embed in the page: the `$schema` URL removed (a report holds no URLs). */
export function embeddableSpec(spec: unknown): unknown {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) return spec;
  const { $schema: _schema, ...rest } = spec as Record<string, unknown>;
  return rest;
}

/**
 * Draws every chart; failures become `error` entries and one terminal-safe
 * `onWarning` message each, naming `owner` ("experiment exp_1") and the chart.
 */
export async function renderCharts(
  engine: ChartEngine,
  charts: readonly ChartDescription[],
  prefix: string,
  owner = "the report",
  onWarning: (message: string) => void = () => undefined,
): Promise<PlacedChart[]> {
  return Promise.all(
    charts.map(async (chart, i): Promise<PlacedChart> => {
      const domId = `${prefix}c${i + 1}`;
      const base = {
        domId,
        title: chart.title,
        description: chart.description,
        spec: embeddableSpec(chart.spec),
      };
      try {
        const svg = await engine.renderSvg(chart.spec);
        const inlined = inlineSvg(svg, `${domId}-`, chart.title);
        return { ...base, svg: inlined.markup, styleAttributes: inlined.styleAttributes };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        onWarning(
          terminalSafe(`${owner}: the chart “${chart.title}” could not be drawn: ${message}`),
        );
        return { ...base, svg: null, error: message, styleAttributes: [] };
      }
    }),
  );
}

/** Chart titles, captions and errors may hold user names: hidden characters are marked. */
function text(value: string): string {
  return markHiddenHtml(escapeHtml(value), { oneLine: true });
}

/** Options of {@link chartFigures}. */
export interface FigureOptions {
  /** Add the spec as a JSON data block for the interactive build. */
  interactive: boolean;
}

/** The figures of a chart grid (without the surrounding section). */
export function chartFigures(charts: readonly PlacedChart[], options: FigureOptions): string {
  return charts
    .map((chart) => {
      const body =
        chart.svg ??
        `<p class="chart-error">The chart “${text(chart.title)}” could not be drawn: ${text(chart.error ?? "unknown error")}</p>`;
      const spec =
        options.interactive && chart.svg !== null
          ? `<script type="application/json" id="${chart.domId}-spec">${jsonForScript(chart.spec)}</script>`
          : "";
      const data = spec ? ` data-spec="${chart.domId}-spec"` : "";
      return `<figure class="chart" id="${chart.domId}"${data}><div class="chart-body">${body}</div><figcaption>${text(chart.description)}</figcaption>${spec}</figure>`;
    })
    .join("\n");
}
