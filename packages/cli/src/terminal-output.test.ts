import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Advice } from "@converge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderAdvice } from "./advise-action.js";
import { createContext } from "./context.js";
import { createStyle } from "./style.js";
import {
  CLEAR,
  captureIo,
  ESCAPED,
  HOSTILE_METRIC,
  HOSTILE_PARAM,
  OSC52,
  RAW_UNSAFE,
  RLO,
  runMain,
  TITLE,
  withoutColour,
  writeHostileLog,
  ZWSP,
} from "./test-fixtures/capture-io.js";
import { removeTempDirs, tempDir } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

/** Every hostile piece of the log, in its escaped form. */
const ALL_ESCAPED = [
  ESCAPED.osc52,
  ESCAPED.title,
  ESCAPED.clear,
  ESCAPED.cr,
  ESCAPED.rlo,
  ESCAPED.zwsp,
];

/** Asserts that no control or invisible character is in `text` (colour codes removed first). */
function expectClean(text: string, colour = false): void {
  const plain = colour ? withoutColour(text) : text;
  const raw = RAW_UNSAFE.exec(plain);
  expect(raw === null ? null : `U+${raw[0].codePointAt(0)?.toString(16)} at ${raw.index}`).toBe(
    null,
  );
}

let dir: string;
let log: string;
beforeAll(() => {
  dir = tempDir();
  log = writeHostileLog(dir);
});

describe("converge show with hostile records", () => {
  it("escapes every control and invisible character from the records, and no row is forged", async () => {
    const { code, stdout, stderr } = await runMain(["show", log], dir);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expectClean(stdout);
    for (const escaped of ALL_ESCAPED) expect(stdout).toContain(escaped);
    // The directive is one line, shown escaped.
    expect(stdout).toContain(
      String.raw`Find \x1b]52;c;aGFja2Vk\x07alpha\x1b]0;pwned\x07\x1b[2J\rbeta\u202egamma\u200b`,
    );
    // The newline in iteration 1's action stays in its cell: no row for "99".
    const lines = stdout.split("\n");
    expect(lines.filter((l) => /^\s+99\s/.test(l))).toEqual([]);
    const row1 = lines.find((l) => /^\s+1\s+0\.400/.test(l));
    expect(row1).toContain(String.raw`TUNE\n  99  1.000  yes  FORGED`);
    // Metric and parameter names are column headers, escaped too.
    expect(stdout).toContain(String.raw`sharpe\x1b]0;pwned\x07`);
    expect(stdout).toContain(String.raw`size\u202e`);
  });

  it("keeps its own colours on a colour terminal and still escapes the records", async () => {
    const { code, stdout } = await runMain(["show", log], dir, {
      env: { FORCE_COLOR: "1" },
      tty: true,
    });
    expect(code).toBe(0);
    expect(stdout).toContain("\u001b[1mexp_hostile\u001b[22m");
    expectClean(stdout, true);
    for (const escaped of ALL_ESCAPED) expect(stdout).toContain(escaped);
  });

  it("--json is valid JSON with the text intact, every control and invisible character as \\u escapes", async () => {
    const { code, stdout } = await runMain(["show", log, "--json"], dir);
    expect(code).toBe(0);
    expectClean(stdout);
    expect(stdout).toContain(String.raw`\u202e`);
    expect(stdout).toContain(String.raw`\u200b`);
    expect(stdout).toContain(String.raw`\u001b]52;c;aGFja2Vk\u0007`);
    const out = JSON.parse(stdout) as {
      records: { research_directive: string; parameters: Record<string, unknown> }[];
    };
    expect(out.records).toHaveLength(4);
    expect(out.records[0]?.research_directive).toBe(
      `Find ${OSC52}alpha${TITLE}${CLEAR}\rbeta${RLO}gamma${ZWSP}`,
    );
    expect(Object.keys(out.records[0]?.parameters ?? {})).toContain(HOSTILE_PARAM);
  });
});

describe("converge list, analyze and advise with hostile records", () => {
  let store: string;
  beforeAll(() => {
    store = join(dir, "store");
    mkdirSync(store);
    writeHostileLog(store);
    // A file whose name is not an experiment id: the store skips it with a notice naming it.
    writeFileSync(join(store, `bad${TITLE}\n.jsonl`), "");
  });

  it("list escapes the directive in its table and the file name in the notice", async () => {
    const { code, stdout, stderr } = await runMain(["list", "--store", store], dir);
    expect(code).toBe(0);
    expectClean(stdout);
    expectClean(stderr);
    expect(stdout).toMatch(/^exp_hostile\s+IN_PROGRESS\s+4\s/m);
    expect(stdout).toContain(String.raw`Find \x1b]52;c;aGFja2Vk\x07alpha`);
    // The notice about the odd file is one line on stderr, its name escaped.
    const warnings = stderr.split("\n").filter((l) => l.startsWith("warning:"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(String.raw`bad\x1b]0;pwned\x07\n.jsonl`);
  });

  it("list --json keeps the directive exact and escapes it for the terminal", async () => {
    const { code, stdout } = await runMain(["list", "--store", store, "--json"], dir);
    expect(code).toBe(0);
    expectClean(stdout);
    const [entry] = JSON.parse(stdout) as { directive: string }[];
    expect(entry?.directive).toBe(`Find ${OSC52}alpha${TITLE}${CLEAR}\rbeta${RLO}gamma${ZWSP}`);
  });

  it("analyze escapes metric and parameter names in its header and tables", async () => {
    const { code, stdout, stderr } = await runMain(["analyze", log], dir);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expectClean(stdout);
    expect(stdout).toMatch(/^Experiment\s+exp_hostile$/m);
    expect(stdout).toContain(String.raw`sharpe\x1b]0;pwned\x07`);
    expect(stdout).toContain(String.raw`size\u202e`);
  });

  it("analyze --json is one valid line per experiment with the names intact", async () => {
    const { code, stdout } = await runMain(["analyze", log, "--json"], dir);
    expect(code).toBe(0);
    expectClean(stdout);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const analysis = JSON.parse(lines[0] ?? "") as { metric_trends: Record<string, unknown> };
    expect(Object.keys(analysis.metric_trends)).toContain(HOSTILE_METRIC);
  });

  it("advise escapes what the advisor quotes from the records", async () => {
    const { code, stdout, stderr } = await runMain(["advise", log], dir, {
      env: { FORCE_COLOR: "1" },
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expectClean(stdout, true);
    expect(stdout).toMatch(/Next action/);
    // The rule advisor names the metric and the parameter in its findings and advice.
    expect(stdout).toContain(String.raw`sharpe\x1b]0;pwned\x07`);
    expect(stdout).toContain(String.raw`size\u202e`);
  });

  it("advise --json is valid JSON and clean", async () => {
    const { code, stdout } = await runMain(["advise", log, "--json"], dir);
    expect(code).toBe(0);
    expectClean(stdout);
    expect((JSON.parse(stdout) as { experiment_id: string }).experiment_id).toBe("exp_hostile");
  });
});

describe("advisor text and messages that quote data", () => {
  const hostileAdvice: Advice = {
    source: `llm:openai/gpt${OSC52}`,
    model: `openai/gpt${TITLE}`,
    assessment: {
      convergence_assessment: "STAGNANT",
      gradient_effectiveness: "MIXED",
      likelihood_of_success: "LOW",
      estimated_iterations_needed: 3,
      key_findings: [`finding ${CLEAR}one\nforged line`],
      parameter_recommendations: { [`lr${RLO}`]: `INCREASE ${ZWSP}to 0.1\r` },
      next_action: "PIVOT",
      specific_recommendations: [`do ${TITLE}this`],
      confidence: 0.5,
      reasoning: `because\u2028${OSC52}`,
    },
  };

  it("renderAdvice escapes an LLM's answer before styling it", () => {
    const io = captureIo(dir, { env: { FORCE_COLOR: "1" }, tty: true });
    const ctx = createContext(io);
    for (const line of renderAdvice("exp_1", hostileAdvice, ctx.style)) ctx.out(line);
    const stdout = io.stdout.text();
    expectClean(stdout, true);
    expect(stdout).toContain("\u001b[33m\u001b[1mPIVOT\u001b[22m\u001b[39m");
    expect(stdout).toContain(String.raw`finding \x1b[2Jone\nforged line`);
    expect(stdout).toContain(String.raw`lr\u202e`);
    expect(stdout).toContain(String.raw`because\u2028\x1b]52;c;aGFja2Vk\x07`);
    expect(stdout).toContain(String.raw`do \x1b]0;pwned\x07this`);
  });

  it("the line writers escape what a renderer missed, but keep the CLI's colour codes", () => {
    const io = captureIo(dir, { env: { FORCE_COLOR: "1" }, tty: true });
    const ctx = createContext(io);
    ctx.out(`${ctx.style.green("ok")} ${OSC52}\nforged`);
    ctx.err(`error: ${TITLE}\nFix: ${CLEAR}`);
    expect(io.stdout.text()).toBe(
      `\u001b[32mok\u001b[39m ${String.raw`\x1b]52;c;aGFja2Vk\x07\nforged`}\n`,
    );
    // stderr keeps the line break of a message and its "Fix:" line; nothing else.
    expect(io.stderr.text()).toBe(`${String.raw`error: \x1b]0;pwned\x07`}\nFix: \\x1b[2J\n`);
  });

  it("without colour, even the CLI's own colour codes cannot pass: a record cannot fake them", () => {
    const io = captureIo(dir);
    const ctx = createContext(io);
    ctx.out(`${createStyle(true).red("red")} plain`);
    expect(io.stdout.text()).toBe(`${String.raw`\x1b[31mred\x1b[39m plain`}\n`);
  });

  it("a notice is one line, its message escaped", () => {
    const io = captureIo(dir);
    createContext(io).notice({
      kind: "skipped-line",
      experimentId: "exp_1",
      message: `line 2: bad ${TITLE}\nwarning: forged`,
    });
    expect(io.stderr.text()).toBe(
      `warning: line 2: bad ${String.raw`\x1b]0;pwned\x07\nwarning: forged`}\n`,
    );
  });

  it("an error quoting a hostile file name prints it escaped", async () => {
    const name = `exp${TITLE}${RLO}.jsonl`;
    writeFileSync(join(dir, name), "");
    const { code, stderr } = await runMain(["show", `./${name}`], dir);
    expect(code).toBe(2);
    expectClean(stderr);
    expect(stderr).toContain(String.raw`exp\x1b]0;pwned\x07\u202e.jsonl`);
  });
});
