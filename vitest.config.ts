import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) =>
  fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources of sibling packages, not their last build.
    alias: {
      "@converge/core": src("core"),
      "@converge/storage-jsonl": src("storage-jsonl"),
      "@converge/storage-mlflow": src("storage-mlflow"),
      "@converge/analyzers": src("analyzers"),
      "@converge/llm-adapters": src("llm-adapters"),
      "@converge/reporters": src("reporters"),
      "@converge/cli": src("cli"),
      "@converge/bench-kit": src("bench-kit"),
      "@converge/test-kit": src("test-kit"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "scripts/**/*.test.ts"],
    reporters: ["default", "./scripts/summary-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
