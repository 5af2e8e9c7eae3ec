/**
 * `node scripts/report-screenshots.mjs`: the pictures of the HTML report in
 * docs/images, taken in headless Chromium (Debian's /usr/bin/chromium via
 * playwright-core) from the demo's experiment that the layout tests use
 * (packages/reporters/src/test-fixtures/demo/):
 * - report-1280.png: a 1280-pixel desktop, from the advice history through
 *   the metric trends, the two tables whose long text must wrap to the page;
 * - report-390.png: a 390-pixel phone, the top of the report.
 * Needs the packages built (`pnpm -s build`). Plain Node ESM.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ExperimentMetaSchema, parseRecord } from "../packages/core/dist/index.js";
import { renderHtmlReport } from "../packages/reporters/dist/index.js";

const ROOT = new URL("../", import.meta.url);
const FIXTURE = new URL("packages/reporters/src/test-fixtures/demo/", ROOT);
const OUT = new URL("docs/images/", ROOT);
const require = createRequire(new URL("packages/reporters/package.json", ROOT));
const { chromium } = require("playwright-core");

const json = (name) => JSON.parse(readFileSync(new URL(name, FIXTURE), "utf8"));
const records = readFileSync(new URL("records.jsonl", FIXTURE), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => parseRecord(JSON.parse(line)));
const experiment = {
  meta: ExperimentMetaSchema.parse(json("meta.json")),
  records,
  trajectory: json("trajectory.json"),
  advice: json("advice.json"),
};
const html = await renderHtmlReport(experiment, {
  generatedAt: new Date("2026-01-18T14:30:00Z"),
});

const dir = mkdtempSync(join(tmpdir(), "converge-shots-"));
const file = join(dir, "report.html");
writeFileSync(file, html);
mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
try {
  /** Screenshots the page of `width` between the tops of two elements (or `height` from the first). */
  async function shoot(width, name, from, to, height) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const top = from
      ? await page.$eval(from, (el) => el.getBoundingClientRect().top + scrollY - 16)
      : 0;
    const bottom = to
      ? await page.$eval(to, (el) => el.getBoundingClientRect().bottom + scrollY + 16)
      : top + height;
    const path = new URL(name, OUT).pathname;
    await page.screenshot({
      path,
      fullPage: true,
      clip: { x: 0, y: Math.max(0, top), width, height: bottom - Math.max(0, top) },
    });
    await page.close();
    console.log(
      `${name}: ${width} × ${Math.round(bottom - top)} px, ${Math.round(statSync(path).size / 1024)} KB`,
    );
  }
  await shoot(
    1280,
    "report-1280.png",
    "#e1-assessment-history",
    ".table-wrap[aria-label='Metric trends']",
  );
  await shoot(390, "report-390.png", null, null, 1900);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
