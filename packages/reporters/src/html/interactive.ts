/**
 * The interactive build: vega, vega-lite and vega-embed browser bundles read
 * from their npm packages and inlined (the report stays one offline file),
 * plus a small script that embeds each chart's spec over its static SVG.
 *
 * Under the report's CSP (`script-src` with hashes only, no 'unsafe-eval')
 * vega must not compile expressions with `new Function`: the script passes
 * `ast: true`, and vega-embed then evaluates expressions with the CSP-safe
 * interpreter it bundles (vega-interpreter). vega-embed's and vega-tooltip's
 * injected `<style>` elements are turned off (`defaultStyle: false`,
 * `disableDefaultStyle: true`); their rules live in the hashed stylesheet.
 * When embedding a chart fails, the static SVG stays.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { ConfigurationError } from "@converge/core";
import { scriptSafeSource } from "./escape.js";

const require = createRequire(import.meta.url);

/** The bundles in load order: vega-embed's UMD wrapper reads `vega` and `vegaLite` globals. */
const BUNDLES = [
  { pkg: "vega", file: "build/vega.min.js" },
  { pkg: "vega-lite", file: "build/vega-lite.min.js" },
  { pkg: "vega-embed", file: "build/vega-embed.min.js" },
] as const;

/**
 * The absolute path of a file inside an installed package. The packages'
 * `exports` maps do not list their browser bundles, so when resolving
 * `pkg/file` is refused the file is found beside the package's resolved
 * entry point (walking up to the directory whose package.json names `pkg`).
 */
export function packageFile(pkg: string, file: string): string {
  try {
    return require.resolve(`${pkg}/${file}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") {
      throw missingBundle(pkg, error);
    }
  }
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch (error) {
    throw missingBundle(pkg, error);
  }
  let dir = dirname(entry);
  for (;;) {
    try {
      const manifest = require(join(dir, "package.json")) as { name?: string };
      if (manifest.name === pkg) return join(dir, file);
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw missingBundle(pkg, new Error(`no package.json naming ${pkg}`));
    dir = parent;
  }
}

function missingBundle(pkg: string, cause: unknown): ConfigurationError {
  return new ConfigurationError(
    `the interactive report needs the ${pkg} package's browser bundle, which could not be found (${cause instanceof Error ? cause.message : String(cause)}); install ${pkg} next to @converge/reporters or build the report without interactive`,
    { cause },
  );
}

let bundleCache: Promise<string[]> | undefined;

/** The three bundles' sources, made safe to inline (read once per process). */
export function vegaBundles(): Promise<string[]> {
  bundleCache ??= Promise.all(
    BUNDLES.map(async ({ pkg, file }) => {
      const path = packageFile(pkg, file);
      try {
        return scriptSafeSource(await readFile(path, "utf8"));
      } catch (error) {
        throw missingBundle(pkg, error);
      }
    }),
  ).catch((error: unknown) => {
    bundleCache = undefined;
    throw error;
  });
  return bundleCache;
}

/**
 * Embeds every `figure[data-spec]` chart: parses the spec from its JSON data
 * block, widens or narrows a single view's plot, or the panels of a
 * small-multiples chart (fewer columns on a phone: none narrower than about
 * 240 px), so that the chart is laid out at the width of its box rather than
 * stretched by CSS, draws it with vega-embed (canvas renderer, no actions menu, CSP-safe
 * expression interpreter) and hides the static SVG on success; on failure the
 * static SVG stays and the figure gets `data-embed="static"` with the error in
 * `data-embed-error`. The document element's `data-embed` becomes "done",
 * "partial" or "unavailable" when all charts are settled.
 */
export const EMBED_SCRIPT = `(function () {
  "use strict";
  var root = document.documentElement;
  var figures = document.querySelectorAll("figure[data-spec]");
  var embed = window.vegaEmbed;
  if (typeof embed !== "function") { root.setAttribute("data-embed", "unavailable"); return; }
  var pending = figures.length;
  var failed = 0;
  if (pending === 0) { root.setAttribute("data-embed", "done"); return; }
  function fitWidth(spec, body) {
    var svg = body.querySelector("svg");
    var drawn = svg ? Number(svg.getAttribute("width")) : 0;
    var room = body.clientWidth;
    if (!(drawn > 0) || !(room > 0)) return;
    if (typeof spec.width === "number") {
      spec.width = Math.max(120, Math.round(spec.width + room - drawn));
      return;
    }
    var panels = spec.concat;
    var columns = spec.columns;
    if (!Array.isArray(panels) || typeof columns !== "number" || typeof (panels[0] || {}).width !== "number") return;
    var around = drawn / Math.min(columns, panels.length) - panels[0].width;
    var fit = Math.max(1, Math.min(columns, panels.length, Math.floor(room / (around + 240))));
    var width = Math.max(120, Math.floor(room / fit - around));
    spec.columns = fit;
    panels.forEach(function (panel) { if (typeof panel.width === "number") panel.width = width; });
  }
  function settle() { pending -= 1; if (pending === 0) root.setAttribute("data-embed", failed ? "partial" : "done"); }
  Array.prototype.forEach.call(figures, function (figure) {
    var body = figure.querySelector(".chart-body");
    var target = document.createElement("div");
    target.className = "chart-live";
    function fail(error) {
      failed += 1;
      if (target.parentNode) target.parentNode.removeChild(target);
      figure.setAttribute("data-embed", "static");
      figure.setAttribute("data-embed-error", String((error && error.message) || error));
      settle();
    }
    try {
      var source = document.getElementById(figure.getAttribute("data-spec"));
      var spec = JSON.parse(source.textContent);
      fitWidth(spec, body);
      body.appendChild(target);
      embed(target, spec, {
        mode: "vega-lite", renderer: "canvas", actions: false, ast: true,
        defaultStyle: false, tooltip: { disableDefaultStyle: true }
      }).then(function () {
        figure.classList.add("live");
        figure.setAttribute("data-embed", "live");
        settle();
      }, fail);
    } catch (error) { fail(error); }
  });
})();`;
