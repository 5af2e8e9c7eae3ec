import { describe, expect, it } from "vitest";
import type { ReportIterationsEstimate, ReportSuccessProbability } from "../report-data.js";
import { etaText, outlookText, probabilityText, successText } from "./outlook.js";

const success = (over: Partial<ReportSuccessProbability> = {}): ReportSuccessProbability => ({
  probability: 0.72,
  horizon: 6,
  horizon_source: "budget",
  ...over,
});
const eta = (over: Partial<ReportIterationsEstimate> = {}): ReportIterationsEstimate => ({
  estimate: 3,
  low: 2,
  high: 5,
  level: 0.8,
  horizon: 50,
  model: "predictive",
  ...over,
});

describe("the outlook in words", () => {
  it("reads as the analyzers' outlook line: probability with its horizon, ETA with its level", () => {
    expect(outlookText(success(), eta())).toBe(
      "P(pass within the 6 iterations left) 0.72 · 80% range 2–5 iterations (median 3)",
    );
    expect(outlookText(success({ horizon: 20, horizon_source: "default" }), eta())).toBe(
      "P(pass within the next 20 iterations (no budget known)) 0.72 · 80% range 2–5 iterations (median 3)",
    );
    expect(successText(success({ horizon: 1, horizon_source: undefined }))).toBe(
      "P(pass within the next 1 iteration) 0.72",
    );
  });

  it("says passing now, n/a without a goal, and why there is no ETA", () => {
    const passing = eta({ estimate: 0, low: 0, high: 0 });
    expect(outlookText(success({ probability: 1 }), passing)).toBe(
      "P(pass within the 6 iterations left) 1.00 · passing now",
    );
    const none = eta({ estimate: null, low: null, high: null, reason: "no goal to reach" });
    expect(outlookText(success({ probability: null }), none)).toBe(
      "P(pass within the 6 iterations left) n/a · no ETA: no goal to reach",
    );
    expect(outlookText(success(), undefined)).toBe("P(pass within the 6 iterations left) 0.72");
    expect(outlookText(undefined, eta())).toBeNull();
  });

  it("never rounds a probability to a certainty it is not", () => {
    expect([0, 0.001, 0.5, 0.999, 1].map(probabilityText)).toEqual([
      "0.00",
      "< 0.01",
      "0.50",
      "> 0.99",
      "1.00",
    ]);
  });

  it("shows an older ETA without a level as it was stated", () => {
    const old = eta({ estimate: 4, low: 2, high: 12, model: "saturating" });
    delete old.level;
    delete old.horizon;
    expect(etaText(old)).toBe("range 2–12 iterations (estimate 4)");
    expect(etaText({ ...old, high: null })).toBe("range 2–∞ iterations (estimate 4)");
    expect(etaText({ ...old, low: null, high: null })).toBe("about 4 iterations");
    expect(etaText(eta({ low: 3, high: 3 }))).toBe("80% range 3 iterations (median 3)");
  });
});
