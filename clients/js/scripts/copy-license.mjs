// The package carries the repository's licence file, which lives two folders up.
import { copyFile } from "node:fs/promises";

await copyFile(new URL("../../../LICENSE", import.meta.url), new URL("../LICENSE", import.meta.url));
