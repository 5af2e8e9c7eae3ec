import { describeStoreContract } from "@converge/test-kit";
import { jsonlStore } from "./index.js";
import { tempDir } from "./test-fixtures/helpers.js";

// Durability changes when bytes reach the disk, never what the store promises.
for (const durability of ["batch", "none", "every"] as const) {
  describeStoreContract(() => jsonlStore({ dir: tempDir(), durability }), {
    name: `jsonlStore (durability "${durability}") meets the Store contract`,
    reopen: (store) => jsonlStore({ dir: store.dir }),
  });
}
