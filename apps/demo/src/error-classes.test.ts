/**
 * Every error class a published package exports is a ConvergeError with its own
 * `isInstance` marker, so callers can tell every error the project throws
 * apart from anything else, across package copies. It lives here because the demo is the one package
 * that depends on all the others.
 */
import * as analyzers from "@converge/analyzers";
import * as cli from "@converge/cli";
import * as core from "@converge/core";
import { ConvergeError, type ErrorInstanceCheck } from "@converge/core";
import * as llmAdapters from "@converge/llm-adapters";
import * as reporters from "@converge/reporters";
import * as storageJsonl from "@converge/storage-jsonl";
import * as storageMlflow from "@converge/storage-mlflow";
import { describe, expect, it } from "vitest";
import * as demo from "./index.js";

const packages: Record<string, Record<string, unknown>> = {
  "@converge/core": core,
  "@converge/analyzers": analyzers,
  "@converge/cli": cli,
  "@converge/llm-adapters": llmAdapters,
  "@converge/reporters": reporters,
  "@converge/storage-jsonl": storageJsonl,
  "@converge/storage-mlflow": storageMlflow,
  "@converge/demo": demo,
};

type ErrorClass = (abstract new (
  ...args: never[]
) => Error) & {
  isInstance?: ErrorInstanceCheck<unknown>;
};

function errorClasses(exports: Record<string, unknown>): [string, ErrorClass][] {
  return Object.entries(exports).filter(
    (entry): entry is [string, ErrorClass] =>
      typeof entry[1] === "function" &&
      (entry[1] === Error || (entry[1] as { prototype?: unknown }).prototype instanceof Error),
  );
}

const all = Object.entries(packages).flatMap(([pkg, exports]) =>
  errorClasses(exports).map(([name, cls]) => ({ pkg, name, cls })),
);

describe("exported error classes", () => {
  it("are found in every package that throws its own", () => {
    const owners = new Set(all.map((e) => e.pkg));
    for (const pkg of [
      "@converge/core",
      "@converge/cli",
      "@converge/llm-adapters",
      "@converge/reporters",
      "@converge/storage-mlflow",
      "@converge/demo",
    ])
      expect(owners).toContain(pkg);
  });

  it.each(all.map((e) => [`${e.pkg} ${e.name}`, e.cls] as const))(
    "%s is a ConvergeError with its own isInstance",
    (_, cls) => {
      expect(cls === ConvergeError || cls.prototype instanceof ConvergeError).toBe(true);
      expect(Object.hasOwn(cls, "isInstance")).toBe(true);
      expect(typeof cls.isInstance?.marker).toBe("symbol");
    },
  );

  it("each class has a marker of its own", () => {
    // The same class re-exported by several packages counts once.
    const classes = new Set(all.map((e) => e.cls));
    const markers = new Set([...classes].map((cls) => cls.isInstance?.marker));
    expect(markers.size).toBe(classes.size);
  });
});
