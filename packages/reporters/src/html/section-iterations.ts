/**
 * The iteration table: one row per iteration with its parameters (changed
 * ones highlighted), metrics (those of failed criteria marked), gate score,
 * action, failure classification, time and cost. Built for 10,000 rows: rows
 * omit the optional `</td>` and `</tr>` end tags (valid HTML) and carry a
 * class only where a cell is special.
 */
import { type ExperimentRecord, truncate } from "@converge/core";
import { own } from "../own.js";
import {
  formatCost,
  formatDuration,
  formatNumber,
  formatValue,
  plural,
} from "../view-model/format.js";
import { constantMetrics, tableMetrics } from "../view-model/metric-roles.js";
import {
  criterionText,
  directionArrow,
  type ExperimentView,
  hasGate,
} from "../view-model/model.js";
import { escapeHtml as esc } from "./escape.js";
import { nameAttr, nameHtml } from "./marks.js";
import { scrollBox } from "./scroll-box.js";

interface Column {
  header: string;
  /** Cell markup for a row (the `<td>` included). */
  cell(row: ExperimentView["rows"][number]): string;
}

function headerCell(name: string, detail: string, numeric: boolean): string {
  const crit = detail === "" ? "" : `<span class="crit">${esc(detail)}</span>`;
  return `<th${numeric ? ' class="n"' : ""} title="${nameAttr(name)}"><span class="name">${nameHtml(name)}</span>${crit}</th>`;
}

/**
 * A text cell, left-aligned by the stylesheet's `table.iters td.t`. A class
 * per cell rather than a rule generated for the columns' positions keeps the
 * stylesheet, and so the page's policy, the same as columns come and go (the
 * live view swaps in new versions under the policy it loaded with).
 */
function textCell(value: string, max = 160): string {
  return `<td class="t">${esc(truncate(value, max))}`;
}

function failureAnalysisText(record: ExperimentRecord): string {
  const fa = record.failure_analysis;
  if (!fa) return "";
  if (typeof fa.root_cause === "string" && fa.root_cause !== "") return fa.root_cause;
  return formatValue(fa);
}

function columns(view: ExperimentView): Column[] {
  const records = view.rows.map((r) => r.record);
  const cols: Column[] = [];
  if (records.some((r) => r.strategy_name !== "")) {
    cols.push({
      header: "<th>Strategy</th>",
      cell: (r) => textCell(r.record.strategy_name, 80),
    });
  }
  for (const name of view.parameterNames) {
    cols.push({
      header: headerCell(name, "parameter", false),
      cell: (r) => {
        const has = Object.hasOwn(r.record.parameters, name);
        const value = own(r.record.parameters, name);
        const text = has ? truncate(formatValue(value), 120) : "—";
        const cls = (r.changed.has(name) ? "c " : "") + (typeof value === "string" ? "t" : "");
        return `<td${cls ? ` class="${cls.trim()}"` : ""}>${esc(text)}`;
      },
    });
  }
  const criteria = new Map<string, string>();
  for (const c of view.gate?.criteria ?? []) {
    const text = criterionText(c.op, c.threshold);
    criteria.set(c.metric, criteria.has(c.metric) ? `${criteria.get(c.metric)}, ${text}` : text);
  }
  for (const name of tableMetrics(view)) {
    // The direction only where a goal is stated; an informational metric has none (docs/vocabulary.md).
    const arrow = directionArrow(own(view.goals, name));
    const detail = criteria.has(name) ? `gate ${criteria.get(name)}` : arrow;
    cols.push({
      header: headerCell(name, detail, true),
      cell: (r) => {
        const v = own(r.record.metrics, name);
        return `<td${r.failed.has(name) ? ' class="f"' : ""}>${esc(formatNumber(v))}`;
      },
    });
  }
  if (hasGate(view)) {
    cols.push({
      header: '<th class="n">Gate score</th>',
      cell: (r) => `<td>${esc(formatNumber(r.record.gate_score, 3))}`,
    });
  }
  cols.push({
    header: "<th>Action</th>",
    cell: (r) => textCell(r.record.action_taken, 80),
  });
  if (records.some((r) => r.failure_classification)) {
    cols.push({
      header: "<th>Failure class</th>",
      cell: (r) => textCell(r.record.failure_classification ?? "", 80),
    });
  }
  if (records.some((r) => r.failure_analysis)) {
    cols.push({
      header: "<th>Failure analysis</th>",
      cell: (r) => textCell(failureAnalysisText(r.record), 240),
    });
  }
  if (records.some((r) => r.compute_time > 0)) {
    cols.push({
      header: '<th class="n">Time</th>',
      cell: (r) => `<td>${esc(formatDuration(r.record.compute_time))}`,
    });
  }
  cols.push({
    header: '<th class="n">Cost</th>',
    cell: (r) => `<td>${esc(formatCost(r.record.cost))}`,
  });
  return cols;
}

/** One line for the metrics with the same value in every iteration (not repeated as columns). */
function constantLine(view: ExperimentView): string {
  const names = constantMetrics(view);
  if (names.length === 0) return "";
  const items = names.map(
    (name) => `<code>${nameHtml(name)}</code> ${esc(formatNumber(own(view.spans, name)?.first))}`,
  );
  return `\n<p class="note">The same in every iteration: ${items.join(", ")}.</p>`;
}

/** The iteration table section. */
export function iterationsSection(view: ExperimentView, id: string): string {
  const heading = `<h2 id="${id}">Iterations</h2>`;
  if (view.rows.length === 0) {
    return `<section>${heading}<p class="note">No iterations yet.</p></section>`;
  }
  const cols = columns(view);
  const tableId = `${id}-table`;
  const best = view.summary.best_iteration;
  const body: string[] = [];
  for (const row of view.rows) {
    const r = row.record;
    const cls = r.gate_passed
      ? r.iteration === best
        ? "pass best"
        : "pass"
      : r.iteration === best
        ? "best"
        : "";
    let line = `<tr${cls ? ` class="${cls}"` : ""}><th>${r.iteration}`;
    for (const col of cols) line += col.cell(row);
    body.push(line);
  }
  const legend = `<p class="legend"><span><span class="sw c"></span>parameter changed since the previous iteration</span><span><span class="sw f"></span>metric failed its gate criterion (✗)</span><span><span class="sw p"></span>iteration passed the gate</span><span>★ best iteration</span></p>`;
  return `<section>${heading}
<p class="note">${view.rows.length.toLocaleString("en-US")} iterations; scroll inside the table for more columns and rows.</p>${constantLine(view)}
${legend}
${scrollBox(
  `<table class="iters" id="${tableId}"><thead><tr><th class="n">#</th>${cols.map((c) => c.header).join("")}</tr></thead>
<tbody>
${body.join("\n")}
</tbody></table>`,
  { label: `Iterations: ${plural(view.rows.length, "row")}`, kind: "wide" },
)}
</section>`;
}
