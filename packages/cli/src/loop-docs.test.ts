/**
 * docs/loop.md's complete example runs: its loop file is the example's, and
 * its command, run through the built CLI against a copy of
 * examples/python-backtest, ends in SUCCESS with the records, meta and report
 * written where the page says.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, runCli, tempDir } from "./test-fixtures/run-cli.js";

const ROOT = join(import.meta.dirname, "../../..");
const PAGE = readFileSync(join(ROOT, "docs/loop.md"), "utf8");

/** The fenced blocks of a language, in order. */
function blocks(lang: string): string[] {
  return [...PAGE.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].map(
    (m) => m[1] ?? "",
  );
}

afterAll(removeTempDirs);

describe("docs/loop.md", () => {
  it("shows the example's loop.json as it is", () => {
    const file = readFileSync(join(ROOT, "examples/python-backtest/loop.json"), "utf8");
    expect(blocks("json")).toContain(file);
  });

  it("its command runs the example to SUCCESS and writes the records, meta and report", () => {
    const command = blocks("sh")
      .flatMap((b) => b.split("\n"))
      .find((line) => line.includes("converge loop"));
    expect(command).toBe("pnpm -s converge loop examples/python-backtest/loop.json");
    const args = (command ?? "").replace(/^pnpm -s converge /, "").split(" ");
    // A copy, so the test writes nothing into the repository.
    const root = tempDir("converge-loop-docs-");
    cpSync(join(ROOT, "examples/python-backtest"), join(root, "examples/python-backtest"), {
      recursive: true,
      filter: (src) => !src.includes("experiments"),
    });
    const r = runCli(args, { cwd: root, timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("status          SUCCESS: the gate passed at iteration 4");
    // The live lines the page shows, up to the experiment id.
    const shown = blocks("text").find((b) => b.includes("[ 1/12]")) ?? "";
    const lines = (s: string) => s.split("\n").filter((l) => /^\[|^ {9}\S/.test(l));
    expect(lines(shown)).toHaveLength(8);
    expect(lines(r.stdout)).toEqual(lines(shown));
    const dir = join(root, "examples/python-backtest/experiments");
    const files = readdirSync(dir).sort();
    expect(files.map((f) => f.replace(/^loop_\d{8}_\d{6}_\d{3}/, "ID"))).toEqual([
      "ID.html",
      "ID.jsonl",
      "ID.meta.json",
    ]);
    const log = files.find((f) => f.endsWith(".jsonl")) ?? "";
    expect(readFileSync(join(dir, log), "utf8").trim().split("\n")).toHaveLength(4);
    expect(existsSync(join(dir, log.replace(".jsonl", ".html")))).toBe(true);
  });
});
