// matter.js reads ./config.json, parses every --x=y in argv, traps SIGINT and sets the exit code unless told not to
// before its first import. Inside Homebridge or `doorstep serve` the host owns all of these, so this module must be
// imported before anything from @matter/main (src/matter/index.ts imports it first). MATTER_* variables stay on.
import { config } from "@matter/nodejs/config";

/**
 * False when another component of this process (e.g. the host's own matter.js) initialised matter.js first: then its
 * settings apply and ours could not be set; startMatterBridge logs that.
 */
export const matterProcessConfigured: boolean = (() => {
  try {
    config.loadConfigFile = false;
    config.loadProcessArgv = false;
    config.trapProcessSignals = false;
    config.trapUnhandledErrors = false;
    config.setProcessExitCodeOnError = false;
    return true;
  } catch {
    // NodeJsAlreadyInitializedError: matter.js was loaded before us (config has no getter to ask first).
    return false;
  }
})();
