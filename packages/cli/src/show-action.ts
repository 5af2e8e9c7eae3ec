import type { CommandContext } from "./context.js";
import { loadExperiment } from "./load-experiment.js";
import { resolveShowTarget, type ShowOptions } from "./show-command.js";
import { writeShowJson } from "./show-json.js";
import { renderShow } from "./show-render.js";
import { loadStore } from "./store-uri.js";
import { noticeGate } from "./strict-notices.js";

/** `converge show <arg>`: loaded when the command runs (see show-command.ts). */
export async function runShow(
  arg: string,
  options: ShowOptions,
  ctx: CommandContext,
): Promise<void> {
  const target = resolveShowTarget(arg, options, ctx);
  const { location, experimentId } = target;
  const notices = noticeGate(ctx, options.strict);
  const store = await loadStore(location, { onNotice: notices.onNotice });
  let loaded: Awaited<ReturnType<typeof loadExperiment>>;
  try {
    loaded = await loadExperiment(store, experimentId, { lenient: options.lenient === true });
  } finally {
    await store.close();
  }
  notices.check();
  if (options.json) {
    await writeShowJson(ctx, loaded);
    return;
  }
  for (const line of renderShow(loaded, location, ctx.style)) ctx.out(line);
}
