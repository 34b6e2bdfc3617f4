// The door as a Matter DoorLock whose users, PINs and schedules are Doorstep guest credentials.
// matter.js keeps the Matter view (users, encrypted PINs, schedules); every change is projected onto the credential
// store through DeliveryPort.credentials, and every unlock goes through the delivery flow (recording first). matter.js
// enforces none of schedules, user types or operating modes: this class does, by letting the access core decide.
import { Bytes } from "@matter/main";
import { DoorLockServer } from "@matter/main/behaviors/door-lock";
import { DoorLock } from "@matter/main/clusters/door-lock";
import { field, listOf, nonvolatile, string, uint16 } from "@matter/main/model";
import { FabricIndex } from "@matter/main/types";
import { DoorLockRefusal, matterStatusError, refusedCredential, succeeded, type DoorLockRefusalKind } from "./matter-status.js";
import type { CredentialId, VisitId } from "../access/ids.js";
import { ConflictError, DeviceUnreachableError, ValidationError, formatError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { ownerVia } from "../delivery/actor.js";
import type { CredentialView } from "../delivery/credential-service.js";
import type { RedeemOutcome } from "../delivery/delivery-port.js";
import { validateCredentialInput } from "../access/credential-input.js";
import { DoorstepLink } from "./doorstep-link.js";
import { editPlan, mirrorCredential, mirrorPlan, pinText, projectUser, termsInput, viewFingerprint, type MatterUserView } from "./lock-user-mapping.js";
import { operationErrorFor } from "./operation-error.js";

const MATTER = ownerVia("matter");
const PIN = DoorLock.CredentialType.Pin;
const ALL = 0xfffe;
/** A guest code the store would not take, as the command's answer. */
function notSaved(error: unknown) {
  if (error instanceof ConflictError) return matterStatusError(new ConflictError("Another guest code already uses this PIN at this door"));
  return matterStatusError(error, error instanceof ValidationError ? "Not a valid guest code" : "The guest code was not saved");
}

/** A refusal by the DoorLock cluster's rules, as the command's answer (the status is matter-status.ts's decision). */
const refused = (kind: DoorLockRefusalKind, message: string) => matterStatusError(new DoorLockRefusal(kind, message));
/** Credential data of a mirrored user: never equal to a PIN (digits), so it can neither match nor collide. */
const PLACEHOLDER = Bytes.fromHex("ffffffffffffffff");

/** Which credential a Matter user stands for, and whether the user came from Matter or from the store. */
export class UserLink {
  @field(uint16)
  userIndex!: number;

  @field(string)
  credentialId!: string;

  /** "matter": made by a controller, projected onto a credential; "store": mirrored from a credential. */
  @field(string)
  origin!: string;

  /** Of the Matter view the credential was made from: unchanged view, no new credential. */
  @field(string)
  fingerprint!: string;
}

const Base = DoorLockServer.with("PinCredential", "User", "CredentialOverTheAirAccess", "YearDayAccessSchedules", "WeekDayAccessSchedules", "DoorPositionSensor");

export class GuestLockServer extends Base {
  declare state: GuestLockServer.State;

  // ── Lock operations ──

  override async unlockDoor(request: DoorLock.UnlockDoorRequest): Promise<void> {
    await this.#unlock(request.pinCode);
  }

  override async unlockWithTimeout(request: DoorLock.UnlockWithTimeoutRequest): Promise<void> {
    // The relock time is the door's relockAfterSeconds: a controller's timeout does not extend a guest visit.
    await this.#unlock(request.pinCode);
  }

  override async lockDoor(request: DoorLock.LockDoorRequest): Promise<void> {
    const operation = DoorLock.LockOperationType.Lock;
    this.#assertRemoteAllowed(operation);
    if (request.pinCode === undefined && this.state.requirePinForRemoteOperation) {
      this.#refuse(operation, DoorLock.OperationError.InvalidCredential, "PIN required for remote operation");
    }
    let userIndex: number | null = null;
    if (request.pinCode !== undefined) {
      const pin = this.#pinText(request.pinCode, operation);
      // Through the wrong-PIN lockout, as an unlock is: a PIN check is a guess whatever the door does after it.
      const checked = this.#link.delivery.checkRemotePin({ doorId: this.#doorId, pin, actor: MATTER, source: this.#source });
      if (checked.outcome === "locked-out") {
        this.#refuse(operation, operationErrorFor("locked-out"), `Refused: locked-out (retry in ${checked.retryAfterSeconds} s)`);
      }
      if (checked.outcome !== "valid") this.#refuse(operation, DoorLock.OperationError.InvalidCredential, "Invalid PIN code");
      userIndex = this.#linkOfCredential(checked.credentialId)?.userIndex ?? null;
    }
    const doorId = this.#doorId;
    let state: string;
    try {
      state = await this.#link.commanding(doorId, () => this.#link.delivery.ownerLock(doorId, MATTER));
    } catch (error) {
      this.#log.warn(`Matter lock failed: ${formatError(error)}`);
      throw matterStatusError(error, "The lock did not lock");
    }
    if (state !== "locked") throw matterStatusError(new DeviceUnreachableError(`The lock did not confirm the lock (${state})`));
    this.state.lockState = DoorLock.LockState.Locked;
    this.#emitOperation(operation, DoorLock.OperationSource.Remote, userIndex);
  }

  async #unlock(pinCode: Bytes | undefined): Promise<void> {
    const operation = DoorLock.LockOperationType.Unlock;
    this.#assertRemoteAllowed(operation);
    const doorId = this.#doorId;
    const delivery = this.#link.delivery;
    if (pinCode === undefined) {
      if (this.state.requirePinForRemoteOperation) {
        this.#refuse(operation, DoorLock.OperationError.InvalidCredential, "PIN required for remote operation");
      }
      let state: string;
      try {
        state = await this.#link.commanding(doorId, () => delivery.ownerUnlock(doorId, MATTER));
      } catch (error) {
        this.#log.warn(`Matter unlock failed: ${formatError(error)}`);
        throw matterStatusError(error, "The lock did not unlock");
      }
      // Not confirmed (the lock did not answer in time): a failure; the lock's own later report moves lockState.
      if (state !== "unlocked") throw matterStatusError(new DeviceUnreachableError(`The lock did not confirm the unlock (${state})`));
      this.state.lockState = DoorLock.LockState.Unlocked;
      this.#emitOperation(operation, DoorLock.OperationSource.Remote, null);
      return;
    }
    const pin = this.#pinText(pinCode, operation);
    if (this.state.operatingMode === DoorLock.OperatingMode.Vacation) {
      this.#refuse(operation, DoorLock.OperationError.Restricted, "Guest codes are off in vacation mode");
    }
    // The delivery flow: policy (schedule, uses, switches), recording first, then the unlock, all or nothing.
    const source = this.#source;
    let outcome: RedeemOutcome;
    try {
      outcome = await this.#link.commanding(doorId, () => delivery.redeem({ doorId, pin, actor: MATTER, source }));
    } catch (error) {
      this.#log.warn(`Matter unlock with a PIN failed: ${formatError(error)}`);
      throw matterStatusError(error, "The lock did not unlock");
    }
    if (outcome.outcome !== "unlocked") {
      this.#log.info(`Matter unlock with a PIN refused: ${outcome.reason}.`);
      this.#refuse(operation, operationErrorFor(outcome.reason), `Refused: ${outcome.reason}`);
    }
    this.#link.ownVisits.add(outcome.visitId);
    const userIndex = this.#userOfVisit(outcome.visitId);
    this.state.lockState = DoorLock.LockState.Unlocked;
    this.#emitOperation(operation, DoorLock.OperationSource.Remote, userIndex);
    if (userIndex !== null) this.#disableIfSpent(userIndex);
  }

  /** NoRemoteLockUnlock and Privacy refuse every remote lock/unlock (spec 5.2.6.x OperatingModeEnum). */
  #assertRemoteAllowed(operation: DoorLock.LockOperationType): void {
    const mode = this.state.operatingMode;
    if (mode === DoorLock.OperatingMode.NoRemoteLockUnlock || mode === DoorLock.OperatingMode.Privacy) {
      this.#refuse(operation, DoorLock.OperationError.Restricted, `Remote operation is off in ${DoorLock.OperatingMode[mode]} mode`);
    }
  }

  #pinText(pinCode: Bytes, operation: DoorLock.LockOperationType): string {
    const text = pinText(Bytes.of(pinCode));
    if (text === undefined) this.#refuse(operation, DoorLock.OperationError.InvalidCredential, "A PIN is 4 to 8 digits");
    return text;
  }

  #refuse(operation: DoorLock.LockOperationType, error: DoorLock.OperationError, message: string): never {
    this.events.lockOperationError.emit(
      {
        lockOperationType: operation,
        operationSource: DoorLock.OperationSource.Remote,
        operationError: error,
        userIndex: null,
        fabricIndex: this.context.fabric ?? null,
        sourceNode: this.#sourceNode,
        credentials: null,
      },
      this.context,
    );
    throw refused("operation-refused", message);
  }

  #emitOperation(operation: DoorLock.LockOperationType, source: DoorLock.OperationSource, userIndex: number | null): void {
    const credentialIndex = userIndex === null ? undefined : this.#pinIndexOf(userIndex);
    this.events.lockOperation.emit(
      {
        lockOperationType: operation,
        operationSource: source,
        userIndex,
        fabricIndex: source === DoorLock.OperationSource.Remote ? (this.context.fabric ?? null) : null,
        sourceNode: source === DoorLock.OperationSource.Remote ? this.#sourceNode : null,
        credentials: credentialIndex === undefined ? null : [{ credentialType: PIN, credentialIndex }],
      },
      this.context,
    );
  }

  /** The client, for the per-source wrong-PIN lockout. */
  get #source(): string {
    return `matter:${this.context.fabric ?? 0}`;
  }

  get #sourceNode() {
    const context = this.context;
    return "subject" in context && context.subject?.kind === "node" ? context.subject.id : null;
  }

  // ── Users and credentials (USR) ──

  override async setUser(request: DoorLock.SetUserRequest): Promise<void> {
    if (request.operationType === DoorLock.DataOperationType.Modify) this.#assertMatterOwned(request.userIndex);
    await super.setUser(request);
    await this.#project(request.userIndex);
  }

  override async clearUser(request: DoorLock.ClearUserRequest): Promise<void> {
    const affected = request.userIndex === ALL ? this.state.links.map((l) => l.userIndex) : [request.userIndex];
    await super.clearUser(request);
    for (const userIndex of affected) this.#unlink(userIndex, "its Matter user was cleared");
  }

  override async setCredential(request: DoorLock.SetCredentialRequest): Promise<DoorLock.SetCredentialResponse> {
    const { credential, operationType } = request;
    if (credential.credentialType !== PIN) return super.setCredential(request);
    const auth = this.auth;
    const max = this.state.numberOfPinUsersSupported;
    let credentialIndex = credential.credentialIndex;
    // Index 0 is the Programming PIN's; controllers (Apple Home) send it to mean "any free slot".
    if (operationType === DoorLock.DataOperationType.Add && credentialIndex === 0) {
      const free = auth.findNextAvailableCredentialIndex(PIN, 0, max);
      if (free === null) return refusedCredential(new DoorLockRefusal("no-free-slot", `All ${max} PIN credentials are in use`), null);
      credentialIndex = free;
    }
    if (credentialIndex < 1 || credentialIndex > max) return refusedCredential(new DoorLockRefusal("invalid-command", `No PIN credential ${credentialIndex}`), null);
    const pin = pinText(Bytes.of(request.credentialData));
    if (pin === undefined || pin.length < this.state.minPinCodeLength || pin.length > this.state.maxPinCodeLength) {
      return refusedCredential(new DoorLockRefusal("invalid-command", "Not a PIN of an accepted length"), null);
    }
    const nextCredentialIndex = auth.findNextAvailableCredentialIndex(PIN, credentialIndex, max);
    const existing = auth.findCredential(PIN, credentialIndex);
    if (operationType === DoorLock.DataOperationType.Add && existing) {
      return refusedCredential(new DoorLockRefusal("occupied", `PIN credential ${credentialIndex} is in use`), nextCredentialIndex);
    }
    const duplicate = new DoorLockRefusal("duplicate", "Another user or guest code has this PIN");
    const owner = existing ? auth.findUserIndexForCredential(PIN, credentialIndex) : request.userIndex;
    if (owner !== null && owner !== undefined) this.#assertMatterOwned(owner);
    if (auth.isDuplicateCredential(PIN, request.credentialData, credentialIndex)) return refusedCredential(duplicate, nextCredentialIndex);
    // A PIN some other credential (API, CLI, another door's user) already uses at this door is a duplicate too.
    const holder = this.#holderOf(pin);
    const ownCredential = owner !== null && owner !== undefined ? this.#linkOf(owner)?.credentialId : undefined;
    if (holder && holder.id !== ownCredential && holder.revokedAt === undefined) return refusedCredential(duplicate, nextCredentialIndex);

    const response = await super.setCredential({ ...request, credential: { credentialType: PIN, credentialIndex } });
    if (!succeeded(response)) return response;
    const userIndex = request.userIndex ?? response.userIndex;
    if (userIndex !== null) await this.#project(userIndex);
    return response;
  }

  override async clearCredential(request: DoorLock.ClearCredentialRequest): Promise<void> {
    const auth = this.auth;
    const c = request.credential;
    const affected =
      c === null || c.credentialIndex === ALL
        ? auth.users.filter((u) => u.credentials.some((x) => c === null || x.credentialType === c.credentialType)).map((u) => u.userIndex)
        : [auth.findUserIndexForCredential(c.credentialType, c.credentialIndex)].filter((u): u is number => u !== null);
    await super.clearCredential(request);
    for (const userIndex of affected) {
      if (this.#linkOf(userIndex)?.origin === "store") this.#unlink(userIndex, "its PIN was cleared in Matter");
      else await this.#project(userIndex);
    }
  }

  // ── Schedules (WDSCH, YDSCH) ──

  override async setWeekDaySchedule(request: DoorLock.SetWeekDayScheduleRequest): Promise<void> {
    const { startHour, startMinute, endHour, endMinute, daysMask } = request;
    if (startHour > 23 || endHour > 23 || startMinute > 59 || endMinute > 59 || !Object.values(daysMask).some(Boolean)) {
      throw refused("invalid-command", "Week-day schedule out of range");
    }
    this.#assertMatterOwned(request.userIndex);
    await super.setWeekDaySchedule(request);
    await this.#project(request.userIndex);
  }

  override async clearWeekDaySchedule(request: DoorLock.ClearWeekDayScheduleRequest): Promise<void> {
    this.#assertMatterOwned(request.userIndex);
    await super.clearWeekDaySchedule(request);
    await this.#project(request.userIndex);
  }

  override async setYearDaySchedule(request: DoorLock.SetYearDayScheduleRequest): Promise<void> {
    this.#assertMatterOwned(request.userIndex);
    await super.setYearDaySchedule(request);
    await this.#project(request.userIndex);
  }

  override async clearYearDaySchedule(request: DoorLock.ClearYearDayScheduleRequest): Promise<void> {
    this.#assertMatterOwned(request.userIndex);
    await super.clearYearDaySchedule(request);
    await this.#project(request.userIndex);
  }

  // ── Projection: Matter user → credential ──

  /**
   * Brings the store in line with one Matter user. Any failure throws (the command fails and matter.js rolls its state
   * back) after undoing what this call changed in the store, so a refused command changes nothing.
   */
  async #project(userIndex: number): Promise<void> {
    const link = this.#linkOf(userIndex);
    if (link?.origin === "store") return;
    const view = this.#viewOf(userIndex);
    const fingerprint = view ? viewFingerprint(view) : "";
    if (link && link.fingerprint === fingerprint) return;
    const o = this.#link.options;
    const now = o.clock.now();
    const projection = view
      ? projectUser(view, {
        doorId: this.#doorId,
        timeZone: o.timeZone,
        now,
        maxCredentialDays: o.maxCredentialDays,
        expiringUserTimeoutMinutes: this.state.expiringUserTimeout ?? 60,
      })
      : ({ kind: "no-access", why: "was removed" } as const);
    const credentials = this.#link.delivery.credentials;
    if (projection.kind === "no-access") {
      if (link) this.#unlink(userIndex, `its Matter user ${projection.why}`);
      this.#log.debug(`Matter user ${userIndex} ${projection.why}: no guest code.`);
      return;
    }
    const input = projection.input;
    const checked = validateCredentialInput(input, { knownDoors: [this.#doorId], now, maxSpanDays: o.maxCredentialDays });
    if (!checked.ok) throw matterStatusError(ValidationError.of(checked.errors), "Not a valid guest code");
    const old = link ? this.#credentialOrUndefined(link.credentialId) : undefined;
    const samePin = old !== undefined && view?.pin !== undefined && this.#holderOf(view.pin)?.id === old.id;
    const plan = editPlan(old, samePin);
    if (plan.kind === "amend") {
      await this.#amend(userIndex, plan.old, input, fingerprint);
      return;
    }
    if (plan.revokeOld === "before") credentials.revoke(plan.old.id, MATTER);
    let created: CredentialView;
    try {
      created = credentials.create(input, MATTER).credential;
    } catch (error) {
      throw notSaved(error);
    }
    if (created.live && created.mode !== "remote" && created.validFrom <= now) {
      try {
        await this.#link.awaitKeypad(this.#doorId, created.id);
      } catch (error) {
        credentials.revoke(created.id, MATTER);
        this.#log.warn(`Matter user ${userIndex}: ${formatError(error)}; the command fails.`);
        throw matterStatusError(error);
      }
    }
    if (plan.revokeOld === "after") credentials.revoke(plan.old.id, MATTER);
    this.#setLink({ userIndex, credentialId: created.id, origin: "matter", fingerprint });
    this.#log.info(`Matter user ${userIndex} is guest code ${created.id} ("${created.label}").`);
  }

  async #amend(userIndex: number, old: CredentialView, input: unknown, fingerprint: string): Promise<void> {
    const credentials = this.#link.delivery.credentials;
    const now = this.#link.options.clock.now();
    let amended: CredentialView;
    try {
      amended = credentials.amend(old.id, input, MATTER);
    } catch (error) {
      throw notSaved(error);
    }
    if (amended.live && amended.mode !== "remote" && amended.validFrom <= now) {
      try {
        await this.#link.awaitKeypad(this.#doorId, amended.id);
      } catch (error) {
        credentials.amend(old.id, termsInput(old), MATTER);
        this.#log.warn(`Matter user ${userIndex}: ${formatError(error)}; the command fails and guest code ${old.id} keeps its terms.`);
        throw matterStatusError(error);
      }
    }
    this.#setLink({ userIndex, credentialId: amended.id, origin: "matter", fingerprint });
    this.#log.info(`Matter user ${userIndex}: guest code ${amended.id} ("${amended.label}") changed.`);
  }

  #viewOf(userIndex: number): MatterUserView | undefined {
    const auth = this.auth;
    const user = auth.findUser(userIndex);
    if (!user) return undefined;
    const pinRef = user.credentials.find((c) => c.credentialType === PIN);
    const stored = pinRef ? auth.findCredential(PIN, pinRef.credentialIndex) : undefined;
    const pin = stored ? pinText(Bytes.of(auth.decrypt(stored.credentialData))) : undefined;
    return {
      userIndex,
      userName: user.userName,
      userStatus: user.userStatus,
      userType: user.userType,
      ...(pin !== undefined && { pin }),
      yearDay: this.state.yearDaySchedules.filter((s) => s.userIndex === userIndex).sort((a, b) => a.yearDayIndex - b.yearDayIndex),
      weekDay: this.state.weekDaySchedules.filter((s) => s.userIndex === userIndex).sort((a, b) => a.weekDayIndex - b.weekDayIndex),
    };
  }

  #assertMatterOwned(userIndex: number): void {
    if (this.#linkOf(userIndex)?.origin === "store") {
      throw refused("not-matter-owned", "This user is a Doorstep guest code: change it in Doorstep, or clear it here");
    }
  }

  #unlink(userIndex: number, why: string): void {
    const link = this.#linkOf(userIndex);
    if (!link) return;
    const credential = this.#credentialOrUndefined(link.credentialId);
    if (credential && credential.revokedAt === undefined) {
      this.#link.delivery.credentials.revoke(credential.id, MATTER);
      this.#log.info(`Guest code ${credential.id} revoked: ${why}.`);
    }
    this.state.links = this.state.links.filter((l) => l.userIndex !== userIndex);
  }

  // ── Mirror: credentials → Matter users ──

  /**
   * Shows the door's credentials made elsewhere (API, CLI) as Matter users, and retires users whose credential is
   * gone. Called from outside a command (`endpoint.act`).
   */
  async mirror(credentials: readonly CredentialView[]): Promise<void> {
    await this.#lockState();
    const auth = this.auth;
    const o = this.#link.options;
    // Plain copies: the managed list's items are invalidated ("Container was removed") once the list is reassigned.
    const links = this.state.links.map((l) => ({ userIndex: l.userIndex, credentialId: l.credentialId, origin: l.origin }));
    const plan = mirrorPlan(links, credentials);
    for (const userIndex of plan.remove) this.#removeUser(userIndex);
    if (plan.remove.length > 0) this.state.links = this.state.links.filter((l) => !plan.remove.includes(l.userIndex));
    for (const userIndex of plan.disable) {
      const user = auth.findUser(userIndex);
      if (user?.userStatus === DoorLock.UserStatus.OccupiedEnabled) auth.replaceUser(userIndex, { ...user, userStatus: DoorLock.UserStatus.OccupiedDisabled });
    }
    for (const c of plan.add) {
      const userIndex = auth.findAvailableUserIndex(this.state.numberOfTotalUsersSupported);
      const credentialIndex = auth.findNextAvailableCredentialIndex(PIN, 0, this.state.numberOfPinUsersSupported);
      if (userIndex === null || credentialIndex === null) {
        this.#log.warn(`No free Matter user for guest code ${c.id}; it works, but Matter does not list it.`);
        break;
      }
      const m = mirrorCredential(c, c.live, o.timeZone, this.state.numberOfWeekDaySchedulesSupportedPerUser);
      auth.addCredential(PIN, credentialIndex, PLACEHOLDER, FabricIndex.NO_FABRIC);
      auth.addUser({
        userIndex,
        userName: m.userName,
        userUniqueId: null,
        userStatus: m.userStatus,
        userType: m.userType,
        credentialRule: DoorLock.CredentialRule.Single,
        credentials: [{ credentialType: PIN, credentialIndex }],
        creatorFabricIndex: FabricIndex.NO_FABRIC,
        lastModifiedFabricIndex: FabricIndex.NO_FABRIC,
      });
      this.state.yearDaySchedules = [...this.state.yearDaySchedules, { yearDayIndex: 1, userIndex, ...m.yearDay }];
      this.state.weekDaySchedules = [...this.state.weekDaySchedules, ...m.weekDay.map((w, i) => ({ weekDayIndex: i + 1, userIndex, ...w }))];
      this.#setLink({ userIndex, credentialId: c.id, origin: "store", fingerprint: "" });
      this.#emitUserChange(DoorLock.DataOperationType.Add, userIndex);
    }
  }

  #removeUser(userIndex: number): void {
    const auth = this.auth;
    const user = auth.findUser(userIndex);
    if (user) for (const c of user.credentials) auth.removeCredential(c.credentialType, c.credentialIndex);
    auth.removeUser(userIndex);
    this.state.yearDaySchedules = this.state.yearDaySchedules.filter((s) => s.userIndex !== userIndex);
    this.state.weekDaySchedules = this.state.weekDaySchedules.filter((s) => s.userIndex !== userIndex);
    this.#emitUserChange(DoorLock.DataOperationType.Clear, userIndex);
  }

  #emitUserChange(operation: DoorLock.DataOperationType, userIndex: number): void {
    this.events.lockUserChange.emit(
      {
        lockDataType: DoorLock.LockDataType.UserIndex,
        dataOperationType: operation,
        operationSource: DoorLock.OperationSource.Unspecified,
        userIndex,
        fabricIndex: null,
        sourceNode: null,
        dataIndex: null,
      },
      this.context,
    );
  }

  // ── Reporting (called from outside a command) ──

  /** A keypad (or API) unlock the delivery service reported: LockOperation with the user and credential. */
  async reportUnlock(credentialId: CredentialId | undefined, source: DoorLock.OperationSource): Promise<void> {
    await this.#lockState();
    const userIndex = credentialId ? (this.#linkOfCredential(credentialId)?.userIndex ?? null) : null;
    this.state.lockState = DoorLock.LockState.Unlocked;
    this.#emitOperation(DoorLock.LockOperationType.Unlock, source, userIndex);
    if (userIndex !== null) this.#disableIfSpent(userIndex);
  }

  /** A refused keypad attempt. */
  async reportRefused(error: DoorLock.OperationError): Promise<void> {
    await this.#lockState();
    this.events.lockOperationError.emit(
      {
        lockOperationType: DoorLock.LockOperationType.Unlock,
        operationSource: DoorLock.OperationSource.Keypad,
        operationError: error,
        userIndex: null,
        fabricIndex: null,
        sourceNode: null,
        credentials: null,
      },
      this.context,
    );
  }

  /** A DisposableUser is disabled once used (spec 5.2.6.x UserTypeEnum). */
  #disableIfSpent(userIndex: number): void {
    const user = this.auth.findUser(userIndex);
    if (user?.userType !== DoorLock.UserType.DisposableUser || user.userStatus !== DoorLock.UserStatus.OccupiedEnabled) return;
    this.auth.replaceUser(userIndex, { ...user, userStatus: DoorLock.UserStatus.OccupiedDisabled });
    const link = this.#linkOf(userIndex);
    if (link?.origin === "matter") {
      const view = this.#viewOf(userIndex);
      if (view) this.#setLink({ ...link, fingerprint: viewFingerprint(view) });
    }
  }

  /** Outside a command, state is locked asynchronously (a command may hold it, awaiting the lock keypad). */
  async #lockState(): Promise<void> {
    await this.context.transaction.addResources(this);
    await this.context.transaction.begin();
  }

  // ── Links ──

  get #link(): DoorstepLink {
    return this.env.get(DoorstepLink);
  }

  get #doorId(): string {
    return this.#link.role(this.endpoint.id).doorId;
  }

  /** The door's one logger: "Front door: Matter user 3 is guest code ...". */
  get #log(): Logger {
    return this.#link.loggerOf(this.#doorId);
  }

  /** The credential that has this PIN at this door, if any (whatever its state). */
  #holderOf(pin: string): CredentialView | undefined {
    return this.#link.delivery.credentials.check({ doorId: this.#doorId, pin, via: "keypad", recording: true, lockAvailable: true }).credential;
  }

  #linkOf(userIndex: number): UserLink | undefined {
    return this.state.links.find((l) => l.userIndex === userIndex);
  }

  #linkOfCredential(credentialId: string): UserLink | undefined {
    return this.state.links.find((l) => l.credentialId === credentialId);
  }

  #setLink(link: UserLink): void {
    this.state.links = [...this.state.links.filter((l) => l.userIndex !== link.userIndex), link];
  }

  #pinIndexOf(userIndex: number): number | undefined {
    return this.auth.findUser(userIndex)?.credentials.find((c) => c.credentialType === PIN)?.credentialIndex;
  }

  #userOfVisit(visitId: VisitId): number | null {
    try {
      const visit = this.#link.delivery.getVisit(visitId, MATTER);
      return visit.credentialId ? (this.#linkOfCredential(visit.credentialId)?.userIndex ?? null) : null;
    } catch {
      return null;
    }
  }

  #credentialOrUndefined(id: string): CredentialView | undefined {
    try {
      return this.#link.delivery.credentials.get(id, MATTER);
    } catch {
      return undefined;
    }
  }
}

// matter.js declares a behavior's State by merging a namespace into the class.
// eslint-disable-next-line @typescript-eslint/no-namespace
export namespace GuestLockServer {
  export class State extends Base.State {
    /** Which credential each Matter user stands for; persisted with the node so the mapping survives restarts. */
    @field(listOf(UserLink), nonvolatile)
    links: UserLink[] = [];
  }
}
