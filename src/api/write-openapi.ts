// Regenerates docs/openapi.json from the route table (run after `tsc`: node dist/src/api/write-openapi.js).
import { writeFile } from "node:fs/promises";
import { openApiText } from "./openapi.js";

await writeFile(new URL("../../../docs/openapi.json", import.meta.url), openApiText());
