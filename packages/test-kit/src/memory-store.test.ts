import { memoryStore } from "@converge/core";
import { describeStoreContract } from "./index.js";

// core cannot take this package as a devDependency (it depends on core), so
// the in-memory store is checked here.
describeStoreContract(() => memoryStore(), { name: "memoryStore meets the Store contract" });
