/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser: type them against the DOM.
/**
 * Headless Chromium for the report's browser tests: Debian's `chromium`
 * package driven by playwright-core (never a downloaded browser). A missing
 * browser fails the tests with the command that installs it; nothing is
 * skipped.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

/** Where Debian installs chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Where screenshots of the test reports are kept (git-ignored). */
export const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url);

/** Launches headless Chromium, or throws saying how to install it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    const where =
      process.env.CI === "true" ? "CI (CI=true) must provide it" : "the test setup must provide it";
    throw new Error(
      `${CHROMIUM} is missing and ${where}: run \`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium\` (.ci/run does this). The browser tests never download a browser.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A report opened in a page, with what the page did. */
export interface OpenedReport {
  page: Page;
  url: string;
  /** Console messages of type "error" and uncaught page errors. */
  errors: string[];
  /** Requests for anything but the report file itself and data: URLs. */
  requests: string[];
}

/** A temporary directory for report files, removed by `dispose`. */
export async function reportDir(): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "converge-report-"));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Writes `html` to `dir/name` and opens it from its file:// URL; resolves
 * after the load event and, for an interactive report, once every chart has
 * settled (`data-embed` on the root element).
 */
export async function openReport(
  browser: Browser,
  dir: string,
  name: string,
  html: string,
  viewport = { width: 1280, height: 900 },
): Promise<OpenedReport> {
  const path = join(dir, name);
  await writeFile(path, html);
  return openReportFile(browser, path, { viewport });
}

/**
 * Opens a report file already on disk (e.g. one the demo wrote) from its
 * file:// URL, recording console errors and every request but its own.
 */
export async function openReportFile(
  browser: Browser,
  path: string,
  pageOptions: Parameters<Browser["newPage"]>[0] = { viewport: { width: 1280, height: 900 } },
): Promise<OpenedReport> {
  const html = await readFile(path, "utf8");
  const url = pathToFileURL(path).href;
  const page = await browser.newPage(pageOptions);
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  page.on("request", (r) => {
    if (r.url() !== url && !r.url().startsWith("data:")) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: "load" });
  if (html.includes("vegaEmbed")) {
    await page.waitForFunction(() => document.documentElement.hasAttribute("data-embed"), null, {
      timeout: 30_000,
    });
  }
  return { page, url, errors, requests };
}

/** Saves a full-page screenshot to packages/reporters/test-artifacts/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = new URL(`${name}.png`, ARTIFACTS);
  await page.screenshot({ path: path.pathname, fullPage: true });
  return path.pathname;
}
