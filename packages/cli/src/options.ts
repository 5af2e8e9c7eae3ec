import { Option } from "commander";
import { DEFAULT_STORE_URI, STORE_ENV } from "./store-uri.js";

/** The `--store <uri>` option every store-reading command takes. */
export function storeOption(): Option {
  // No commander default: the env variable and the default are resolved in
  // storeUriFrom, so `--help` can say where the value comes from.
  return new Option(
    "--store <uri>",
    `where experiments live: jsonl:DIR, or a plain directory (default: $${STORE_ENV}, else ${DEFAULT_STORE_URI})`,
  );
}
