/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser: type them against the DOM.
/**
 * What an MLflow user sees of a Converge experiment, checked in the MLflow UI itself:
 * a real `mlflow server` serves its React app, Debian's Chromium (playwright-core,
 * never a downloaded browser) opens it at a 1280x800 viewport with the UI's own
 * default layout, and the test reads the runs table, the parent run's page and a
 * child run's page. Every request to a host other than 127.0.0.1 is blocked and
 * listed. Screenshots go to a temp directory the test prints, and to
 * docs/images/mlflow-ui-*.png with CONVERGE_UPDATE_SCREENSHOTS=1.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTracker } from "@converge/core";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMlflowClient } from "../client/index.js";
import type { MlflowRun } from "../client/types.js";
import { mlflowStore, TAG } from "../index.js";
import { type MlflowServer, startMlflowServer } from "../test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { tempDir } from "./helpers.js";

const gate = await mlflowSuiteGate("storage-mlflow in the MLflow UI");

const CHROMIUM = "/usr/bin/chromium";
/** MLflow's default layout at a common laptop size. */
const VIEWPORT = { width: 1280, height: 800 };
const EXPERIMENT_NAME = "converge-ui";
/** As long as the demo's ids (`demo_seed<n>_<UTC stamp>`): too long for the name column. */
const ID = "demo_seed46_20260412_144252_123";
const DIRECTIVE = "Reach a Sharpe ratio of at least 1.2 on AAPL momentum";
// Iteration 5 is the best (the only one passing the gate); the last one is not.
const SHARPE = [0.41, 0.62, 0.75, 0.9, 1.31, 0.88, 1.05, 0.97];
const DRAWDOWN = [0.31, 0.28, 0.26, 0.22, 0.14, 0.24, 0.25, 0.27];
const RETURN = [0, 0.04, 0.07, 0.1, 0.18, 0.12, 0.15, 0.13];
const SIZE = [0.1, 0.12, 0.14, 0.15, 0.18, 0.2, 0.22, 0.25];
const params = (i: number) => ({
  lookback: 10 + 5 * i,
  rsi_threshold: 70 - i,
  position_size: SIZE[i] as number,
});
const SHOTS_IN_DOCS = fileURLToPath(new URL("../../../../docs/images/", import.meta.url));

/** The user name MLflow's Python client records (`getpass.getuser()`, no credentials set). */
function pythonUser(): string {
  const env = process.env;
  return env.LOGNAME || env.USER || env.LNAME || env.USERNAME || userInfo().username;
}

describe.skipIf(gate.skip)("a Converge experiment in the MLflow UI (headless Chromium)", () => {
  let server: MlflowServer;
  let browser: Browser;
  let context: BrowserContext;
  let experimentId: string;
  let parent: MlflowRun;
  let children: MlflowRun[];
  let shots: string;
  /** Requests to anything but the MLflow server, all aborted. */
  const blocked: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: run \`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium\` (.ci/run does this). This test never downloads a browser.`,
      );
    }
    server = await startMlflowServer();
    await logExperiment(server.url);
    const client = createMlflowClient({ trackingUri: server.url });
    const exp = await client.getExperimentByName(EXPERIMENT_NAME);
    experimentId = exp?.experiment_id ?? "";
    const runs = await client.searchRuns({ experimentIds: [experimentId] });
    await client.close();
    const kind = (r: MlflowRun) => r.data.tags.find((t) => t.key === TAG.kind)?.value;
    parent = runs.find((r) => kind(r) === "experiment") as MlflowRun;
    children = runs.filter((r) => kind(r) === "iteration").sort((a, b) => iter(a) - iter(b));
    expect(parent).toBeDefined();
    expect(children.map(iter)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    // Service workers would bypass the routing below.
    context = await browser.newContext({ viewport: VIEWPORT, serviceWorkers: "block" });
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || url.protocol === "data:" || url.protocol === "blob:")
        return route.continue();
      blocked.push(route.request().url());
      return route.abort("blockedbyclient");
    });
    shots = await mkdtemp(join(tmpdir(), "converge-mlflow-ui-"));
    console.log(`MLflow UI screenshots: ${shots}`);
  }, 240_000);

  afterAll(async () => {
    console.log(
      `MLflow UI: ${blocked.length} request(s) to other hosts blocked${blocked.length ? `: ${[...new Set(blocked)].join(", ")}` : ""}`,
    );
    if (pageErrors.length) console.log(`MLflow UI page errors: ${pageErrors.join(" | ")}`);
    await browser?.close();
    await server?.stop();
  });

  async function open(hash: string): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/#/experiments/${experimentId}${hash}`);
    return page;
  }

  test("the runs table: each child's iteration readable in its name cell, Source filled", async () => {
    const page = await open("/runs");
    const parentLink = page.getByRole("link", { name: parent.info.run_name, exact: true });
    await parentLink.waitFor();
    // Children are folded under their parent: unfold them with the cell's toggle.
    await page.getByRole("gridcell").filter({ has: parentLink }).getByRole("button").click();
    const links = children.map((c) =>
      page.getByRole("link", { name: c.info.run_name, exact: true }),
    );
    for (const link of links) await link.waitFor();
    await shot(page, "runs");
    const cells = [];
    for (const link of links) cells.push(await visibleText(link));
    console.log(
      `run name cells as shown: ${cells.map((c) => JSON.stringify(c.visible)).join(", ")}`,
    );
    for (const [i, cell] of cells.entries()) {
      // "#7" visible (not "#7" of "#71", not cut to "demo_seed46_…").
      expect(cell.visible, `iteration ${i + 1}: "${cell.full}"`).toMatch(
        new RegExp(`#${i + 1}(?!\\d)`),
      );
    }
    const sources = await columnTexts(page, "Source", [parent, ...children]);
    const expected = basename(tagValue(parent, "mlflow.source.name") ?? "");
    expect(expected).not.toBe("");
    expect(sources).toEqual(Array(children.length + 1).fill(expected));
  });

  test("the parent run's page: starting params, best_* metrics, Created by and Source", async () => {
    const page = await open(`/runs/${parent.info.run_id}`);
    await page.getByRole("heading", { name: parent.info.run_name, exact: true }).waitFor();
    await expectAbout(page, parent);
    expect(await tableRows(page, "Parameter", 3)).toMatchObject(stringValues(params(0)));
    const metrics = await tableRows(page, "Metric", 4);
    // The best iteration (5), not the last one (8, whose values MLflow shows as "latest").
    expect(metrics).toMatchObject({
      best_sharpe_ratio: String(SHARPE[4]),
      best_max_drawdown: String(DRAWDOWN[4]),
    });
    await page.getByText(DIRECTIVE, { exact: true }).waitFor();
    await shot(page, "parent", true);
  });

  test("a child run's page: its params, metrics and tags", async () => {
    const child = children[6] as MlflowRun; // iteration 7
    const page = await open(`/runs/${child.info.run_id}`);
    await page.getByRole("heading", { name: child.info.run_name, exact: true }).waitFor();
    await expectAbout(page, child);
    await page.getByRole("link", { name: parent.info.run_name, exact: true }).first().waitFor();
    expect(await tableRows(page, "Parameter", 3)).toEqual(stringValues(params(6)));
    expect(await tableRows(page, "Metric", 4)).toMatchObject({
      sharpe_ratio: String(SHARPE[6]),
      max_drawdown: String(DRAWDOWN[6]),
      total_return: String(RETURN[6]),
    });
    const tags = page.getByRole("status");
    for (const [key, value] of [
      [TAG.iteration, "7"],
      [TAG.action, "TUNE_PARAMETERS"],
      [TAG.gatePassed, "false"],
      [TAG.strategyName, "momentum_v7"],
    ] as const) {
      await tags
        .filter({ hasText: key })
        .filter({ hasText: `: ${value}` })
        .first()
        .waitFor();
    }
    await shot(page, "child", true);
  });

  test("the experiments list shows the directive as the experiment's description", async () => {
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/#/experiments`);
    const row = page.getByRole("row").filter({
      has: page.getByRole("link", { name: EXPERIMENT_NAME, exact: true }),
    });
    await row.waitFor();
    // The cell holds the whole text (the eye sees its start, cut with "…").
    expect(await row.getByRole("cell").allInnerTexts()).toContain(DIRECTIVE);
  });

  test("the UI ran without an uncaught error with every other host blocked", () => {
    expect(pageErrors).toEqual([]);
  });

  async function shot(page: Page, name: string, wholePage = false): Promise<void> {
    if (wholePage) {
      // The run page scrolls inside its own pane: grow the window to the pane's content
      // (same width) so one picture holds the whole page.
      const height = await page.evaluate(() =>
        Math.max(
          ...[...document.querySelectorAll("*")].map((e) =>
            ["auto", "scroll"].includes(getComputedStyle(e).overflowY)
              ? e.scrollHeight - e.clientHeight
              : 0,
          ),
        ),
      );
      await page.setViewportSize({ width: VIEWPORT.width, height: VIEWPORT.height + height + 40 });
    }
    // Down to the last section (the window may now be taller than the content).
    const bottom = await page.evaluate(() =>
      Math.max(
        ...[...document.querySelectorAll('h1, h2, h3, h4, [role="table"]')].map(
          (e) => e.getBoundingClientRect().bottom,
        ),
      ),
    );
    const size = page.viewportSize() ?? VIEWPORT;
    const clip = { x: 0, y: 0, width: size.width, height: Math.min(size.height, bottom + 48) };
    const path = join(shots, `mlflow-ui-${name}.png`);
    await page.screenshot({ path, clip: wholePage ? clip : undefined });
    if (process.env.CONVERGE_UPDATE_SCREENSHOTS === "1") {
      await mkdir(SHOTS_IN_DOCS, { recursive: true });
      await copyFile(path, join(SHOTS_IN_DOCS, `mlflow-ui-${name}.png`));
    }
  }
});

const iter = (r: MlflowRun) => Number(tagValue(r, TAG.iteration));
const tagValue = (r: MlflowRun, key: string) => r.data.tags.find((t) => t.key === key)?.value;
const stringValues = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

/** Logs ~8 iterations as a loop does: meta with directive and gate, records, SUCCESS + summary. */
async function logExperiment(trackingUri: string): Promise<void> {
  const store = mlflowStore({ trackingUri, experimentName: EXPERIMENT_NAME, spoolDir: tempDir() });
  const run = await createTracker({ store }).start({
    experimentId: ID,
    directive: DIRECTIVE,
    gate: {
      criteria: [
        { metric: "sharpe_ratio", op: ">=", threshold: 1.2 },
        { metric: "max_drawdown", op: "<=", threshold: 0.2 },
      ],
    },
    metrics: { sharpe_ratio: "maximize", max_drawdown: "minimize" },
  });
  for (let i = 0; i < SHARPE.length; i++) {
    await run.log({
      parameters: params(i),
      metrics: {
        sharpe_ratio: SHARPE[i] as number,
        max_drawdown: DRAWDOWN[i] as number,
        total_return: RETURN[i] as number,
      },
      strategy_name: `momentum_v${i + 1}`,
      action_taken: "TUNE_PARAMETERS",
    });
  }
  const summary = await run.finish("SUCCESS");
  expect(summary.best_iteration).toBe(5);
  await store.close();
}

/** "Created by" and "Source" in "About this run": what the Python client's runs show. */
async function expectAbout(page: Page, run: MlflowRun): Promise<void> {
  const field = (label: string) =>
    page.getByText(label, { exact: true }).locator("xpath=following-sibling::*[1]");
  await field("Created by").waitFor();
  expect((await field("Created by").textContent())?.trim()).toBe(pythonUser());
  const source = basename(tagValue(run, "mlflow.source.name") ?? "");
  expect((await field("Source").textContent())?.trim()).toBe(source);
  expect(source).not.toBe("");
  expect(tagValue(run, "mlflow.source.type")).toBe("LOCAL");
}

/**
 * The rows of the run page's table whose first column is `header` ("Metric",
 * "Parameter") as name -> value, once it has at least `min` rows.
 */
async function tableRows(page: Page, header: string, min: number) {
  const table = page
    .getByRole("table")
    .filter({ has: page.getByRole("columnheader").getByText(header, { exact: true }) });
  const rows = table.getByRole("row").filter({ has: page.getByRole("cell") });
  await rows.nth(min - 1).waitFor();
  const out: Record<string, string> = {};
  for (const row of await rows.all()) {
    const [name, value] = await row.getByRole("cell").allInnerTexts();
    if (name !== undefined) out[name.trim()] = (value ?? "").trim();
  }
  return out;
}

/** The runs table's cells of one column for these runs (rows are keyed by run id). */
async function columnTexts(page: Page, header: string, runs: MlflowRun[]): Promise<string[]> {
  // ag-grid's own header cell (it carries the column index), not the label inside it.
  const head = page.locator('[role="columnheader"][aria-colindex]').filter({ hasText: header });
  await head.scrollIntoViewIfNeeded();
  const col = await head.getAttribute("aria-colindex");
  const out: string[] = [];
  for (const run of runs) {
    const cell = page.locator(
      `[role="row"][row-id="${run.info.run_id}"] [role="gridcell"][aria-colindex="${col}"]`,
    );
    await cell.waitFor();
    out.push((await cell.textContent())?.trim() ?? "");
  }
  return out;
}

/**
 * The part of a link's text that the cell shows: the characters laid out left of
 * the right edge of every clipping ancestor up to the grid (less the "…" drawn when
 * cut), as a user reads it. `full` is the whole text.
 */
function visibleText(link: Locator): Promise<{ full: string; visible: string }> {
  return link.evaluate((a) => {
    const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
    let node = walker.nextNode();
    while (node && (node.textContent ?? "").trim() === "") node = walker.nextNode();
    const text = node?.textContent ?? "";
    if (!node?.parentElement) return { full: text, visible: "" };
    let right = Number.POSITIVE_INFINITY;
    let cut = false;
    for (let el: Element | null = node.parentElement; el; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.overflowX !== "visible") {
        right = Math.min(right, el.getBoundingClientRect().right);
        if (el.scrollWidth > el.clientWidth) cut = true;
      }
      if (el.getAttribute("role") === "grid") break;
    }
    const range = document.createRange();
    range.setStart(node, 0);
    range.setEnd(node, text.length);
    if (range.getBoundingClientRect().right > right + 0.5) cut = true;
    const ctx = document.createElement("canvas").getContext("2d");
    if (ctx) ctx.font = getComputedStyle(node.parentElement).font;
    const ellipsis = cut ? (ctx?.measureText("…").width ?? 0) : 0;
    let shown = 0;
    for (let i = 1; i <= text.length; i++) {
      range.setEnd(node, i);
      if (range.getBoundingClientRect().right > right - ellipsis + 0.5) break;
      shown = i;
    }
    return { full: text, visible: shown < text.length ? `${text.slice(0, shown)}…` : text };
  });
}
