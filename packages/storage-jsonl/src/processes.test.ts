/**
 * Real processes: a writer SIGKILLed mid-append, and two writers appending to
 * one experiment at once. The children import the BUILT package (dist), which
 * is brought up to date first.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createTracker, type ExperimentRecord, type StoreNotice } from "@converge/core";
import { beforeAll, describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { tempDir } from "./test-fixtures/helpers.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const root = join(packageDir, "..", "..");
const script = (name: string) => fileURLToPath(new URL(`./test-fixtures/${name}`, import.meta.url));

beforeAll(() => {
  // tsc -b is incremental: a no-op when dist is current, a rebuild when src changed.
  execFileSync(
    process.execPath,
    [join(root, "node_modules/typescript/bin/tsc"), "-b", packageDir],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}, 120_000);

function child(name: string, args: string[]): { process: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, [script(name)].concat(args), {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout?.on("data", (d) => {
    output += d;
  });
  proc.stderr?.on("data", (d) => {
    output += d;
  });
  return { process: proc, output: () => output };
}

async function waitFor(out: () => string, text: string, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 3000 && !out().includes(text); i++) {
    if (proc.exitCode !== null) throw new Error(`child exited early:\n${out()}`);
    await sleep(10);
  }
  if (!out().includes(text)) throw new Error(`child never printed "${text}":\n${out()}`);
}

function expectContiguous(records: readonly ExperimentRecord[], from = 1): void {
  const wrong = records.findIndex((r, i) => r.iteration !== from + i);
  expect(wrong, `iteration ${records[wrong]?.iteration} at index ${wrong}`).toBe(-1);
}

/**
 * Checks an experiment after its writer died: reading gives every whole record
 * (validated, numbered 1..k) and at most a torn-tail notice; appending cuts the
 * tear into a sidecar, reports it, and goes on at k + 1. Returns k + 1 and
 * whether there was a tear.
 */
async function checkAfterCrash(dir: string, id: string): Promise<{ count: number; torn: boolean }> {
  const file = join(dir, `${id}.jsonl`);
  const reader = jsonlStore({ dir });
  const records = await reader.read(id);
  expectContiguous(records);
  const tornOnRead = reader.notices.filter((n) => n.kind === "torn-tail");
  expect(reader.notices).toEqual(tornOnRead);
  expect(tornOnRead.length).toBeLessThanOrEqual(1);
  const contentBefore = readFileSync(file);

  // Takes over the dead writer's lock (its pid is gone), cuts the tear, goes on at k + 1.
  const seen: StoreNotice[] = [];
  const store = jsonlStore({ dir, lockTimeoutMs: 2000, onNotice: (n) => seen.push(n) });
  const k = records.length;
  await store.append({
    ...(records.at(-1) as ExperimentRecord),
    iteration: k + 1,
    strategy_code: "after the crash",
  });
  await store.close();

  if (tornOnRead.length === 1) {
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: "torn-tail", file, line: k + 1 });
    const sidecar = (seen[0]?.message.match(/kept in (.+)\)$/) ?? [])[1] as string;
    const bytes = readFileSync(sidecar);
    expect(seen[0]?.message).toContain(`of ${bytes.length} bytes`);
    // The tear is the start of the record being written when the writer died: iteration k + 1.
    expect(bytes.includes(0x0a)).toBe(false);
    expect(bytes.toString("latin1")).toMatch(
      new RegExp(`^\\{"schema_version":1,"experiment_id":"${id}","iteration":${k + 1},`),
    );
    // The sidecar holds exactly the bytes that were cut; everything before them is untouched.
    const whole = contentBefore.length - bytes.length;
    expect(contentBefore.subarray(whole).equals(bytes)).toBe(true);
    expect(readFileSync(file).subarray(0, whole).equals(contentBefore.subarray(0, whole))).toBe(
      true,
    );
  } else {
    expect(seen).toEqual([]);
  }
  const after = await store.read(id);
  expect(after).toHaveLength(k + 1);
  expectContiguous(after);
  expect(after.at(-1)?.strategy_code).toBe("after the crash");
  expect(store.notices).toEqual(seen);
  return { count: k + 1, torn: tornOnRead.length === 1 };
}

describe("a writer killed with SIGKILL mid-append", () => {
  it("leaves every whole record, a torn tail that is cut and kept, and numbering that goes on", async () => {
    const dir = tempDir();
    const id = "crash";
    const file = join(dir, `${id}.jsonl`);
    // Records up to 64 KB first, then MB-sized ones that keep the writer inside write() a
    // third of the time: most runs see several real tears (they end on page boundaries).
    const rounds = [
      ["small", "none"],
      ["small", "batch"],
      ["small", "every"],
      ["small", "none"],
      ...Array.from({ length: 6 }, (_, i) => ["huge", i === 2 ? "batch" : "none"]),
    ] as const;
    let count = 0;
    let tears = 0;
    for (const [index, [size, durability]] of rounds.entries()) {
      const writer = child("append-until-killed.mjs", [dir, id, size, durability]);
      await waitFor(writer.output, "appending", writer.process);
      await sleep(30 + ((index * 37) % 120));
      writer.process.kill("SIGKILL");
      await once(writer.process, "exit");
      expect(writer.process.signalCode, writer.output()).toBe("SIGKILL");
      const result = await checkAfterCrash(dir, id);
      expect(result.count).toBeGreaterThan(count + 1); // the child appended before it died
      count = result.count;
      if (result.torn) tears++;
    }

    // And one tear for certain: the last record cut mid-line, 4 KB in, as a crash leaves it.
    const content = readFileSync(file);
    const writer = jsonlStore({ dir, durability: "none" });
    await writer.append({
      ...(await writer.read(id)).at(-1),
      iteration: count + 1,
      strategy_code: "y".repeat(10_000),
    } as ExperimentRecord);
    await writer.close();
    const grown = readFileSync(file);
    truncateSync(file, content.length + 4096 + 17);
    expect(readFileSync(file).length).toBeLessThan(grown.length);
    const forced = await checkAfterCrash(dir, id);
    expect(forced).toEqual({ count: count + 1, torn: true });
    tears++;

    const sidecars = readdirSync(dir).filter((f) => f.startsWith(`${id}.jsonl.torn-`));
    expect(sidecars).toHaveLength(tears);
    console.info(
      `SIGKILL rounds: ${rounds.length}, torn tails cut: ${tears - 1} by kills + 1 by hand`,
    );
  }, 120_000);
});

describe("two processes appending to one experiment", () => {
  it("end with 20,000 whole records, numbered 1..20,000 without a gap or a repeat", async () => {
    const dir = tempDir();
    const id = "race";
    const store = jsonlStore({ dir });
    // Both writers resume the experiment the parent started (meta written, no records yet).
    await createTracker({ store }).start({ experimentId: id, directive: "two writers" });
    const count = 10_000;
    const writers = ["A", "B"].map((name) =>
      child("tracker-writer.mjs", [dir, id, name, String(count)]),
    );
    for (const w of writers) await waitFor(w.output, "ready", w.process);
    for (const w of writers) w.process.stdin?.end("go\n");
    await Promise.all(writers.map((w) => once(w.process, "exit")));
    for (const w of writers) expect(w.process.exitCode, w.output()).toBe(0);

    const records = await store.read(id);
    expect(store.notices).toEqual([]);
    expect(records).toHaveLength(2 * count);
    expectContiguous(records);
    for (const name of ["A", "B"]) {
      const own = records.filter((r) => r.writer === name).map((r) => r.seq);
      expect(own).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    }
    // The lock changed hands: the two writers' records are not one block each.
    const switches = records.filter((r, i) => i > 0 && r.writer !== records[i - 1]?.writer).length;
    expect(switches).toBeGreaterThan(1);
    const lines = readFileSync(join(dir, `${id}.jsonl`), "utf8").split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines).toHaveLength(2 * count + 1);
  }, 120_000);
});

describe("a writer that exits without close()", () => {
  it("releases its lock and syncs its batch on the way out", async () => {
    const dir = tempDir();
    const dist = new URL("../dist/index.js", import.meta.url).href;
    const code = `
      import { jsonlStore } from ${JSON.stringify(dist)};
      const store = jsonlStore({ dir: ${JSON.stringify(dir)}, durability: "batch" });
      for (let i = 1; i <= 7; i++) await store.append({ experiment_id: "exit", iteration: i, metrics: {} });
      console.log(JSON.stringify({ locked: (await import("node:fs")).existsSync(${JSON.stringify(join(dir, "exit.jsonl.lock"))}) }));
    `;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], {
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual({ locked: true }); // held while it was appending
    expect(readdirSync(dir).sort()).toEqual(["exit.jsonl"]);
    const records = await jsonlStore({ dir }).read("exit");
    expect(records.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
