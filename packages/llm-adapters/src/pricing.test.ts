import { describe, expect, it } from "vitest";
import { costOf, DEFAULT_PRICES, PriceTableSchema, priceOf, priceOfAnswer } from "./pricing.js";

describe("priceOf", () => {
  it("finds a model, and a dated snapshot or -latest alias by its model", () => {
    expect(priceOf("gpt-4.1")).toEqual({
      inputPerMillion: 2,
      outputPerMillion: 8,
      cachedInputPerMillion: 0.5,
    });
    expect(priceOf("gpt-4o-2024-08-06")).toBe(DEFAULT_PRICES["gpt-4o"]);
    expect(priceOf("claude-sonnet-4-5-20250929")).toBe(DEFAULT_PRICES["claude-sonnet-4-5"]);
    expect(priceOf("claude-3-5-haiku-latest")).toBe(DEFAULT_PRICES["claude-3-5-haiku"]);
  });

  it("prefers a snapshot's own entry (gpt-4o's first snapshot kept its launch price)", () => {
    expect(priceOf("gpt-4o-2024-05-13")?.inputPerMillion).toBe(5);
  });

  it("never guesses: a near name is unknown", () => {
    expect(priceOf("gpt-4.1-turbo-preview")).toBeUndefined();
    expect(priceOf("my-finetune:gpt-4.1")).toBeUndefined();
    expect(priceOf("llama3.1:8b")).toBeUndefined();
    expect(priceOf("toString")).toBeUndefined();
  });

  it("uses a user's table", () => {
    const table = { ...DEFAULT_PRICES, "llama3.1:8b": { inputPerMillion: 0, outputPerMillion: 0 } };
    expect(priceOf("llama3.1:8b", table)).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
  });
});

describe("costOf", () => {
  it("is tokens times the price per million, cached input at its own price", () => {
    const price = { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 };
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 0 }, price)).toBe(2);
    expect(costOf({ inputTokens: 1200, outputTokens: 300 }, price)).toBeCloseTo(
      (1200 * 2 + 300 * 8) / 1e6,
      15,
    );
    expect(
      costOf({ inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000 }, price),
    ).toBeCloseTo((200 * 2 + 1000 * 0.5 + 300 * 8) / 1e6, 15);
  });

  it("is null when the price is unknown", () => {
    expect(costOf({ inputTokens: 10, outputTokens: 10 }, undefined)).toBeNull();
  });
});

describe("PriceTableSchema", () => {
  it("names a bad field", () => {
    const result = PriceTableSchema.safeParse({ m: { inputPerMillion: -1, outputPerMilion: 2 } });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toContain("m.inputPerMillion");
    expect(paths).toContain("m.outputPerMillion");
  });
});

describe("priceOfAnswer", () => {
  it("prices the answering model, or the requested one only when the answer is its snapshot", () => {
    expect(priceOfAnswer("gpt-4.1-2025-04-14", "gpt-4.1")).toBe(DEFAULT_PRICES["gpt-4.1"]);
    const table = { "my-model": { inputPerMillion: 1, outputPerMillion: 2 } };
    expect(priceOfAnswer("my-model-2026-01-01", "my-model", table)).toBe(table["my-model"]);
    // A gateway that answers with another model: unknown, not the requested model's price.
    expect(priceOfAnswer("some-other-model", "gpt-4.1")).toBeUndefined();
  });
});
