#!/usr/bin/env node
/**
 * The `converge` binary: turns the code cache on (see code-cache.ts), then
 * loads the bundled command (dist/cli.cjs, built by scripts/bundle.mjs).
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { codeCacheDir, installCodeCache } from "./code-cache.js";

const here = dirname(fileURLToPath(import.meta.url));
const cache = codeCacheDir(process.env);
if (cache !== null) installCodeCache(here, cache);
createRequire(import.meta.url)("./cli.cjs");
