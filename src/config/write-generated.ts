// `npm run schema`: regenerates config.schema.json and docs/configuration.md from src/config/options.ts.
import { writeFile } from "node:fs/promises";
import { configurationDoc } from "./configuration-doc.js";
import { homebridgeUiSchemaText } from "./homebridge-ui-schema.js";

await writeFile(new URL("../../../config.schema.json", import.meta.url), homebridgeUiSchemaText());
await writeFile(new URL("../../../docs/configuration.md", import.meta.url), configurationDoc());
