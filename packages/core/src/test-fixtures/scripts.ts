/**
 * Test helpers: Python scripts written into a temp dir, and a check that a
 * process is gone (a zombie nobody reaps counts as gone).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temp dir holding scripts by name; `remove()` deletes it. */
export function scriptDir(): {
  path(name: string): string;
  write(name: string, source: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), "converge-scripts-"));
  return {
    path: (name) => join(dir, name),
    write(name, source) {
      const file = join(dir, name);
      writeFileSync(file, source, "utf8");
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether `pid` is a running process (not gone, not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Waits until `check` holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
