import type { Advice, AdvisorInput } from "@converge/core";
import { describe, expect, it } from "vitest";
import { scriptedAdvisor } from "./index.js";

const advice = (source: string) => ({ source, assessment: {} }) as unknown as Advice;
const input = (n: number) => ({ records: Array.from({ length: n }) }) as unknown as AdvisorInput;

describe("scriptedAdvisor", () => {
  it("answers every call with its one step and counts the calls", async () => {
    const advisor = scriptedAdvisor(advice("fixed"), { name: "fixed" });
    expect(advisor).toMatchObject({ specificationVersion: "v1", name: "fixed", calls: 0 });
    expect(await advisor.advise(input(1))).toEqual(advice("fixed"));
    expect(await advisor.advise(input(2))).toEqual(advice("fixed"));
    expect(advisor.calls).toBe(2);
    expect(advisor.inputs.map((i) => i.records.length)).toEqual([1, 2]);
  });

  it("plays a list in order and repeats its last step; errors are thrown, functions called", async () => {
    const advisor = scriptedAdvisor([
      advice("first"),
      new Error("down"),
      ({ records }) => advice(`after ${records.length}`),
    ]);
    expect(advisor.name).toBe("scripted");
    expect((await advisor.advise(input(1))).source).toBe("first");
    await expect(advisor.advise(input(2))).rejects.toThrow("down");
    expect((await advisor.advise(input(3))).source).toBe("after 3");
    expect((await advisor.advise(input(4))).source).toBe("after 4");
    expect(advisor.calls).toBe(4);
  });
});
