/**
 * A "Trojan Source" experiment (CVE-2021-42574): the second iteration's code
 * hides a comment inside a string with bidi overrides and isolates, adds a
 * zero-width space and a terminal escape; a metric name carries a bidi override.
 */
import { ExperimentMetaSchema, parseRecord, type ReportExperiment } from "@converge/core";

/** The clean first version. */
export const CLEAN_CODE = `def is_admin(user):\n    access_level = "user"\n    if access_level != "user":\n        return True\n    return False\n`;

/** The second version: bidi controls in a string, a zero-width space, an ESC. */
export const TROJAN_CODE = `def is_admin(user):\n    access_level = "user"\n    if access_level != "user\u202e \u2066# Check if admin\u2069 \u2066":\n        return True\n    return False\u200b  # \u001b[2J\n`;

/** A metric name with a right-to-left override in it. */
export const BIDI_METRIC = "profit\u202eTIFORP";

/** Two iterations: the clean code, then the Trojan Source change. */
export function trojanExperiment(): ReportExperiment {
  const id = "exp_trojan";
  return {
    meta: ExperimentMetaSchema.parse({ experiment_id: id, directive: "Trojan Source review" }),
    records: [CLEAN_CODE, TROJAN_CODE].map((strategy_code, i) =>
      parseRecord({
        experiment_id: id,
        iteration: i + 1,
        strategy_code,
        parameters: { level: i },
        metrics: { [BIDI_METRIC]: i / 2 },
      }),
    ),
  };
}
