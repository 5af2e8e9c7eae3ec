// Child process of processes.test.ts: appends records to one experiment until
// it is killed. Uses the BUILT package (dist), as a user's process would.
//   node append-until-killed.mjs <dir> <experimentId> <small|huge> <durability>
import { IterationConflictError } from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";

const [dir, id, size, durability] = process.argv.slice(2);
const store = jsonlStore({ dir, durability });

// Appending iteration 1 learns where the experiment stands: it is the first
// record, or its conflict names the last one (cheaper than reading a file of
// many MB-sized records).
let last = 1;
try {
  await store.append({ experiment_id: id, iteration: 1, metrics: {} });
} catch (error) {
  if (!IterationConflictError.isInstance(error)) throw error;
  last = error.lastIteration;
}

// Records of many sizes (many over 4 KB); "huge" ones (MBs) keep the process
// inside write() much of the time, so a SIGKILL is likely to tear one.
function codeOf(iteration) {
  if (size === "huge") {
    // Plain ASCII: cheap to serialise, so most of the time goes to write().
    const unit = `iteration_${iteration}_`;
    return unit.repeat(Math.ceil((4_000_000 + ((iteration * 7919) % 4_000_000)) / unit.length));
  }
  const bytes =
    iteration % 5 === 0 ? 4_500 + ((iteration * 7919) % 60_000) : 100 + ((iteration * 31) % 4_000);
  const unit = `# iteration ${iteration}: règle ✓\n`;
  return unit.repeat(Math.ceil(bytes / unit.length));
}

for (let i = 1; i <= 100_000; i++) {
  const iteration = last + i;
  await store.append({
    experiment_id: id,
    iteration,
    timestamp: new Date().toISOString(),
    strategy_code: codeOf(iteration),
    parameters: { position_size: (iteration % 10) / 10, window: iteration % 50 },
    metrics: { sharpe_ratio: Math.sin(iteration), max_drawdown: Math.abs(Math.cos(iteration)) },
  });
  if (i === 1) process.stdout.write("appending\n");
}
process.stdout.write("finished before being killed\n");
