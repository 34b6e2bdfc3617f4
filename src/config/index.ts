export * from "./config.js";
export * from "./options.js";
export * from "./validate-config.js";
export * from "./load-config.js";
export * from "./homebridge-ui-schema.js";
