// Keeps Homebridge's own settings form (generated from config.schema.json) under the console. The UI renders that
// form only for an existing config block, and a fresh install has none: a minimal block is saved first (the UI does
// not re-render the form for a block added without a save). Include it from index.html as a module.
const hb = globalThis.homebridge;

async function showSettingsForm() {
  const blocks = await hb.getPluginConfig();
  if (blocks.length === 0) {
    await hb.updatePluginConfig([{ platform: "Doorstep", name: "Doorstep" }]);
    await hb.savePluginConfig();
  }
  hb.showSchemaForm();
}

if (hb) hb.addEventListener("ready", () => void showSettingsForm());
