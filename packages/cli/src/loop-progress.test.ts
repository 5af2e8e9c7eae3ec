import { describe, expect, it } from "vitest";
import { columnValue } from "./loop-progress.js";
import { metricsText } from "./loop-summary.js";

describe("metric values on the loop's lines", () => {
  it("a live column: three decimals that line up, an integer as an integer", () => {
    expect(columnValue(0.17183)).toBe("0.172");
    expect(columnValue(0.35)).toBe("0.350");
    expect(columnValue(21)).toBe("21");
    expect(columnValue(755)).toBe("755");
    expect(columnValue(Number.NaN)).toBe("n/a");
    expect(columnValue(undefined)).toBe("n/a");
  });

  it("the summary's best metrics: as the reports write them, trade_count 21 not 21.000", () => {
    expect(
      metricsText({
        sharpe_ratio: 1.0756527349307747,
        max_drawdown: 0.17516965310805765,
        trade_count: 21,
        num_observations: 755,
        returns_skew: -0.000822,
        sharpe_of_nothing: Number.NaN,
      }),
    ).toBe(
      "sharpe_ratio 1.076, max_drawdown 0.1752, trade_count 21, num_observations 755, returns_skew -0.000822, sharpe_of_nothing n/a",
    );
  });
});
