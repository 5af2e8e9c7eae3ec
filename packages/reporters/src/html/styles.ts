/**
 * The report's one stylesheet, inlined in a `<style>` element whose hash the
 * Content-Security-Policy allows. System fonts only (no web fonts), a
 * comfortable measure for prose, light and dark schemes, print rules, and
 * scroll containers for wide or long tables so the page itself never
 * scrolls sideways.
 */

const BASE_CSS = `
:root {
  color-scheme: light dark;
  --fg: #1b1f24; --muted: #59636e; --bg: #ffffff; --surface: #f6f8fa; --border: #d1d9e0;
  --accent: #0a5cc2; --ok: #1a7f37; --ok-bg: #dafbe1; --bad: #c9302c; --bad-bg: #ffebe9;
  --warn: #9a6700; --warn-bg: #fff8c5; --changed-bg: #fff3c4; --changed-fg: #5c3d00;
  --add-bg: #e6ffec; --del-bg: #ffebe9; --hunk: #6639ba;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --surface: #151b23; --border: #3d444d;
    --accent: #4493f8; --ok: #3fb950; --ok-bg: #12361f; --bad: #f85149; --bad-bg: #3c1618;
    --warn: #d29922; --warn-bg: #3b2e05; --changed-bg: #4a3b0b; --changed-fg: #f2d98c;
    --add-bg: #12361f; --del-bg: #3c1618; --hunk: #bc8cff;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  font-kerning: normal; overflow-wrap: break-word;
}
.page { max-width: 1180px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
p, li, dd, .prose { max-width: 72ch; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.6em 0 0.5em; text-wrap: balance; }
h1 { font-size: 1.9rem; margin-top: 0; letter-spacing: -0.01em; }
h2 { font-size: 1.4rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.1rem; }
h4 { font-size: 1rem; margin-bottom: 0.3em; }
a { color: var(--accent); }
code, pre, kbd { font-family: var(--mono); font-size: 0.875em; }
small, .muted { color: var(--muted); }
.eyebrow { color: var(--muted); font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.06em; margin: 0; }
.eyebrow code { text-transform: none; letter-spacing: 0; font-size: 0.95em; }
p { text-wrap: pretty; }
.directive { font-size: 1.15rem; margin: 0.4rem 0 0.8rem; overflow-wrap: anywhere; }
.verdict { font-size: 1.05rem; margin: 0.6rem 0 1rem; }
.doc-head { border-bottom: 1px solid var(--border); margin-bottom: 1.5rem; padding-bottom: 1rem; }
.doc-head h1 { overflow-wrap: anywhere; }
.generated { color: var(--muted); font-size: 0.9rem; margin: 0; }
nav.toc { font-size: 0.92rem; margin: 0 0 1.5rem; }
nav.toc ol { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; list-style: none; margin: 0; padding: 0; max-width: none; }
nav.toc li { max-width: none; }
.experiment + .experiment { margin-top: 3.5rem; padding-top: 1.5rem; border-top: 3px double var(--border); }
.badge {
  display: inline-block; padding: 0.1em 0.6em; border-radius: 999px; font-size: 0.8rem; font-weight: 600;
  letter-spacing: 0.03em; vertical-align: 0.15em; background: var(--surface); color: var(--muted); border: 1px solid var(--border);
  white-space: nowrap;
}
.badge.ok { background: var(--ok-bg); color: var(--ok); border-color: transparent; }
.badge.bad { background: var(--bad-bg); color: var(--bad); border-color: transparent; }
.badge.warn { background: var(--warn-bg); color: var(--warn); border-color: transparent; }
.numbers { display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5rem, 1fr)); gap: 0.75rem; margin: 1rem 0 0; padding: 0; }
.numbers > div { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: 0.65rem 0.85rem; min-width: 0; }
.numbers dt { color: var(--muted); font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; }
.numbers dd { margin: 0.15rem 0 0; font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.numbers dd small { display: block; font-size: 0.8rem; font-weight: 400; }
.callout { border: 1px solid var(--border); border-left: 5px solid var(--accent); border-radius: 8px; padding: 1rem 1.25rem; background: var(--surface); }
.callout.ok { border-left-color: var(--ok); }
.callout.warn { border-left-color: var(--warn); }
.callout.bad { border-left-color: var(--bad); }
.next-action { font-size: 1.6rem; font-weight: 700; margin: 0; letter-spacing: 0.02em; }
.next-action small { font-size: 0.95rem; font-weight: 400; }
.callout ul { padding-left: 1.2rem; }
.callout h3 { font-size: 1rem; margin-bottom: 0.3em; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.25rem; margin: 0.75rem 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.table-wrap { overflow: auto; max-width: 100%; max-height: 75vh; border: 1px solid var(--border); border-radius: 8px; margin: 0.75rem 0 1.25rem; }
.table-wrap.short { max-height: none; }
.table-wrap:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
table { border-collapse: separate; border-spacing: 0; font-size: 0.875rem; width: max-content; min-width: 100%; }
.table-wrap.fit > table { width: 100%; min-width: 0; }
.table-wrap.fit td.t { max-width: none; overflow-wrap: break-word; }
.table-wrap.fit th { overflow-wrap: normal; white-space: normal; }
.table-wrap.fit .badge { white-space: normal; }
details.more > summary { cursor: pointer; }
details.more:not([open]) > summary::after { content: " …"; color: var(--muted); }
details.more[open] > summary { margin-bottom: 0.2rem; }
th, td { padding: 0.35rem 0.55rem; text-align: left; vertical-align: top; border-bottom: 1px solid var(--border); }
thead th { position: sticky; top: 0; z-index: 2; background: var(--surface); font-weight: 600; vertical-align: bottom; }
tbody tr:last-child > * { border-bottom: 0; }
tbody tr:hover > * { background-color: color-mix(in srgb, var(--accent) 6%, transparent); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th .name { white-space: normal; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; line-clamp: 3; overflow: hidden; overflow-wrap: anywhere; max-width: 12rem; }
th .crit { display: block; font-weight: 400; color: var(--muted); font-size: 0.8rem; white-space: nowrap; }
td.t { max-width: 22rem; overflow-wrap: anywhere; }
td.v { max-width: 16rem; overflow-wrap: anywhere; }
td.c { background: var(--changed-bg); color: var(--changed-fg); font-weight: 600; }
td.f { color: var(--bad); font-weight: 600; }
td.f::after { content: " ✗"; }
table.iters td { text-align: right; font-variant-numeric: tabular-nums; max-width: 18rem; overflow-wrap: anywhere; }
table.iters td.t { text-align: left; }
table.iters tbody th { position: sticky; left: 0; z-index: 1; background: var(--bg); text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.iters thead th:first-child { left: 0; z-index: 3; }
tr.pass > th { box-shadow: inset 3px 0 0 var(--ok); }
tr.best > th::before { content: "★ "; color: var(--warn); }
.legend { font-size: 0.85rem; color: var(--muted); display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; margin: 0.25rem 0; max-width: none; }
.legend .sw { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; vertical-align: -0.1em; margin-right: 0.3em; }
.sw.c { background: var(--changed-bg); border: 1px solid var(--changed-fg); }
.sw.f { background: var(--bad); }
.sw.p { background: var(--ok); }
.charts { display: flex; flex-wrap: wrap; gap: 1.25rem; align-items: flex-start; }
figure.chart { flex: 1 1 100%; width: 100%; max-width: 100%; margin: 0; border: 1px solid var(--border); border-radius: 8px; padding: 0.75rem 0.85rem 0.6rem; min-width: 0; break-inside: avoid; }
figure.chart figcaption { width: 0; min-width: 100%; margin-top: 0.4rem; color: var(--muted); font-size: 0.85rem; line-height: 1.45; }
.chart-body { overflow: hidden; }
.chart-body svg { display: block; width: 100%; max-width: 100%; height: auto; }
.chart-body .vega-embed { display: block; width: 100%; max-width: 100%; }
.chart-body .vega-embed canvas { width: 100% !important; max-width: 100%; height: auto !important; }
.chart-error { color: var(--bad); font-size: 0.9rem; }
details.code { border: 1px solid var(--border); border-radius: 8px; margin: 0.5rem 0; background: var(--bg); }
details.code > summary { cursor: pointer; padding: 0.5rem 0.85rem; list-style-position: inside; overflow-wrap: anywhere; }
details.code > summary:hover { background: var(--surface); }
details.code[open] > summary { border-bottom: 1px solid var(--border); }
details.code .meta { padding: 0.5rem 0.85rem 0; margin: 0; font-size: 0.9rem; }
.unchanged { color: var(--muted); margin: 0.35rem 0.25rem; font-size: 0.92rem; }
pre { margin: 0; padding: 0.75rem 0.85rem; overflow-x: auto; background: var(--surface); line-height: 1.45; tab-size: 4; }
details.code pre { border-radius: 0 0 8px 8px; }
pre.diff span { display: block; min-width: max-content; padding: 0 0.3rem; white-space: pre; }
pre.diff .a { background: var(--add-bg); }
pre.diff .d { background: var(--del-bg); }
pre.diff .h { color: var(--hunk); }
pre.diff .x { color: var(--muted); }
.hidden-char, pre.diff span.hidden-char {
  display: inline; min-width: 0; padding: 0 0.15em; margin: 0 0.05em; border-radius: 3px;
  background: var(--warn-bg); color: var(--warn); outline: 1px solid var(--warn); font-size: 0.85em; white-space: nowrap;
}
.hidden-warning { background: var(--warn-bg); color: var(--warn); border: 1px solid var(--warn); border-radius: 6px; padding: 0.35rem 0.7rem; margin: 0.5rem 0; max-width: none; }
ul.iter-notes { list-style: none; margin: 0 0 0.75rem 0.85rem; padding: 0.3rem 0 0.3rem 0.85rem; border-left: 3px solid var(--border); font-size: 0.9rem; }
ul.iter-notes > li { margin: 0.15rem 0; max-width: none; }
ul.iter-notes code { overflow-wrap: anywhere; }
ul.iter-notes ul.actions { margin: 0.2rem 0 0; padding-left: 1.2rem; list-style: disc; }
ul.iter-notes .fallback, .fb { color: var(--warn); }
ul.iter-notes .fallback { font-weight: 600; }
table.advice-history tr.final > td { font-weight: 600; box-shadow: inset 0 1px 0 var(--border); }
.final-advice { font-size: 0.95rem; }
ul.assumptions { margin: 0; padding-left: 1.1rem; font-size: 0.88rem; color: var(--muted); }
.stat-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); gap: 0.5rem 2rem; }
.note { color: var(--muted); font-size: 0.9rem; }
footer.doc-foot { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--border); color: var(--muted); font-size: 0.85rem; }
@media (max-width: 640px) {
  .page { padding: 1rem 0.85rem 3rem; }
  /* On a phone a text table scrolls in its box rather than squeeze its prose to a word a line. */
  .table-wrap.fit td.t:last-child { min-width: 14rem; }
  h1 { font-size: 1.5rem; }
  .facts { grid-template-columns: 1fr; }
}
@media print {
  :root {
    color-scheme: light;
    --fg: #000; --muted: #444; --bg: #fff; --surface: #f4f4f4; --border: #bbb;
    --changed-bg: #fff0b3; --changed-fg: #000; --add-bg: #e6ffec; --del-bg: #ffebe9;
  }
  body { font-size: 10.5pt; background: #fff; color: #000; }
  .page { max-width: none; padding: 0; }
  nav.toc { display: none; }
  .table-wrap { overflow: visible; max-height: none; border: 0; }
  table { width: auto; min-width: 0; font-size: 8.5pt; }
  thead { display: table-header-group; }
  thead th { position: static; }
  tr, figure.chart, .numbers > div, .callout, pre.diff span, ul.iter-notes { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .experiment + .experiment { break-before: page; }
  details.code::details-content { content-visibility: visible; display: block; }
  pre, pre.diff span { white-space: pre-wrap; overflow-wrap: anywhere; min-width: 0; }
  a { color: inherit; text-decoration: none; }
}
`;

/**
 * The interactive build's rules: once a live chart is drawn its static SVG
 * hides (and comes back for print), and vega-tooltip's look (its default stylesheet is injected at run time, which
 * the Content-Security-Policy forbids, so the interactive build turns that
 * off and ships these rules in the hashed stylesheet instead).
 */
const TOOLTIP_CSS = `
#vg-tooltip-element { visibility: hidden; padding: 8px; position: fixed; z-index: 1000; font: 12px/1.4 system-ui, sans-serif;
  border-radius: 4px; box-shadow: 2px 2px 6px rgba(0,0,0,0.15); white-space: pre-line; max-width: 420px;
  background: var(--bg); color: var(--fg); border: 1px solid var(--border); }
#vg-tooltip-element.visible { visibility: visible; }
#vg-tooltip-element h2 { margin: 0 0 6px; font-size: 13px; border: 0; padding: 0; }
#vg-tooltip-element table { border-spacing: 0; width: auto; min-width: 0; font-size: 12px; }
#vg-tooltip-element td { border: 0; padding: 1px 4px; overflow: hidden; text-overflow: ellipsis; }
#vg-tooltip-element td.key { color: var(--muted); text-align: right; max-width: 160px; }
#vg-tooltip-element td.value { max-width: 260px; overflow-wrap: anywhere; }
figure.live .chart-body > svg { display: none; }
@media print { figure.live .chart-body > svg { display: block; } figure.live .chart-live { display: none; } }
`;

/** The stylesheet of a report; the interactive build adds the tooltip rules. */
export function reportCss(interactive: boolean): string {
  return interactive ? BASE_CSS + TOOLTIP_CSS : BASE_CSS;
}
