import { Option } from "commander";
import {
  DEFAULT_MLFLOW_EXPERIMENT,
  DEFAULT_STORE_URI,
  MLFLOW_EXPERIMENT_ENV,
  MLFLOW_URI_ENV,
  STORE_ENV,
} from "./store-uri.js";

/** The `--store <uri>` option every store-reading command takes. */
export function storeOption(): Option {
  // No commander default: the env variables and the default are resolved in
  // storeUriFrom, so `--help` can say where the value comes from.
  return new Option(
    "--store <uri>",
    `where experiments live: jsonl:DIR, a plain directory, or mlflow+http://HOST:PORT (default: $${STORE_ENV}, else mlflow+$${MLFLOW_URI_ENV}, else ${DEFAULT_STORE_URI})`,
  );
}

/** The `--mlflow-experiment <name>` option that goes with `--store`. */
export function mlflowExperimentOption(): Option {
  return new Option(
    "--mlflow-experiment <name>",
    `the MLflow experiment of an mlflow+ store (default: $${MLFLOW_EXPERIMENT_ENV}, else "${DEFAULT_MLFLOW_EXPERIMENT}")`,
  );
}
