/**
 * Every README's ```ts examples must run (the root README, docs/*.md and each
 * package's). Each block is written into its package folder, or the
 * repository root for the root README and docs (so imports resolve as they
 * would for a user), imported, and
 * each `console.log(...); // expected` line is checked against what it printed.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

async function readmes(): Promise<string[]> {
  // The root README and docs/ run from the repository root (imports resolve from there).
  const out: string[] = [join(root, "README.md")];
  for (const name of await readdir(join(root, "docs"))) {
    if (name.endsWith(".md")) out.push(join(root, "docs", name));
  }
  for (const group of ["packages", "apps"]) {
    for (const name of await readdir(join(root, group))) {
      const path = join(root, group, name, "README.md");
      const text = await readFile(path, "utf8").catch(() => null);
      if (text?.includes("```ts")) out.push(path);
    }
  }
  return out;
}

function blocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

const workDirs: string[] = [];
const previousCwd = process.cwd();
afterAll(async () => {
  process.chdir(previousCwd);
  await Promise.all(workDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("README examples run", async () => {
  for (const readme of await readmes()) {
    const pkgDir = dirname(readme) === join(root, "docs") ? root : dirname(readme);
    blocks(await readFile(readme, "utf8")).forEach((code, index) => {
      if (code.includes("// not-runnable")) return;
      it(`${readme.slice(root.length + 1)} example ${index + 1}`, async () => {
        const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ (.+)$/gm)].map((m) =>
          (m[1] as string).trim(),
        );
        const file = join(pkgDir, `.readme-example-${index}.test-tmp.ts`);
        const cwd = await mkdtemp(join(tmpdir(), "converge-readme-"));
        workDirs.push(cwd);
        process.chdir(cwd); // examples that write files write them here
        const printed: string[] = [];
        const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
          printed.push(args.map(String).join(" "));
        });
        try {
          await writeFile(file, code);
          await import(/* @vite-ignore */ `${file}?t=${Date.now()}`);
        } finally {
          spy.mockRestore();
          await rm(file, { force: true });
          process.chdir(previousCwd);
        }
        expect(printed.slice(0, expected.length)).toEqual(expected);
      });
    });
  }
});
