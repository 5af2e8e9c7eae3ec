import { describe, expect, it } from "vitest";
import { startProgress } from "./progress.js";

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 100, write: (t: string) => chunks.push(t) }, chunks };
}

describe("startProgress", () => {
  it("prints plain lines when stderr is not a terminal: at most one per interval, then the last", () => {
    const { stream, chunks } = sink(false);
    let t = 0;
    const p = startProgress(stream, {
      label: "exp_a",
      total: 10,
      unit: "records",
      intervalMs: 1000,
      now: () => t,
    });
    for (let i = 1; i <= 10; i++) {
      t += 300;
      p.update(i);
    }
    p.stop();
    expect(chunks.join("")).toBe(
      "exp_a: 4/10 records (40%)\nexp_a: 8/10 records (80%)\nexp_a: 10/10 records (100%)\n",
    );
    expect(chunks.join("")).not.toContain("\u001b");
  });

  it("stop prints the last value once when it was not printed yet", () => {
    const { stream, chunks } = sink(false);
    const p = startProgress(stream, { label: "sync", total: 5, unit: "records", now: () => 0 });
    p.update(2);
    p.stop();
    p.stop();
    expect(chunks.join("")).toBe("sync: 2/5 records (40%)\n");
  });

  it("draws a cli-progress bar on a terminal", () => {
    const { stream, chunks } = sink(true);
    const p = startProgress(stream, { label: "exp_a", total: 3, unit: "records" });
    p.update(1);
    p.update(3);
    p.stop();
    const text = chunks.join("");
    expect(text).toContain("exp_a [");
    expect(text).toContain("3/3 records");
    expect(text).toContain("100%");
  });

  it("shows nothing with quiet", () => {
    const { stream, chunks } = sink(true);
    const p = startProgress(stream, { label: "x", total: 3, unit: "records", quiet: true });
    p.update(3);
    p.stop();
    expect(chunks).toEqual([]);
  });
});
