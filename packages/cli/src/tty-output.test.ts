import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { ESCAPED, RAW_UNSAFE, withoutColour, writeHostileLog } from "./test-fixtures/capture-io.js";
import { BIN, removeTempDirs, tempDir } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

/** Single-quotes a word for `sh -c`. */
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

describe("converge show on a real terminal", () => {
  it("colours its own output and still escapes hostile records (util-linux script gives it a TTY)", () => {
    expect(existsSync(BIN), `${BIN} is missing: run \`pnpm -s build\` first`).toBe(true);
    const dir = tempDir();
    const log = writeHostileLog(dir);
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm-256color" };
    // Colour must come from the TTY alone.
    for (const name of ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CONVERGE_STORE"]) {
      delete env[name];
    }
    const command = [process.execPath, BIN, "show", log].map(quote).join(" ");
    const result = spawnSync("script", ["-qec", command, "/dev/null"], {
      cwd: dir,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    // The terminal turns each line feed into CR LF; those CRs are the terminal's, not the data's.
    const out = result.stdout.replaceAll("\r\n", "\n");
    expect(out).toContain("\u001b[1mexp_hostile\u001b[22m");
    expect(withoutColour(out)).toMatch(/^Directive\s+Find /m);
    expect(out).toContain("\u001b[2mDirective  ");
    expect(RAW_UNSAFE.exec(withoutColour(out))).toBeNull();
    for (const escaped of Object.values(ESCAPED)) expect(out).toContain(escaped);
    expect(out.split("\n").filter((l) => /^\s+99\s/.test(withoutColour(l)))).toEqual([]);
  });
});
