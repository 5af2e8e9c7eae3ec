/**
 * Artifacts through the tracking server's artifact proxy
 * (`/api/2.0/mlflow-artifacts`), which serves runs whose `artifact_uri` is
 * `mlflow-artifacts:`.
 */
import { redactUri } from "@converge/core";
import { MlflowError } from "./errors.js";
import type { Http } from "./http.js";
import type { MlflowArtifactFile } from "./types.js";
import type { RawFile } from "./wire.js";

const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

/** Uploads one file; the content type follows the path's extension unless given. */
export async function putArtifact(
  http: Http,
  artifactUri: string,
  path: string,
  data: string | Uint8Array,
  contentType?: string,
): Promise<void> {
  await http.send("PUT", `${ARTIFACTS}/${encodePath(proxyPath(artifactUri, path))}`, {
    body: data,
    contentType: contentType ?? guessType(path),
  });
}

/** The bytes of one artifact; `MlflowError` with status 404 when missing. */
export async function getArtifact(http: Http, artifactUri: string, path: string): Promise<Buffer> {
  return http.send("GET", `${ARTIFACTS}/${encodePath(proxyPath(artifactUri, path))}`);
}

/** The files directly under `path`, with paths relative to the run's artifact root. */
export async function listArtifactFiles(
  http: Http,
  artifactUri: string,
  path: string,
): Promise<MlflowArtifactFile[]> {
  const root = proxyPath(artifactUri, "");
  const res = await http.json<{ files?: RawFile[] }>("GET", ARTIFACTS, {
    query: { path: proxyPath(artifactUri, path) },
  });
  const prefix = path.replace(/^\/+|\/+$/g, "");
  return (res.files ?? []).map((f) => {
    // The proxy answers paths relative to the listed directory; report them relative to the run's root.
    const name = String(f.path ?? "");
    const rel = name.startsWith(`${root}/`)
      ? name.slice(root.length + 1)
      : prefix
        ? `${prefix}/${name}`
        : name;
    return {
      path: rel,
      is_dir: f.is_dir === true,
      file_size: f.file_size === undefined ? undefined : Number(f.file_size),
    };
  });
}

/** The proxy path (`<exp>/<run>/artifacts/<path>`) of an artifact of a run with an `mlflow-artifacts:` URI. */
function proxyPath(artifactUri: string, path: string): string {
  if (!artifactUri.startsWith("mlflow-artifacts:")) {
    throw new MlflowError(
      `The run's artifact location "${redactUri(artifactUri)}" is not served by the tracking server (expected an mlflow-artifacts: URI).`,
      {
        hint: "start the server with artifact serving (`mlflow server --artifacts-destination <dir>`, without --default-artifact-root pointing elsewhere), or use an MLflow experiment created on such a server",
      },
    );
  }
  let rest = artifactUri.slice("mlflow-artifacts:".length);
  if (rest.startsWith("//"))
    rest = rest.slice(rest.indexOf("/", 2) === -1 ? rest.length : rest.indexOf("/", 2));
  const base = rest.replace(/^\/+|\/+$/g, "");
  const rel = path.replace(/^\/+|\/+$/g, "");
  return rel ? `${base}/${rel}` : base;
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function guessType(path: string): string {
  if (path.endsWith(".json")) return "application/json";
  if (path.endsWith(".txt") || path.endsWith(".md")) return "text/plain; charset=utf-8";
  if (path.endsWith(".html")) return "text/html; charset=utf-8";
  return "application/octet-stream";
}
