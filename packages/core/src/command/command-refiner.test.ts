import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvergeError } from "../errors.js";
import { evaluateGate } from "../gate.js";
import { parseRecord } from "../record.js";
import { ParameterSpaceSchema, parameterKey, type RefinerInput } from "../refiner.js";
import { scriptDir } from "../test-fixtures/scripts.js";
import { commandRefiner } from "./command-refiner.js";

const scripts = scriptDir();
const gate = { criteria: [{ metric: "score", op: ">=" as const, threshold: 1 }] };
const records = [
  parseRecord({ experiment_id: "r", iteration: 1, parameters: { n: 2 }, metrics: { score: 0.5 } }),
];
const input: RefinerInput = {
  strategy: { name: "toy", parameters: { n: 2 }, code: "x = 1\n" },
  space: ParameterSpaceSchema.parse({ n: { type: "int", min: 1, max: 9 } }),
  iteration: 1,
  records,
  metrics: { score: 0.5 },
  gate: evaluateGate({ score: 0.5 }, gate),
  advice: null,
  analysis: null,
  tried: new Set([parameterKey({ n: 2 })]),
};

beforeAll(() => {
  scripts.write(
    "refine.py",
    `import json, sys
req = json.load(sys.stdin)
n = req["strategy"]["parameters"]["n"]
assert req["space"]["n"]["max"] == 9 and req["records"][0]["metrics"]["score"] == 0.5
print(json.dumps({"parameters": {"n": n + 1}, "code": req["strategy"]["code"] + "y = 2\\n",
  "description": f"n + 1; tried {req['tried']}"}))
`,
  );
  scripts.write("garbage.py", 'import sys\nsys.stdin.read()\nprint("I think n should be 3")\n');
  scripts.write("shape.py", 'print(\'{"params": {"n": 3}}\')\n');
  scripts.write("crash.py", 'import sys\nprint("KeyError: n", file=sys.stderr)\nsys.exit(1)\n');
});
afterAll(() => scripts.remove());

const refiner = (script: string) => commandRefiner({ command: ["python3", scripts.path(script)] });

describe("commandRefiner", () => {
  it("sends the RefinerInput as JSON and reads the proposal", async () => {
    const r = refiner("refine.py");
    expect(r.name).toBe("command:python3");
    const proposal = await r.refine(input);
    expect(proposal).toEqual({
      parameters: { n: 3 },
      code: "x = 1\ny = 2\n",
      description: `n + 1; tried ['{"n":2}']`,
      source: "command:python3",
    });
  });

  it("rejects garbage, a wrong shape and a crash with a clear error", async () => {
    const reason = (script: string) =>
      refiner(script)
        .refine(input)
        .then(
          () => "resolved",
          (e: unknown) => {
            expect(ConvergeError.isInstance(e)).toBe(true);
            return (e as Error).message;
          },
        );
    expect(await reason("garbage.py")).toMatch(
      /refiner \["python3",".*garbage\.py"\] printed something that is not JSON on stdout: "I think n should be 3"/,
    );
    expect(await reason("shape.py")).toMatch(/printed a proposal that does not fit: parameters: /);
    const crash = await reason("crash.py");
    expect(crash).toMatch(/exited with code 1/);
    expect(crash).toContain("KeyError: n");
  });
});
