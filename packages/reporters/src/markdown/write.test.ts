import { execFileSync } from "node:child_process";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeChartEngine } from "../test-fixtures/fake-charts.js";
import { sampleExperiment } from "../test-fixtures/sample.js";
import { writeMarkdownReport } from "./write.js";

const engine = fakeChartEngine();

describe("writeMarkdownReport: the chart directory is the report's own", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "converge-md-write-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a <name>-charts that is a symbolic link, and writes nothing through it", async () => {
    const elsewhere = join(dir, "elsewhere");
    await mkdir(elsewhere);
    await symlink(elsewhere, join(dir, "linked-charts"));
    await expect(
      writeMarkdownReport(sampleExperiment(), join(dir, "linked.md"), { chartEngine: engine }),
    ).rejects.toThrow(
      /could not write the charts of .*linked\.md: .*linked-charts is a symbolic link \(to .*elsewhere\).*remove the link \(rm .*linked-charts\) or write the report under another name/,
    );
    expect(await readdir(elsewhere)).toEqual([]);
    expect((await readdir(dir)).includes("linked.md")).toBe(false);
  });

  it("refuses a symbolic link in place of a chart file instead of writing through it", async () => {
    const victim = join(dir, "victim.txt");
    await writeFile(victim, "precious");
    await mkdir(join(dir, "trap-charts"));
    await symlink(victim, join(dir, "trap-charts", "gate-score.svg"));
    await expect(
      writeMarkdownReport(sampleExperiment(), join(dir, "trap.md"), { chartEngine: engine }),
    ).rejects.toThrow(
      /could not write .*trap-charts\/gate-score\.svg: it is a symbolic link, .*remove .*gate-score\.svg and write the report again/,
    );
    expect(await readFile(victim, "utf8")).toBe("precious");
    expect((await lstat(join(dir, "trap-charts", "gate-score.svg"))).isSymbolicLink()).toBe(true);
  });

  it("says what to do when a regular file stands where the chart directory goes", async () => {
    await writeFile(join(dir, "blocked-charts"), "a file");
    await expect(
      writeMarkdownReport(sampleExperiment(), join(dir, "blocked.md"), { chartEngine: engine }),
    ).rejects.toThrow(
      /could not write the charts of .*blocked\.md: .*blocked-charts exists and is not a directory, and the charts go there; move or remove .*blocked-charts, or write the report under another name/,
    );
    expect(await readFile(join(dir, "blocked-charts"), "utf8")).toBe("a file");
  });

  it("reuses its existing chart directory and creates missing parents", async () => {
    const path = join(dir, "deep", "er", "again.md");
    await writeMarkdownReport(sampleExperiment(), path, { chartEngine: engine });
    const written = await writeMarkdownReport(sampleExperiment(), path, { chartEngine: engine });
    expect(written.map((p) => p.slice(dir.length))).toEqual([
      "/deep/er/again-charts/gate-score.svg",
      "/deep/er/again-charts/metrics.svg",
      "/deep/er/again.md",
    ]);
  });

  it("writes into a device node in place, without charts and without a chart directory", async () => {
    const node = join(dir, "out");
    execFileSync("mknod", [node, "c", "1", "3"]);
    const written = await writeMarkdownReport(sampleExperiment(), node, { chartEngine: engine });
    expect(written).toEqual([node]);
    expect((await lstat(node)).isCharacterDevice()).toBe(true);
    expect((await readdir(dir)).includes("out-charts")).toBe(false);
  });

  it("refuses a directory as the report path before writing any chart", async () => {
    const target = join(dir, "adir.md");
    await mkdir(target);
    await expect(
      writeMarkdownReport(sampleExperiment(), target, { chartEngine: engine }),
    ).rejects.toThrow(/could not write .*adir\.md: it is a directory \(EISDIR\); give a file name/);
    expect((await readdir(dir)).includes("adir-charts")).toBe(false);
  });
});
