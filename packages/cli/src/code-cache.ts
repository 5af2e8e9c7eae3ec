/**
 * A V8 code cache for the bundled binary: the compiled code of each bundle
 * chunk is kept in the user's cache directory, so a later run skips parsing
 * and compiling it (Node 20 has no `module.enableCompileCache`). It works on
 * CommonJS, which is why the bundle is CommonJS (dist/cli.cjs and its chunks).
 *
 * Where: `$CONVERGE_CODE_CACHE` when it names a directory (the tests give a
 * temporary one), else `$XDG_CACHE_HOME/converge/code-cache`, else
 * `~/.cache/converge/code-cache`; `CONVERGE_CODE_CACHE=0` turns it off. One
 * file per chunk (chunks are named without a content hash, so a new build
 * overwrites the files of the last one instead of adding to them): the SHA-1 of the
 * chunk's source, the SHA-1 of the cached data, then the data. A file whose
 * source hash differs (a new build) is stale; one whose data hash differs is
 * corrupt; V8 itself rejects data of another V8 version or flags. In each
 * case the chunk is compiled from source and the file rewritten, atomically
 * (a temporary file renamed over it), after the command has run, so that the
 * functions it compiled on the way are in the cache too. Any error of the
 * cache itself (a read-only home, a full disk) is ignored: it only costs speed.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Script } from "node:vm";

/** The environment variable that turns the code cache off ("0") or names its directory. */
export const CODE_CACHE_ENV = "CONVERGE_CODE_CACHE";

/** The code cache directory for an environment, or null when the cache is off. */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | null {
  const setting = env[CODE_CACHE_ENV];
  if (setting === "0") return null;
  if (setting) return resolve(setting);
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "converge", "code-cache");
}

const HASH_BYTES = 20;
const sha1 = (data: string | Uint8Array) => createHash("sha1").update(data).digest();

/** The cached data for `source` in `file`, or undefined when missing, stale or corrupt. */
function readCache(file: string, sourceHash: Buffer): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= 2 * HASH_BYTES) return undefined;
  if (!bytes.subarray(0, HASH_BYTES).equals(sourceHash)) return undefined;
  const data = bytes.subarray(2 * HASH_BYTES);
  if (!sha1(data).equals(bytes.subarray(HASH_BYTES, 2 * HASH_BYTES))) return undefined;
  return data;
}

function writeCache(file: string, sourceHash: Buffer, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, Buffer.concat([sourceHash, sha1(data), data]));
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the directory itself is unusable: nothing was written
    }
  }
}

type Compile = (this: Module, content: string, filename: string) => unknown;

/**
 * Compiles the CommonJS files under `root` through the code cache in `dir`;
 * other files are compiled as Node compiles them.
 */
export function installCodeCache(root: string, dir: string): void {
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  const pending: { file: string; sourceHash: Buffer; script: Script }[] = [];
  proto._compile = function compile(this: Module, content: string, filename: string) {
    if (!filename.startsWith(root)) return original.call(this, content, filename);
    const sourceHash = sha1(content);
    const file = join(dir, `${sha1(filename).toString("hex")}.v8`);
    const cachedData = readCache(file, sourceHash);
    const script = new Script(Module.wrap(content), {
      filename,
      ...(cachedData !== undefined && { cachedData }),
    });
    if (cachedData === undefined || script.cachedDataRejected === true) {
      pending.push({ file, sourceHash, script });
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (
      ...args: unknown[]
    ) => unknown;
    const require = createRequire(filename);
    return wrapper.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  // After the command ran (not on process.exit(): Ctrl-C, a closed pipe).
  process.once("beforeExit", () => {
    for (const { file, sourceHash, script } of pending.splice(0)) {
      writeCache(file, sourceHash, script.createCachedData());
    }
  });
}
