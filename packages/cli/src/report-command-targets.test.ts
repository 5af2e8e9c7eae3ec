/**
 * Where `converge report -o` writes: stdout (`-o -`), a FIFO with a reader,
 * a character device and a link to one (made with mknod inside the test's
 * own temp folder; we run as root), and a Markdown chart directory that is
 * in the way. Status lines never mix into a report on stdout or in a device.
 */
import { execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { deserializeRecord, ExperimentMetaSchema, type ReportExperiment } from "@converge/core";
import {
  type ChartEngine,
  chartsFor,
  comparisonCharts,
  renderMarkdownReport,
  renderSvg,
} from "@converge/reporters";
import { afterAll, describe, expect, it } from "vitest";
import { createContext } from "./context.js";
import { reportRenderOptions } from "./report-action.js";
import {
  removeTempDirs,
  runCli,
  runCliAsync,
  SAMPLE_LOG,
  tempDir,
} from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const SAMPLE_ID = "exp_20260118_143022";

/** A character device with the numbers of /dev/null (1, 3), made inside `dir`. */
function nullDevice(dir: string): string {
  const path = join(dir, "null");
  execFileSync("mknod", [path, "c", "1", "3"]);
  return path;
}

describe("converge report -o -", () => {
  it("HTML: the document alone on stdout, the status on stderr, no file written", () => {
    const cwd = tempDir();
    const { code, stdout, stderr } = runCli(["report", SAMPLE_LOG, "-o", "-"], { cwd });
    expect(code).toBe(0);
    expect(stdout.startsWith("<!doctype html>\n")).toBe(true);
    expect(stdout.endsWith("</html>\n")).toBe(true);
    expect(stdout).toContain(SAMPLE_ID);
    expect(stdout).not.toContain("Wrote");
    expect(stderr).toMatch(/^Wrote the report to stdout \(\d+ KB, 1 experiment\)\.\n$/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("Markdown: the document on stdout without charts, and a note on stderr saying why", () => {
    const cwd = tempDir();
    const { code, stdout, stderr } = runCli(["report", SAMPLE_LOG, "--format", "md", "-o", "-"], {
      cwd,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# /);
    expect(stdout).toContain(`Experiment \`${SAMPLE_ID}\``);
    expect(stdout).not.toContain(".svg");
    expect(stderr).toContain("note: the charts were omitted");
    expect(stderr).toContain("Give -o FILE.md");
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe("converge report -o into a FIFO or a device", () => {
  it("writes into a FIFO while a reader reads it, and the FIFO stays a FIFO", async () => {
    const dir = tempDir();
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const received = join(dir, "received.html");
    const out = openSync(received, "w");
    // The reader copies into a file, so nothing waits on this process to drain a pipe.
    const reader = spawn("cat", [fifo], { stdio: ["ignore", out, "inherit"] });
    const readerDone = new Promise<number | null>((resolve) => reader.on("close", resolve));
    const { code, stdout, stderr } = await runCliAsync(["report", SAMPLE_LOG, "-o", fifo]);
    expect(await readerDone).toBe(0);
    closeSync(out);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain(`Wrote ${fifo} (`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const html = readFileSync(received, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.endsWith("</html>\n")).toBe(true);
  });

  it("writes into a character device in place: exit 0 and it is still that device", () => {
    const dir = tempDir();
    const device = nullDevice(dir);
    const before = statSync(device);
    const html = runCli(["report", SAMPLE_LOG, "-o", device]);
    expect(html.code).toBe(0);
    expect(html.stdout).toBe("");
    expect(html.stderr).toContain(`Wrote ${device} (`);
    const md = runCli(["report", SAMPLE_LOG, "--format", "md", "-o", device]);
    expect(md.code).toBe(0);
    expect(md.stderr).toContain(`note: the charts were omitted: ${device} is no regular file`);
    const after = lstatSync(device);
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.rdev).toBe(before.rdev);
    // No chart directory and no temporary file was left beside it.
    expect(readdirSync(dir)).toEqual(["null"]);
  });

  it("writes through a link to a character device: the link and the device stay", () => {
    const dir = tempDir();
    const device = nullDevice(dir);
    const link = join(dir, "link");
    symlinkSync(device, link);
    const { code, stdout } = runCli(["report", SAMPLE_LOG, "-o", link]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["link", "null"]);
  });
});

describe("converge report --format md: the chart directory in the way", () => {
  it("a regular file named <name>-charts: exit 1, said with a fix, the file untouched", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "REPORT-charts"), "mine");
    const { code, stderr } = runCli([
      "report",
      SAMPLE_LOG,
      "--format",
      "md",
      "-o",
      join(dir, "REPORT.md"),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${join(dir, "REPORT-charts")} exists and is not a directory`);
    expect(stderr).toMatch(/move or remove .*REPORT-charts/);
    expect(readFileSync(join(dir, "REPORT-charts"), "utf8")).toBe("mine");
    expect(existsSync(join(dir, "REPORT.md"))).toBe(false);
  });

  it("a symbolic link named <name>-charts: exit 1, said with a fix, nothing written through it", () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(dir, "REPORT-charts"));
    const { code, stderr } = runCli([
      "report",
      SAMPLE_LOG,
      "--format",
      "md",
      "-o",
      join(dir, "REPORT.md"),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${join(dir, "REPORT-charts")} is a symbolic link`);
    expect(stderr).toContain(`rm ${join(dir, "REPORT-charts")}`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("a chart directory that is a real directory is written into as before", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "REPORT-charts"));
    const { code, stdout } = runCli([
      "report",
      SAMPLE_LOG,
      "--format",
      "md",
      "-o",
      join(dir, "REPORT.md"),
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Wrote .*REPORT\.md and \d+ chart file\(s\) beside it\.\n$/);
    expect(readdirSync(join(dir, "REPORT-charts")).length).toBeGreaterThan(0);
  });
});

describe("reportRenderOptions", () => {
  it("says each chart that could not be drawn on stderr as a warning", async () => {
    const lines = readFileSync(SAMPLE_LOG, "utf8").trim().split("\n");
    const experiment: ReportExperiment = {
      meta: ExperimentMetaSchema.parse({ experiment_id: SAMPLE_ID }),
      records: lines.map((line) => deserializeRecord(line)),
    };
    // The package's own charts, but one of them cannot be drawn: a real engine, as a plugin could be.
    let calls = 0;
    const engine: ChartEngine = {
      chartsFor: (x) => chartsFor(x),
      comparisonCharts: (xs) => comparisonCharts(xs),
      renderSvg: async (spec) => {
        if (calls++ === 0) throw new Error("no room to draw this chart");
        return renderSvg(spec as Parameters<typeof renderSvg>[0]);
      },
    };
    let stderr = "";
    const ctx = createContext({
      stdout: { write: () => true },
      stderr: {
        write: (text: string) => {
          stderr += text;
          return true;
        },
      },
      env: {},
      cwd: tempDir(),
    });
    const { markdown } = await renderMarkdownReport(experiment, {
      ...reportRenderOptions(ctx, "Review"),
      chartEngine: engine,
    });
    expect(markdown.startsWith("# Review")).toBe(true);
    expect(markdown).toContain("could not be drawn");
    expect(stderr).toMatch(/^warning: .*could not be drawn: no room to draw this chart\n$/);
  });
});
