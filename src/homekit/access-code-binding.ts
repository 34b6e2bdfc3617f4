// The Access Code service on a door's lock: Apple Home lists, adds, edits and removes the keypad codes. A code added in
// the Home app becomes a guest credential of kind "guest" on this door; Doorstep's own codes are listed by identifier
// only (their PINs stay Doorstep's). Admin controllers only, enforced by HAP-NodeJS from the session's pairing.
import type { CharacteristicProps, CharacteristicValue } from "@homebridge/hap-nodejs";
import type { DoorId } from "../access/ids.js";
import { ConflictError, formatError, ValidationError } from "../core/errors.js";
import { ownerVia } from "../delivery/actor.js";
import type { CredentialView } from "../delivery/credential-service.js";
import type { DeliveryEvents } from "../delivery/delivery-port.js";
import type { AccessCodeIds } from "./access-code-ids.js";
import {
  decodeAccessCodeRequest,
  encodeAccessCodeResponse,
  encodeSupportedConfiguration,
  type AccessCodeRequest,
  type AccessCodeRequestEntry,
  type AccessCodeResponseEntry,
} from "./access-code-tlv.js";
import type { DoorBindingContext } from "./door-binding-context.js";
import { ensureService, type Binding } from "./service-helpers.js";

export interface AccessCodeOptions {
  ids: AccessCodeIds;
  /** Codes from Apple Home have no end of their own; they last this long (the bridge's delivery.maxCredentialDays). */
  maxCredentialDays: number;
  /** Advertised maximum number of codes per door (Supported Configuration; 1-255). */
  maxCodes?: number;
}

export const ACCESS_CODE_LABEL = "Apple Home code";
export const DEFAULT_MAX_CODES = 100;
/** More entries than this in one write are refused entry by entry ("too many bulk operations"). */
export const MAX_BULK_ENTRIES = 16;
/** HAP's Access enum (READ, WRITE, NOTIFY): a const enum in HAP-NodeJS's typings, so its values are spelled here. */
const ADMIN_ONLY = [0, 1, 2] as unknown as NonNullable<CharacteristicProps["adminOnlyAccess"]>;
const HOMEKIT = ownerVia("homekit");
const DAY_MS = 86_400_000;

export function bindAccessCodes(ctx: DoorBindingContext, options: AccessCodeOptions): Binding {
  const { hap, accessory, doorId, delivery, logger } = ctx;
  const { ids } = options;
  const C = hap.Characteristic;
  const service = ensureService(hap, accessory, hap.Service.AccessCode, ctx.name);
  const controlPoint = service.getCharacteristic(C.AccessCodeControlPoint);
  const supported = service.getCharacteristic(C.AccessCodeSupportedConfiguration);
  const state = service.getCharacteristic(C.ConfigurationState);
  for (const characteristic of [controlPoint, supported, state]) characteristic.setProps({ adminOnlyAccess: ADMIN_ONLY });

  const maxCodes = options.maxCodes ?? DEFAULT_MAX_CODES;
  const lengths = () => {
    const { min, max } = delivery.door(doorId).lock.pinLengths;
    return { min, max: Math.min(max, 255) };
  };
  supported.onGet(() => {
    const { min, max } = lengths();
    return encodeSupportedConfiguration({ minLength: min, maxLength: max, maxCodes }).toString("base64");
  });
  state.onGet(() => ids.configurationState(doorId));
  // The answer travels in the write response; a plain read has nothing queued.
  controlPoint.onGet(() => "");

  /** The door's live codes, each with its identifier (new ones numbered), forgetting identifiers of gone codes. */
  const current = (): { entry: ReturnType<AccessCodeIds["assign"]>; credential: CredentialView }[] => {
    const live = delivery.credentials.list(HOMEKIT, { doorId: doorId as DoorId }).filter((c) => c.live);
    ids.retain(doorId, new Set(live.map((c) => c.id)));
    return live.map((credential) => ({ entry: ids.assign(doorId, credential.id, "doorstep"), credential }));
  };

  const list = (): AccessCodeResponseEntry[] => current().map(({ entry }) => ({ identifier: entry.identifier, status: "success" }));

  const read = (request: AccessCodeRequestEntry): AccessCodeResponseEntry => {
    if (request.identifier === undefined) return { status: "invalidRequest" };
    const found = current().find(({ entry }) => entry.identifier === request.identifier);
    return found ? { identifier: request.identifier, status: "success" } : { identifier: request.identifier, status: "doesNotExist" };
  };

  /** Why a code cannot be used, as Apple Home's status codes say it; undefined when its shape is fine. */
  const shapeProblem = (code: string): AccessCodeResponseEntry["status"] | undefined => {
    if (!/^[0-9]+$/.test(code)) return "invalidCharacter";
    const { min, max } = lengths();
    if (code.length < min) return "tooShort";
    if (code.length > max) return "tooLong";
    return undefined;
  };

  const create = (code: string, fields: Record<string, unknown>): { status: AccessCodeResponseEntry["status"]; credential?: CredentialView } => {
    try {
      const { credential } = delivery.credentials.create({ ...fields, pin: code }, HOMEKIT);
      return { status: "success", credential };
    } catch (error) {
      if (error instanceof ConflictError) return { status: "duplicate" };
      // An easily guessed code (1234, 1111…) has no status of its own; the Home app shows a generic failure.
      if (error instanceof ValidationError) {
        logger.warn(`Apple Home's access code was refused: ${error.message}.`);
        return { status: "invalidRequest" };
      }
      logger.error(`Unable to add Apple Home's access code: ${formatError(error)}.`);
      return { status: "unknown" };
    }
  };

  const add = (request: AccessCodeRequestEntry): AccessCodeResponseEntry => {
    if (request.code === undefined) return { status: "invalidRequest" };
    const problem = shapeProblem(request.code);
    if (problem) return { status: problem };
    if (current().length >= maxCodes) return { status: "maxCodesExceeded" };
    const validFrom = Date.now();
    const { status, credential } = create(request.code, {
      label: ACCESS_CODE_LABEL,
      kind: "guest",
      doors: [doorId],
      validFrom,
      validUntil: validFrom + options.maxCredentialDays * DAY_MS,
      // The bridge-wide delivery.requireRecording still applies; the Home app has no such setting per code.
      requireRecording: false,
    });
    if (!credential) return { status };
    const entry = ids.assign(doorId, credential.id, "homekit");
    logger.info(`Apple Home added access code ${entry.identifier}.`);
    return { identifier: entry.identifier, code: request.code, status };
  };

  const update = (request: AccessCodeRequestEntry): AccessCodeResponseEntry => {
    if (request.identifier === undefined || request.code === undefined) return { status: "invalidRequest" };
    const identifier = request.identifier;
    const found = current().find(({ entry }) => entry.identifier === identifier);
    if (!found) return { identifier, status: "doesNotExist" };
    // Doorstep's own codes (a provider's, the API's) keep the PIN they were given there.
    if (found.entry.origin !== "homekit") return { identifier, status: "invalidRequest" };
    const problem = shapeProblem(request.code);
    if (problem) return { identifier, status: problem };
    const old = found.credential;
    const { status, credential } = create(request.code, {
      label: old.label,
      kind: old.kind,
      doors: old.doors,
      validFrom: old.validFrom,
      validUntil: old.validUntil,
      mode: old.mode,
      allowWhenPetsHome: old.allowWhenPetsHome,
      requireRecording: old.requireRecording,
      ...(old.schedule && { schedule: old.schedule }),
      ...(old.maxUses !== undefined && { maxUses: old.maxUses }),
      ...(old.expiresAfterFirstUseMinutes !== undefined && { expiresAfterFirstUseMinutes: old.expiresAfterFirstUseMinutes }),
    });
    if (!credential) return { identifier, status };
    ids.rebind(doorId, identifier, credential.id);
    delivery.credentials.revoke(old.id, HOMEKIT);
    logger.info(`Apple Home changed access code ${identifier}.`);
    return { identifier, code: request.code, status };
  };

  const remove = (request: AccessCodeRequestEntry): AccessCodeResponseEntry => {
    if (request.identifier === undefined) return { status: "invalidRequest" };
    const identifier = request.identifier;
    const found = current().find(({ entry }) => entry.identifier === identifier);
    if (!found) return { identifier, status: "doesNotExist" };
    delivery.credentials.revoke(found.credential.id, HOMEKIT);
    ids.retain(doorId, new Set(current().map(({ credential }) => credential.id)));
    logger.info(`Apple Home removed access code ${identifier} ("${found.credential.label}").`);
    return { identifier, status: "success" };
  };

  const handle = (request: AccessCodeRequest): AccessCodeResponseEntry[] => {
    if (request.operation === "list") return list();
    if (request.entries.length === 0) return [{ status: "invalidRequest" }];
    if (request.entries.length > MAX_BULK_ENTRIES) return request.entries.map(() => ({ status: "tooManyBulkOperations" }));
    const each = { read, add, update, remove }[request.operation];
    return request.entries.map(each);
  };

  // One write at a time: each waits for the one before it, so two controllers never interleave a list and an add.
  let queue: Promise<unknown> = Promise.resolve();
  controlPoint.onSet((value: CharacteristicValue) => {
    const run = queue.then(() => {
      let request: AccessCodeRequest;
      try {
        if (typeof value !== "string") throw new ValidationError("must be base64 TLV8", "value");
        request = decodeAccessCodeRequest(Buffer.from(value, "base64"));
      } catch (error) {
        logger.warn(`Apple Home sent an access code request that is not understood: ${formatError(error)}.`);
        throw new hap.HapStatusError(hap.HAPStatus.INVALID_VALUE_IN_REQUEST);
      }
      return encodeAccessCodeResponse(request.operation, handle(request)).toString("base64");
    });
    queue = run.catch(() => undefined);
    return run;
  });

  const onCredentialChanged: (...args: DeliveryEvents["credentialChanged"]) => void = ({ credential }) => {
    if (!credential.doors.includes(doorId as DoorId)) return;
    state.updateValue(ids.bumpConfigurationState(doorId));
  };
  delivery.events.on("credentialChanged", onCredentialChanged);
  return {
    dispose() {
      delivery.events.off("credentialChanged", onCredentialChanged);
    },
  };
}
