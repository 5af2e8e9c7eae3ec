/**
 * Writing the Markdown report with its charts beside it, in
 * `<name>-charts/`. That directory is the report's own: the charts are
 * written only into a real directory there, never through a symbolic link
 * (to the directory or to a chart file in it).
 */
import { lstat, mkdir, readlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { ReportExperiment } from "@converge/core";
import { ReportWriteError } from "../errors.js";
import { outputTarget, writeFileAtomic } from "../write-file.js";
import { type MarkdownReportOptions, renderMarkdownReport } from "./render.js";

/** Options of {@link writeMarkdownReport}: those of `renderMarkdownReport` but where the charts go. */
export type WriteMarkdownOptions = Omit<MarkdownReportOptions, "chartDir" | "charts">;

/** Makes sure `dir` is a real directory (creating it when missing), or says what is in the way. */
async function chartDirectory(dir: string, document: string): Promise<void> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new ReportWriteError(
        `could not write the charts of ${document} into ${dir}: ${String(error)}`,
        { path: dir, code: (error as NodeJS.ErrnoException).code, cause: error },
      );
    }
    await mkdir(dirname(dir), { recursive: true });
    await mkdir(dir);
    return;
  }
  if (stats.isSymbolicLink()) {
    const to = await readlink(dir).catch(() => "somewhere else");
    throw new ReportWriteError(
      `could not write the charts of ${document}: ${dir} is a symbolic link (to ${to}), and the charts are only written into a real directory beside the report; remove the link (rm ${dir}) or write the report under another name`,
      { path: dir },
    );
  }
  if (!stats.isDirectory()) {
    throw new ReportWriteError(
      `could not write the charts of ${document}: ${dir} exists and is not a directory, and the charts go there; move or remove ${dir}, or write the report under another name`,
      { path: dir },
    );
  }
}

/**
 * Renders the Markdown report and writes it to `path`, with its charts as SVG
 * files in `<name>-charts/` beside it (`report.md` → `report-charts/*.svg`).
 * Every file is written atomically; the charts first, so the document never
 * links a chart that is not there yet.
 *
 * `path` is written as `writeFileAtomic` writes: a device or FIFO
 * (`/dev/stdout`) in place, and then without charts (a one-line note stands
 * for them, since no file can sit beside a stream). `<name>-charts` must be a
 * directory or missing: a symbolic link there, or a link in place of a chart
 * file, is refused, never written through.
 *
 * @returns the paths written, the Markdown file last
 * @throws ReportWriteError naming the path and the fix when `path` or the chart directory cannot be written
 */
export async function writeMarkdownReport(
  experiments: ReportExperiment | readonly ReportExperiment[],
  path: string,
  options: WriteMarkdownOptions = {},
): Promise<string[]> {
  let target: Awaited<ReturnType<typeof outputTarget>>;
  try {
    target = await outputTarget(path);
  } catch {
    // Not examinable (a missing parent, no permission): writeFileAtomic says why below.
    target = { kind: "missing" };
  }
  if (target.kind === "refused") {
    throw new ReportWriteError(`could not write ${path}: ${target.reason}`, { path });
  }
  const toFile = target.kind === "missing" || target.kind === "file";
  const chartDir = `${basename(path).replace(/\.(md|markdown)$/i, "")}-charts`;
  const report = await renderMarkdownReport(experiments, {
    ...options,
    chartDir,
    charts: toFile ? "files" : "omit",
  });
  const written: string[] = [];
  const entries = Object.entries(report.files);
  if (entries.length > 0) {
    await chartDirectory(join(dirname(path), chartDir), path);
    for (const [relative, svg] of entries) {
      const file = join(dirname(path), relative);
      await writeFileAtomic(file, svg, { mkdirs: false, noFollow: true });
      written.push(file);
    }
  }
  await writeFileAtomic(path, report.markdown);
  written.push(path);
  return written;
}
