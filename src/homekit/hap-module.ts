// The HAP library as Doorstep sees it: always injected (Homebridge passes `api.hap`, the standalone bridge loads
// @homebridge/hap-nodejs), so the same accessory code runs in both modes and the package loads without it.
import type HapNodeJs from "@homebridge/hap-nodejs";
import type { Controller, Service, WithUUID } from "@homebridge/hap-nodejs";
import { ConfigError } from "../core/errors.js";

/** The HAP-NodeJS module (what Homebridge hands plugins as `api.hap`). */
export type Hap = typeof HapNodeJs;

/**
 * What the accessory builders need from an accessory: a hap-nodejs `Accessory` and a Homebridge `PlatformAccessory`
 * both fit, so services are built the same way for the standalone bridge and inside Homebridge.
 */
export interface AccessoryHost {
  readonly displayName: string;
  readonly UUID: string;
  getService(name: string | WithUUID<typeof Service>): Service | undefined;
  getServiceById(uuid: string | WithUUID<typeof Service>, subType: string): Service | undefined;
  addService(service: Service): Service;
  configureController(controller: Controller): void;
}

export const HAP_PACKAGE = "@homebridge/hap-nodejs";

/**
 * Loads @homebridge/hap-nodejs for the standalone bridge. It is an optional peer dependency (Homebridge brings its
 * own), so a missing install is a clear ConfigError saying what to install, not a stack trace.
 */
export async function loadHap(): Promise<Hap> {
  try {
    const module = (await import(HAP_PACKAGE)) as Hap & { default?: Hap };
    return module.default && "Accessory" in module.default ? module.default : module;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new ConfigError(
        `The standalone HomeKit bridge needs ${HAP_PACKAGE}, which is not installed. Install it with "npm install ${HAP_PACKAGE}@^2.2.3", or run Doorstep inside Homebridge.`,
      );
    }
    throw error;
  }
}
