// Generates the Homebridge UI's config.schema.json from the one ajv schema, so the two cannot drift.
// The UI's form library (ajsf, as forked by homebridge-config-ui-x) speaks its own dialect: `required: true` on
// properties instead of a required array, widgets chosen by `x-schema-form`, and layout items that must be keyed
// `doors[]` inside the doors array (else each fieldset becomes an array element of its own).
import { configSchema, PLATFORM_NAME } from "./options.js";

type Schema = { [key: string]: unknown };
/** Set by Homebridge itself, or only read by the standalone bridge (`doorstep serve` has its own HomeKit bridge). */
const NOT_IN_THE_UI = new Set(["platform", "_bridge", "homekit"]);
/** Objects whose children are required only once the object is in use: the layout shows them under a condition. */
const OPTIONAL_GROUPS = new Set(["api.tls"]);

interface Walk {
  path: string;
  required: boolean;
  /** Inside an optional object without a default: a child default would make the form write the object. */
  inOptionalObject: boolean;
}

function toUiSchema(schema: Schema, at: Walk): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$id" || key === "additionalProperties" || key === "x-secret") continue;
    if (key === "required" && Array.isArray(value)) continue;
    if (key === "properties") {
      const req = OPTIONAL_GROUPS.has(at.path) ? new Set<string>() : new Set((schema.required as string[] | undefined) ?? []);
      const optionalObject = at.inOptionalObject || (schema.type === "object" && at.path !== "" && !at.path.endsWith("[]") && !at.required && schema.default === undefined);
      const props: Schema = {};
      for (const [name, sub] of Object.entries(value as Schema)) {
        if (at.path === "" && NOT_IN_THE_UI.has(name)) continue;
        const path = at.path ? `${at.path}.${name}` : name;
        props[name] = toUiSchema(sub as Schema, { path, required: req.has(name), inOptionalObject: optionalObject });
      }
      out.properties = props;
    } else if (key === "items") {
      out.items = toUiSchema(value as Schema, { path: `${at.path}[]`, required: false, inOptionalObject: false });
    } else {
      out[key] = value;
    }
  }
  if (at.required) out.required = true;
  if (at.inOptionalObject) delete out.default;
  // A bounded number would render as a range slider with no visible value: ask for a number box.
  if ((out.type === "integer" || out.type === "number") && out.minimum !== undefined && out.maximum !== undefined) {
    out["x-schema-form"] = { type: "number" };
  }
  // The widget comes from x-schema-form; `format: "password"` is not a JSON Schema format and the UI's validator
  // logs an error for each use of it.
  if (schema["x-secret"] === true && out.type === "string") out["x-schema-form"] = { type: "password" };
  // An object default of {} would make the UI write empty sections into config.json.
  if (out.type === "object" && out.default !== undefined) delete out.default;
  return out;
}

/** ajsf conditions are function bodies evaluated with `model` (the whole config) and `arrayIndices` in scope. */
const when = (expression: string) => ({ functionBody: `try { return ${expression}; } catch (e) { return false; }` });
const DOOR = "model.doors[arrayIndices[0]]";

export function homebridgeUiSchema(): Schema {
  const schema = toUiSchema(configSchema as unknown as Schema, { path: "", required: false, inOptionalObject: false });
  return {
    pluginAlias: PLATFORM_NAME,
    pluginType: "platform",
    singular: true,
    customUi: true,
    headerDisplay:
      "Doorstep lets couriers, cleaners and dog walkers in with time-boxed guest codes, records every visit on the indoor camera, and locks the door again. See the README for the API and the `doorstep` CLI.",
    schema,
    layout: [
      "name",
      { type: "fieldset", title: "Zigbee coordinator", expandable: true, expanded: true, items: ["zigbee.adapter", "zigbee.port", "zigbee.channel", "zigbee.panId", "zigbee.networkKey", "zigbee.baudRate", "zigbee.rtscts"] },
      {
        key: "doors",
        type: "array",
        title: "Doors",
        buttonText: "Add door",
        orderable: false,
        items: [
          "doors[].id",
          "doors[].name",
          "doors[].lock.driver",
          "doors[].lock.ieee",
          "doors[].hasCamera",
          {
            key: "doors[]",
            type: "fieldset",
            title: "Lock on Zigbee2MQTT",
            description: "The lock is paired to an existing Zigbee2MQTT; Doorstep reaches it through the MQTT broker.",
            condition: when(`${DOOR}.lock.driver === "zigbee2mqtt"`),
            items: ["doors[].lock.device", "doors[].lock.mqtt.url", "doors[].lock.mqtt.username", "doors[].lock.mqtt.password", "doors[].lock.baseTopic", "doors[].lock.pinSlots",
              "doors[].lock.mqtt.tls.ca", "doors[].lock.mqtt.tls.cert", "doors[].lock.mqtt.tls.key", "doors[].lock.mqtt.tls.rejectUnauthorized"],
          },
          {
            key: "doors[]",
            type: "fieldset",
            title: "Camera",
            description: "The ONVIF camera that records this door.",
            condition: when(`${DOOR}.hasCamera === true`),
            items: ["doors[].camera.host", "doors[].camera.port", "doors[].camera.username", "doors[].camera.password", "doors[].camera.profile"],
          },
          { key: "doors[]", type: "flex", "flex-flow": "row wrap", items: ["doors[].relockAfterSeconds", "doors[].preRollSeconds", "doors[].postRollSeconds"] },
        ],
      },
      { type: "fieldset", title: "Delivery access", expandable: true, items: ["delivery.requireRecording", "delivery.inHomeDeliveries", "delivery.timeZone", "delivery.maxCredentialDays", "delivery.lockoutAttempts", "delivery.lockoutWindowMinutes"] },
      { type: "fieldset", title: "Recording", expandable: true, items: ["recording.ffmpegPath", "recording.ringSeconds", "recording.ringDir", "recording.maxBitrateKbps", "recording.retentionDays", "recording.retentionGigabytes"] },
      {
        type: "fieldset",
        title: "HTTP API",
        expandable: true,
        items: [
          "api.host",
          "api.port",
          { key: "api.tls.cert", title: "TLS certificate file (optional)", description: "PEM certificate chain path; HTTPS when set, and then the key file is needed too." },
          { key: "api.tls.key", required: true, condition: when("!!(model.api && model.api.tls && model.api.tls.cert)") },
        ],
      },
      { type: "fieldset", title: "Matter", expandable: true, items: ["matter.enabled", "matter.port", "matter.passcode", "matter.discriminator", "matter.requirePinForRemoteOperation"] },
      { type: "fieldset", title: "Advanced", expandable: true, items: ["storagePath"] },
    ],
  };
}

export function homebridgeUiSchemaText(): string {
  return `${JSON.stringify(homebridgeUiSchema(), null, 2)}\n`;
}
