import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStyle, UsageError } from "@converge/cli";
import { parseRecord } from "@converge/core";
import { describe, expect, it } from "vitest";
import { describeMoves, formatIteration } from "./progress.js";
import {
  DemoUsageError,
  experimentIdFor,
  reportPathFor,
  resolveAdvisor,
  resolveStore,
  wholeNumber,
} from "./setup.js";
import { shellWord, storeArguments } from "./summary.js";

describe("resolveStore: the converge CLI's rules", () => {
  const cwd = "/home/me/work";

  it("defaults to jsonl:./experiments under the working directory", () => {
    const s = resolveStore(undefined, {}, cwd);
    expect(s).toMatchObject({ kind: "jsonl", dir: "/home/me/work/experiments" });
    expect(s.uri).toBe("jsonl:/home/me/work/experiments");
  });

  it("takes jsonl:DIR, a plain directory, and mlflow+http URIs", () => {
    expect(resolveStore("jsonl:runs", {}, cwd)).toMatchObject({ dir: "/home/me/work/runs" });
    expect(resolveStore("/tmp/x", {}, cwd)).toMatchObject({ kind: "jsonl", dir: "/tmp/x" });
    expect(resolveStore("mlflow+http://127.0.0.1:5000", {}, cwd)).toMatchObject({
      kind: "mlflow",
      trackingUri: "http://127.0.0.1:5000",
      experimentName: "converge",
    });
    expect(() => resolveStore("s3://bucket", {}, cwd)).toThrow(/not available/);
  });

  it("uses MLFLOW_TRACKING_URI (and MLFLOW_EXPERIMENT_NAME) when --store is not given", () => {
    const env = { MLFLOW_TRACKING_URI: "http://mlflow:5000", MLFLOW_EXPERIMENT_NAME: "demo" };
    expect(resolveStore(undefined, env, cwd)).toMatchObject({
      kind: "mlflow",
      trackingUri: "http://mlflow:5000",
      experimentName: "demo",
    });
    expect(resolveStore("jsonl:x", env, cwd)).toMatchObject({ kind: "jsonl" });
  });
});

describe("resolveStore: MLflow URIs that are no HTTP server are refused, never a folder", () => {
  const fix = /run `mlflow server`.*mlflow\+http:\/\/HOST:PORT.*--store jsonl:DIR/;

  it("refuses $MLFLOW_TRACKING_URI=databricks, ./mlruns, file:, sqlite:, postgresql: and uc:", () => {
    const cwd = mkdtempSync(join(tmpdir(), "converge-demo-setup-"));
    try {
      for (const value of [
        "databricks",
        "databricks://profile",
        "./mlruns",
        "file:./mlruns",
        "sqlite:///x.db",
        "postgresql://db/mlflow",
        "uc:catalog",
      ]) {
        const attempt = () => resolveStore(undefined, { MLFLOW_TRACKING_URI: value }, cwd);
        expect(attempt).toThrow(UsageError);
        expect(attempt).toThrow(`$MLFLOW_TRACKING_URI is "${value}"`);
        expect(attempt).toThrow(fix);
      }
      // Nothing was made in the working directory (the old reading made ./mlflow+databricks).
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("refuses --store databricks (no such directory), mlflow+databricks and foo:bar, naming --store", () => {
    const cwd = mkdtempSync(join(tmpdir(), "converge-demo-setup-"));
    try {
      expect(() => resolveStore("databricks", {}, cwd)).toThrow('--store is "databricks"');
      expect(() => resolveStore("mlflow+databricks", {}, cwd)).toThrow(fix);
      expect(() => resolveStore("sqlite:///x.db", { CONVERGE_STORE: "jsonl:y" }, cwd)).toThrow(
        "--store is",
      );
      expect(() => resolveStore(undefined, { CONVERGE_STORE: "foo:bar" }, cwd)).toThrow(
        /\(scheme "foo", from \$CONVERGE_STORE\).*Supported schemes: jsonl:, mlflow\+http:\/\/, mlflow\+https:\/\//,
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("echoes no query value or password of the URI", () => {
    const secret = "demo-s3cr3t-sentinel";
    for (const [option, env] of [
      [`mlflow+http://h:1/?token=${secret}`, {}],
      [undefined, { MLFLOW_TRACKING_URI: `databricks://p?token=${secret}` }],
      [undefined, { MLFLOW_TRACKING_URI: `postgresql://u:${secret}@db/m` }],
      [`s3://b?token=${secret}`, {}],
    ] as const) {
      let message = "";
      try {
        resolveStore(option, env, "/");
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain("***");
      expect(message).not.toContain(secret);
    }
  });
});

describe("resolveAdvisor", () => {
  it("rule without keys; an LLM when its key is set (OpenAI first); --advisor wins", () => {
    expect(resolveAdvisor(undefined, undefined, {})).toEqual({ advisor: "rule", model: null });
    expect(resolveAdvisor(undefined, undefined, { ANTHROPIC_API_KEY: "k" })).toEqual({
      advisor: "anthropic",
      model: "claude-sonnet-5-5",
    });
    const both = { OPENAI_API_KEY: "k", ANTHROPIC_API_KEY: "k" };
    expect(resolveAdvisor(undefined, undefined, both)).toEqual({
      advisor: "openai",
      model: "gpt-4.1",
    });
    expect(resolveAdvisor("rule", undefined, both).advisor).toBe("rule");
    expect(resolveAdvisor("openai", "gpt-4.1-mini", both).model).toBe("gpt-4.1-mini");
  });

  it("an LLM named without its key, --model without an LLM, or an unknown advisor are usage errors", () => {
    expect(() => resolveAdvisor("openai", undefined, {})).toThrow(/OPENAI_API_KEY/);
    expect(() => resolveAdvisor("rule", "gpt-4.1", {})).toThrow(DemoUsageError);
    expect(() => resolveAdvisor("oracle", undefined, {})).toThrow(/one of rule, openai, anthropic/);
    // A base URL alone is not enough (the adapter would fail every call): a placeholder key is.
    expect(() => resolveAdvisor("openai", "llama3.1", { OPENAI_BASE_URL: "http://x/v1" })).toThrow(
      /OPENAI_API_KEY=local/,
    );
    const local = { OPENAI_BASE_URL: "http://x/v1", OPENAI_API_KEY: "local" };
    expect(resolveAdvisor("openai", "llama3.1", local).model).toBe("llama3.1");
  });
});

describe("names and paths", () => {
  it("the experiment id carries the seed and the UTC time", () => {
    expect(experimentIdFor(43, new Date("2026-02-01T10:15:00.123Z"))).toBe(
      "demo_seed43_20260201_101500_123",
    );
  });

  it("the report goes beside a JSONL log, into the working directory for MLflow, or where asked", () => {
    const jsonl = resolveStore("jsonl:/data/runs", {}, "/w");
    const mlflow = resolveStore("mlflow+http://h:5000", {}, "/w");
    expect(reportPathFor(undefined, jsonl, "e1", "/w")).toBe("/data/runs/e1.html");
    expect(reportPathFor(undefined, mlflow, "e1", "/w")).toBe("/w/e1.html");
    expect(reportPathFor("out/r.html", jsonl, "e1", "/w")).toBe("/w/out/r.html");
  });

  it("store arguments for the converge commands, quoted for a shell when needed", () => {
    expect(storeArguments(resolveStore("jsonl:/a b", {}, "/"))).toBe("--store 'jsonl:/a b'");
    expect(
      storeArguments(resolveStore("mlflow+http://h:5000", { MLFLOW_EXPERIMENT_NAME: "x" }, "/")),
    ).toBe("--store mlflow+http://h:5000 --mlflow-experiment x");
    expect(shellWord("it's")).toBe("'it'\\''s'");
  });

  it("whole numbers only", () => {
    expect(wholeNumber("--seed", "42", 0)).toBe(42);
    for (const bad of ["4.2", "-1", "x", ""]) expect(() => wholeNumber("--seed", bad, 0)).toThrow();
  });
});

describe("the live line", () => {
  const record = parseRecord({
    experiment_id: "e",
    iteration: 3,
    parameters: { lookback: 42 },
    parameter_changes: { lookback: { from: 18, to: 42 } },
    metrics: { sharpe_ratio: 0.77, max_drawdown: 0.222, win_rate: Number.NaN },
    gate_score: 0.875,
    gate_passed: false,
    action_taken: "REFINE",
  });

  it("shows metrics, gate score, verdict, action and the move (no colour when off)", () => {
    const line = formatIteration(record, null, 15, createStyle(false), {
      base: 2,
      moves: [{ parameter: "lookback", from: 18, to: 42, because: "sharpe_ratio fails" }],
    });
    expect(line).toBe(
      "[ 3/15]  sharpe  0.77  mdd  22.2%  win    n/a  gate 0.875  FAIL → REFINE\n" +
        "         lookback 18 → 42 from #2 (sharpe_ratio fails)",
    );
    expect(formatIteration(record, null, 15, createStyle(false))).toContain("lookback 18 → 42");
    expect(formatIteration(record, null, 15, createStyle(true))).toContain("\u001b[31mFAIL");
    expect(describeMoves({ base: 1, moves: [] })).toBe("");
  });
});
