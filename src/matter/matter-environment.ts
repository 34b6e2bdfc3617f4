// A matter.js environment of our own whose storage lives under <storageDir>/matter, so the node never writes to
// ~/.matter and two nodes in one process (a test's controller, the host's own matter.js) keep apart.
import "./matter-process-config.js";
import { Environment, Filesystem, StorageService } from "@matter/main";
import { FileStorageDriver, FlatFileBlobStorageDriver, NodeJsFilesystem } from "@matter/nodejs";

/**
 * Runs `write` with BigInt.prototype.toJSON removed. zigbee-herdsman installs a toJSON that turns every bigint into a
 * plain string for the whole process; JSON.stringify calls it before matter.js' replacer, so fabric and node ids
 * would be stored as strings and the node could not start again after a restart ("... is not a number or bigint").
 * matter.js serialises synchronously when `set` is called, so the patch is absent for exactly that moment.
 */
export function withoutBigIntToJson<T>(write: () => T): T {
  const proto = BigInt.prototype as { toJSON?: unknown };
  const descriptor = Object.getOwnPropertyDescriptor(proto, "toJSON");
  if (!descriptor) return write();
  delete proto.toJSON;
  try {
    return write();
  } finally {
    Object.defineProperty(proto, "toJSON", descriptor);
  }
}

/** matter.js' file storage, safe against a process-wide BigInt.prototype.toJSON (see withoutBigIntToJson). */
const bigIntSafeFileStorage = {
  id: FileStorageDriver.id,
  async create(...args: Parameters<typeof FileStorageDriver.create>): Promise<FileStorageDriver> {
    const storage = await FileStorageDriver.create(...args);
    const set = storage.set.bind(storage) as (...a: unknown[]) => Promise<void>;
    storage.set = ((...a: unknown[]) => withoutBigIntToJson(() => set(...a))) as FileStorageDriver["set"];
    return storage;
  },
};

/** An environment inheriting network, crypto and time from matter.js' default, with file storage at `directory`. */
export function matterEnvironment(name: string, directory: string): Environment {
  const env = new Environment(name, Environment.default);
  env.set(Filesystem, new NodeJsFilesystem(directory));
  const storage = new StorageService(env);
  storage.registerDriver(bigIntSafeFileStorage);
  storage.registerBlobDriver(FlatFileBlobStorageDriver);
  storage.defaultDriver = "file";
  storage.defaultBlobDriver = "file";
  return env;
}
