// The Homebridge entry point (package.json "main"): registers the Doorstep dynamic platform.
import type { API } from "homebridge";
import { PLATFORM_NAME } from "../config/options.js";
import { DoorstepPlatform } from "./doorstep-platform.js";

export default (api: API): void => {
  api.registerPlatform(PLATFORM_NAME, DoorstepPlatform);
};
