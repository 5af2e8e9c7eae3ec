import { canonicalJson } from "@converge/core";
import { describe, expect, test } from "vitest";
import { canonicalParamValue } from "../client/index.js";
import { ARTIFACT, mlflowKey, mlflowStore, TAG } from "../index.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { type ReadBackNumber, readBack, readBackNumber } from "../test-fixtures/python.js";
import { generated, sampleLog, tempDir, useMlflowServer } from "./helpers.js";

const gate = await mlflowSuiteGate("storage-mlflow cross-check with the official Python client");

/** A missing metric stays undefined, so it never passes for NaN. */
const num = (v: ReadBackNumber | undefined): number | undefined =>
  v === undefined ? undefined : readBackNumber(v);
/** ±Infinity is stored as ±1.7976931348623157e308; the Python client reads that number. */
const asStored = (v: number): number =>
  v === Number.POSITIVE_INFINITY
    ? 1.7976931348623157e308
    : v === Number.NEGATIVE_INFINITY
      ? -1.7976931348623157e308
      : v;

describe.skipIf(gate.skip)("what we logged, as the official MlflowClient reads it", () => {
  const mlflow = useMlflowServer();

  test("params, metrics (NaN, ±Infinity), tags, artifacts and parent/child links", async () => {
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "xcheck",
      spoolDir: tempDir(),
    });
    const id = "xcheck_40";
    const records = generated(id, 40);
    await store.writeMeta({ experiment_id: id, directive: "Reach Sharpe ≥ 1 — 日本語 ✓" } as never);
    for (const r of records) await store.append(r);
    await store.writeMeta({
      experiment_id: id,
      directive: "Reach Sharpe ≥ 1 — 日本語 ✓",
      status: "SUCCESS",
    } as never);
    const seed = sampleLog();
    for (const r of seed) await store.append(r);
    await store.close();

    const back = await readBack(mlflow.server, {
      experimentName: "xcheck",
      convergeExperimentId: id,
      history: "all",
      readArtifacts: [ARTIFACT.record, ARTIFACT.code, ARTIFACT.meta],
    });
    expect(back.parent).not.toBeNull();
    const parent = back.parent;
    if (!parent) return;
    expect(back.orphans).toHaveLength(0);
    expect(parent.run_name).toBe(id);
    expect(parent.status).toBe("FINISHED");
    expect(parent.tags["converge.kind"]).toBe("experiment");
    expect(parent.tags["mlflow.note.content"]).toBe("Reach Sharpe ≥ 1 — 日本語 ✓");
    expect(JSON.parse(parent.artifact_contents?.[ARTIFACT.meta] ?? "{}").status).toBe("SUCCESS");
    // The parent's trajectory: one point per iteration, NaN included.
    const sharpe = parent.metric_history?.sharpe ?? [];
    expect(sharpe.map((p) => p.step)).toEqual(records.map((r) => r.iteration));
    for (const p of sharpe) {
      const want = records[p.step - 1]?.metrics.sharpe as number;
      expect(Object.is(num(p.value as ReadBackNumber), want), `sharpe step ${p.step}`).toBe(true);
    }
    expect((parent.metric_history?.gate_score ?? []).length).toBe(39); // iteration 3 has no gate score

    expect(back.children).toHaveLength(40);
    for (const [i, child] of back.children.entries()) {
      const r = records[i];
      if (!r) throw new Error("missing record");
      expect(child.parent_run_id).toBe(parent.run_id);
      expect(child.run_name).toBe(`#${r.iteration} · ${id}`);
      expect(child.status).toBe("FINISHED");
      expect(child.tags).toMatchObject({
        "converge.experiment_id": id,
        "converge.iteration": String(r.iteration),
        "converge.kind": "iteration",
        "converge.action": r.action_taken,
        "converge.gate_passed": String(r.gate_passed),
      });
      // Params: every parameter under its MLflow key, canonical text (long ones truncated with a marker).
      expect(Object.keys(child.params).sort()).toEqual(
        Object.keys(r.parameters).map(mlflowKey).sort(),
      );
      for (const [name, value] of Object.entries(r.parameters)) {
        const text = canonicalParamValue(value);
        const got = child.params[mlflowKey(name)] ?? "";
        if (text.length <= 6000) expect(got).toBe(text);
        else expect(got).toMatch(/full value in artifact converge\/params\//);
      }
      // Metrics: the latest value of each, NaN as NaN, ±Infinity as the stored ±max double.
      for (const [name, value] of Object.entries(r.metrics)) {
        expect(
          Object.is(num(child.metrics[mlflowKey(name)]), asStored(value)),
          `${name} of ${r.iteration}`,
        ).toBe(true);
      }
      // The record rides in a tag when it fits, else in an artifact; the code is an artifact.
      const files = (child.artifacts ?? []).map((a) => a.path);
      expect(files).toEqual(expect.arrayContaining([ARTIFACT.code]));
      expect(child.artifact_contents?.[ARTIFACT.code]).toBe(r.strategy_code);
      const recordText = child.tags[TAG.record] ?? child.artifact_contents?.[ARTIFACT.record];
      expect(files.includes(ARTIFACT.record)).toBe(child.tags[TAG.record] === undefined);
      expect(canonicalJson(JSON.parse(recordText ?? "null"))).toBe(
        canonicalJson(
          JSON.parse(
            JSON.stringify({
              ...r,
              metrics: Object.fromEntries(
                Object.entries(r.metrics).map(([k, v]) => [
                  k,
                  Number.isFinite(v)
                    ? v
                    : Number.isNaN(v)
                      ? "NaN"
                      : v > 0
                        ? "Infinity"
                        : "-Infinity",
                ]),
              ),
            }),
          ),
        ),
      );
    }
    // The sample log's experiment is its own parent with three children.
    const sampleBack = await readBack(mlflow.server, {
      experimentName: "xcheck",
      convergeExperimentId: seed[0]?.experiment_id ?? "",
    });
    expect(sampleBack.children.map((c) => c.params.position_size)).toEqual(["0.1", "0.15", "0.2"]);
  }, 300_000);
});
