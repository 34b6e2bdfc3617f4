// Generates the Homebridge UI's config.schema.json from the one ajv schema, so the two cannot drift.
// The UI speaks an Angular-JSON-Schema-Form dialect: `required: true` on properties instead of a required array,
// and secrets are marked with `x-schemaform: { type: "password" }`-style `format: "password"`.
import { configSchema, PLATFORM_NAME } from "./options.js";

type Schema = { [key: string]: unknown };
const HOMEBRIDGE_OWNED = new Set(["platform", "_bridge"]);

function toUiSchema(schema: Schema, required = false): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$id" || key === "additionalProperties" || key === "x-secret") continue;
    if (key === "required" && Array.isArray(value)) continue;
    if (key === "properties") {
      const req = new Set((schema.required as string[] | undefined) ?? []);
      const props: Schema = {};
      for (const [name, sub] of Object.entries(value as Schema)) {
        if (HOMEBRIDGE_OWNED.has(name)) continue;
        props[name] = toUiSchema(sub as Schema, req.has(name));
      }
      out.properties = props;
    } else if (key === "items") {
      out.items = toUiSchema(value as Schema);
    } else {
      out[key] = value;
    }
  }
  if (required) out.required = true;
  // The UI's form library (ajsf) renders a bounded number as a range slider with no visible value: ask for a number box.
  if ((out.type === "integer" || out.type === "number") && out.minimum !== undefined && out.maximum !== undefined) {
    out["x-schema-form"] = { type: "number" };
  }
  if (schema["x-secret"] === true) {
    out.format = "password";
    // ajsf picks its widget from x-schema-form, not from `format`: without this a secret is shown in clear.
    if (out.type === "string") out["x-schema-form"] = { type: "password" };
  }
  // An object default of {} would make the UI write empty sections into config.json.
  if (out.type === "object" && out.default !== undefined) delete out.default;
  return out;
}

export function homebridgeUiSchema(): Schema {
  const schema = toUiSchema(configSchema as unknown as Schema);
  return {
    pluginAlias: PLATFORM_NAME,
    pluginType: "platform",
    singular: true,
    headerDisplay:
      "Doorstep lets couriers, cleaners and dog walkers in with time-boxed guest codes, records every visit on the indoor camera, and locks the door again. See the README for the API and the `doorstep` CLI.",
    schema,
    layout: [
      "name",
      { type: "fieldset", title: "Zigbee coordinator", expandable: true, expanded: true, items: ["zigbee.adapter", "zigbee.port", "zigbee.channel", "zigbee.panId", "zigbee.networkKey"] },
      {
        key: "doors",
        type: "array",
        title: "Doors",
        buttonText: "Add door",
        orderable: false,
        items: [
          "doors[].id",
          "doors[].name",
          "doors[].lock.ieee",
          {
            type: "fieldset", title: "Camera", expandable: true,
            items: ["doors[].camera.host", "doors[].camera.port", "doors[].camera.username", "doors[].camera.password", "doors[].camera.profile"],
          },
          { type: "flex", "flex-flow": "row wrap", items: ["doors[].relockAfterSeconds", "doors[].preRollSeconds", "doors[].postRollSeconds"] },
        ],
      },
      { type: "fieldset", title: "Delivery access", expandable: true, items: ["delivery.requireRecording", "delivery.inHomeDeliveries", "delivery.timeZone", "delivery.maxCredentialDays", "delivery.lockoutAttempts", "delivery.lockoutWindowMinutes"] },
      { type: "fieldset", title: "Recording", expandable: true, items: ["recording.ffmpegPath", "recording.ringSeconds", "recording.ringDir", "recording.maxBitrateKbps", "recording.retentionDays", "recording.retentionGigabytes"] },
      { type: "fieldset", title: "HTTP API", expandable: true, items: ["api.host", "api.port", "api.tls.cert", "api.tls.key"] },
      { type: "fieldset", title: "Matter", expandable: true, items: ["matter.enabled", "matter.port", "matter.passcode", "matter.discriminator"] },
      { type: "fieldset", title: "Advanced", expandable: true, items: ["storagePath"] },
    ],
  };
}

export function homebridgeUiSchemaText(): string {
  return `${JSON.stringify(homebridgeUiSchema(), null, 2)}\n`;
}
