/**
 * An S3-compatible object store for the team-deployment tests: moto's server mode (from the
 * MLflow venv) on 127.0.0.1 and a free port, one bucket created, under
 * `scripts/serve_guard.py` in its own process group (SIGKILLed if this process exits).
 *
 * The credentials are dummies that exist only in the environment of the processes that talk
 * to it (`serverEnv`); nothing here writes them to a record or a log.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MlflowVenv } from "./mlflow-venv.js";
import {
  freePort,
  type GuardedProcess,
  type Live,
  outputBuffer,
  processGroupMembers,
  spawnGuarded,
  stopGroup,
  trackLive,
  untrackLive,
  waitReady,
} from "./processes.js";

export interface MotoS3Options {
  venv: MlflowVenv;
  /** Bucket to create (default "converge-artifacts"). */
  bucket?: string;
  /** Key prefix the artifacts go under (default "mlflow"). */
  prefix?: string;
  startTimeoutMs?: number;
  echo?: boolean;
}

export interface S3Object {
  key: string;
  size: number;
}

export interface MotoS3 {
  /** `http://127.0.0.1:<port>`: the S3 endpoint (path-style). */
  readonly url: string;
  readonly port: number;
  readonly bucket: string;
  readonly prefix: string;
  /** `s3://<bucket>/<prefix>`, for `mlflow server --artifacts-destination`. */
  readonly destination: string;
  /** Its temp dir (working directory), removed by `stop()`. */
  readonly dir: string;
  /**
   * Environment for a process that uses this store through boto3 (the mlflow server):
   * the endpoint, dummy credentials, a region, and every AWS lookup that could leave the
   * machine (instance metadata, shared config files) turned off.
   */
  readonly serverEnv: Readonly<Record<string, string>>;
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly startMs: number;
  output(): string;
  /** Every object under `prefix` (all pages of ListObjectsV2). */
  listObjects(prefix?: string): Promise<S3Object[]>;
  /** An object's body as text. */
  getObject(key: string): Promise<string>;
  /** SIGTERM, SIGKILL after 5 s, temp dir removed. Idempotent. */
  stop(): Promise<void>;
}

/**
 * moto checks no signature, but treats a request without one as anonymous (403 on a private
 * object): this header makes the harness's plain fetches "signed" without any key.
 */
const SIGNED = {
  authorization:
    "AWS4-HMAC-SHA256 Credential=converge-harness/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
};

/**
 * `python -m moto.server` without werkzeug's request log: a presigned URL (which mlflow's
 * artifact proxy uses to download) carries the access key id in its query string.
 */
const MOTO_MAIN = [
  "import logging, sys",
  'logging.getLogger("werkzeug").setLevel(logging.WARNING)',
  "from moto.server import main",
  "main(sys.argv[1:])",
].join("; ");

/** Environment variables that make boto3/botocore stay on this machine. */
function isolatedAwsEnv(dir: string): Record<string, string> {
  return {
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_REGION: "us-east-1",
    // No EC2 instance metadata probe (169.254.169.254); container-credential variables are
    // never passed on (withoutAwsEnv).
    AWS_EC2_METADATA_DISABLED: "true",
    // No ~/.aws: config and credentials files that do not exist.
    AWS_CONFIG_FILE: join(dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
  };
}

/** The caller's environment without AWS_* and MLFLOW_* variables (a profile, real keys...). */
export function withoutAwsEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    if (/^(AWS_|MLFLOW_|_MLFLOW_)/.test(key)) continue;
    out[key] = value;
  }
  return out;
}

/** Starts moto's S3 on 127.0.0.1 and creates the bucket; pair with `await s3.stop()`. */
export async function startMotoS3(options: MotoS3Options): Promise<MotoS3> {
  const started = Date.now();
  const bucket = options.bucket ?? "converge-artifacts";
  const prefix = options.prefix ?? "mlflow";
  const dir = await mkdtemp(join(tmpdir(), "converge-moto-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = outputBuffer(64 * 1024, options.echo);
  let child: GuardedProcess | undefined;
  let stopped = false;
  const record: Live = { pgid: () => child?.pgid, ownedDir: dir };
  trackLive(record);
  const aws = isolatedAwsEnv(dir);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      if (child) await stopGroup(child, "SIGTERM", 5_000);
    } finally {
      untrackLive(record);
      await rm(dir, { recursive: true, force: true });
    }
  };

  try {
    child = spawnGuarded({
      python: options.venv.python,
      command: [options.venv.python, "-c", MOTO_MAIN, "-H", "127.0.0.1", "-p", String(port)],
      cwd: dir,
      env: { ...withoutAwsEnv(process.env), ...aws, PYTHONUNBUFFERED: "1" },
      output: log.append,
    });
    const ready = child;
    await waitReady(
      `moto S3 on 127.0.0.1:${port}`,
      ready,
      async () => (await fetch(`${url}/`, { signal: AbortSignal.timeout(2_000) })).ok,
      options.startTimeoutMs ?? 60_000,
      log.text,
    );
    const made = await fetch(`${url}/${bucket}`, { method: "PUT", headers: SIGNED });
    if (!made.ok) throw new Error(`moto: creating bucket ${bucket}: HTTP ${made.status}`);
    await made.arrayBuffer();
  } catch (error) {
    await stop();
    throw error;
  }
  const startMs = Date.now() - started;

  const serverEnv = {
    ...aws,
    MLFLOW_S3_ENDPOINT_URL: url,
    // Every AWS service boto3 might open goes to moto too, never to AWS.
    AWS_ENDPOINT_URL: url,
    // Dummies: moto accepts any key. Random, so a leak would be recognisable in a test.
    AWS_ACCESS_KEY_ID: `converge-test-${randomBytes(4).toString("hex")}`,
    AWS_SECRET_ACCESS_KEY: randomBytes(16).toString("hex"),
  };

  return {
    url,
    port,
    bucket,
    prefix,
    destination: `s3://${bucket}/${prefix}`,
    dir,
    serverEnv,
    get pid() {
      return stopped ? undefined : child?.pgid;
    },
    get running() {
      return !stopped && child !== undefined && processGroupMembers(child.pgid).length > 0;
    },
    startMs,
    output: log.text,
    listObjects: (keyPrefix = prefix) => listAll(url, bucket, keyPrefix),
    async getObject(key: string) {
      const response = await fetch(
        `${url}/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`,
        { headers: SIGNED },
      );
      const text = await response.text();
      if (!response.ok) throw new Error(`moto: GET ${key}: HTTP ${response.status}`);
      return text;
    },
    stop,
  };
}

const unxml = (text: string) =>
  text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");

async function listAll(url: string, bucket: string, prefix: string): Promise<S3Object[]> {
  const objects: S3Object[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ "list-type": "2", prefix });
    if (token) query.set("continuation-token", token);
    const response = await fetch(`${url}/${bucket}?${query}`, { headers: SIGNED });
    const xml = await response.text();
    if (!response.ok) throw new Error(`moto: ListObjectsV2 ${bucket}: HTTP ${response.status}`);
    for (const [, body = ""] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const key = /<Key>([\s\S]*?)<\/Key>/.exec(body)?.[1] ?? "";
      const size = Number(/<Size>(\d+)<\/Size>/.exec(body)?.[1] ?? Number.NaN);
      objects.push({ key: unxml(key), size });
    }
    const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
    token = truncated ? /<NextContinuationToken>([^<]*)</.exec(xml)?.[1] : undefined;
    if (token) token = unxml(token);
  } while (token);
  return objects;
}
