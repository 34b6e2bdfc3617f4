// matter.js writes its log to the console (stdout), where `doorstep serve` keeps machine-readable lines. Route it
// to Doorstep's logger instead, warnings and worse by default (MATTER_LOG_LEVEL still chooses, for debugging).
import "./matter-process-config.js";
import { LogFormat, Logger as MatterLogger, LogLevel } from "@matter/main";
import type { Logger } from "../core/logger.js";

/** Sends matter.js' default log destination to `logger`; returns the function that restores the console. */
export function routeMatterLogs(logger: Logger): () => void {
  const destination = MatterLogger.destinations.default;
  if (!destination) return () => undefined;
  const { write, level, format } = destination;
  if (process.env.MATTER_LOG_LEVEL === undefined) destination.level = LogLevel.WARN;
  destination.format = LogFormat(LogFormat.PLAIN);
  destination.write = (text, message) => {
    const line = text.trimEnd();
    if (message.level >= LogLevel.ERROR) logger.error(line);
    else if (message.level >= LogLevel.WARN) logger.warn(line);
    else if (message.level >= LogLevel.INFO) logger.info(line);
    else logger.debug(line);
  };
  return () => {
    destination.write = write;
    destination.level = level;
    destination.format = format;
  };
}
