// The active visit as one pure state machine: every phase, every event, and the side effects each move asks for.
// opening → unlocking → open → relocking → post-roll → closed. Every way out passes through "end-recording", and every
// way out after an unlock went out passes through a relock the lock confirmed, so no path can forget either.
// The driver (visit-owner.ts) performs the effects and feeds their results back as events.
import type { CloseReason } from "../store/visit-store.js";

export type VisitPhase = "opening" | "unlocking" | "open" | "relocking" | "post-roll" | "closed";

/** Why a visit failed before its door opened for it. */
export type VisitFailure = "camera-unavailable" | "lock-unavailable" | "unlock-unconfirmed";

export interface VisitMachineState {
  phase: VisitPhase;
  /** An unlock went out, or the lock opened by itself: the way out goes through a confirmed relock. */
  mayBeOpen: boolean;
  /** The unlock missed its deadline and the lock has not said what it did. */
  unconfirmed: boolean;
  /** The lock reported the door unlocked for this visit. */
  opened: boolean;
  /** The door opened while a relock was under way: one more confirmed relock is due before the visit may close. */
  relockAgain: boolean;
  /** How the visit will close once relocked / recorded; set when its end is decided. */
  closeAs?: CloseReason;
  /** Set on the failure path: why the door was not opened. */
  failure?: VisitFailure;
}

export type VisitEvent =
  /** Remote and owner visits: the recording gate and lock state checked again right before the unlock. */
  | { type: "gate"; ok: true }
  | { type: "gate"; ok: false; reason: "camera-unavailable" | "lock-unavailable" }
  | { type: "unlock-confirmed" }
  | { type: "unlock-timed-out" }
  /** refused: the lock answered and said no (nothing moved); otherwise it may or may not have landed. */
  | { type: "unlock-failed"; refused: boolean }
  /** The lock reported itself unlocked (a state report, a late unlock). */
  | { type: "lock-opened" }
  /** The lock reported itself locked (auto-lock, thumb-turn, key): the relock is confirmed without a command. */
  | { type: "lock-locked" }
  /** The relock timer, or a keypad open the policy refuses. */
  | { type: "relock-due" }
  /** Ended through the API, the owner's lock, or shutdown. */
  | { type: "end-requested" }
  /** The owner unlocks again during the visit (the bolt may have been thrown meanwhile). */
  | { type: "unlock-requested" }
  /** Nothing heard from the lock after a timed-out unlock. */
  | { type: "settle-expired" }
  | { type: "relock-confirmed" }
  | { type: "relock-given-up" }
  | { type: "recording-ended" };

export type VisitEffect =
  | { type: "send-unlock" }
  /** Commit "open" with unlockedAt; arm the relock unless `late` (a late opening is relocked at once). */
  | { type: "record-open"; late: boolean }
  /** Alert "unlock unconfirmed" and arm the settle wait. */
  | { type: "record-unconfirmed" }
  /** Commit "relocking", clear the visit's timers, send lock commands until confirmed or given up. */
  | { type: "send-relock" }
  /** Commit "open" again, alert, arm a later retry. */
  | { type: "record-relock-failed" }
  /** Commit relockedAt and free the door for the next visit. */
  | { type: "record-relocked" }
  /** End the recorder's visit (with the post-roll, or none on the failure path) and keep its clip. */
  | { type: "end-recording"; postRoll: boolean }
  /** Commit "closed" with its audit entry; give the use back when the door never opened; free the door. */
  | { type: "close"; reason: CloseReason; failure?: VisitFailure; refund: boolean };

export interface Step {
  state: VisitMachineState;
  effects: VisitEffect[];
}

/** A remote or owner visit, persisted and recording, about to pass the gate again. */
export function opening(): VisitMachineState {
  return { phase: "opening", mayBeOpen: false, unconfirmed: false, opened: false, relockAgain: false };
}

/** A keypad visit: the lock opened by itself before anyone asked us. */
export function openedAtKeypad(): Step {
  return { state: { phase: "open", mayBeOpen: true, unconfirmed: false, opened: true, relockAgain: false }, effects: [{ type: "record-open", late: false }] };
}

const same = (state: VisitMachineState): Step => ({ state, effects: [] });

/** The one failure path: a door that may be open is relocked first; the recording always ends; then closed. */
function fail(state: VisitMachineState, failure: VisitFailure, reason: CloseReason): Step {
  const next = { ...state, failure, closeAs: reason, unconfirmed: false };
  if (state.mayBeOpen) return { state: { ...next, phase: "relocking" }, effects: [{ type: "send-relock" }] };
  return { state: { ...next, phase: "post-roll" }, effects: [{ type: "end-recording", postRoll: false }] };
}

function relock(state: VisitMachineState, closeAs: CloseReason): Step {
  return { state: { ...state, phase: "relocking", closeAs: state.closeAs ?? closeAs }, effects: [{ type: "send-relock" }] };
}

/** The pure transition: the next state and the effects to perform, in order. Events that do not apply change nothing. */
export function step(state: VisitMachineState, event: VisitEvent): Step {
  switch (state.phase) {
    case "opening":
      if (event.type === "gate") {
        if (event.ok) return { state: { ...state, phase: "unlocking", mayBeOpen: true }, effects: [{ type: "send-unlock" }] };
        return fail(state, event.reason, "aborted");
      }
      if (event.type === "end-requested") return fail(state, "lock-unavailable", "aborted");
      return same(state);

    case "unlocking":
      switch (event.type) {
        case "unlock-confirmed":
          // Ended while the unlock was on its way: the door opened, so it is relocked at once.
          if (state.closeAs) return { state: { ...state, phase: "relocking", opened: true }, effects: [{ type: "record-open", late: true }, { type: "send-relock" }] };
          return { state: { ...state, phase: "open", opened: true }, effects: [{ type: "record-open", late: false }] };
        case "unlock-timed-out":
          if (state.unconfirmed) return same(state);
          if (state.closeAs) return relock(state, state.closeAs);
          return { state: { ...state, unconfirmed: true }, effects: [{ type: "record-unconfirmed" }] };
        case "unlock-failed":
          // A refusal moved nothing, but a door that was open before still needs its relock.
          return fail({ ...state, mayBeOpen: state.opened || !event.refused }, "lock-unavailable", "failed");
        case "lock-opened":
          // Before the deadline this is our own unlock landing: its answer follows. After it, the door opened late.
          if (!state.unconfirmed) return same(state);
          return { state: { ...state, phase: "relocking", opened: true, unconfirmed: false, closeAs: state.closeAs ?? "relocked" }, effects: [{ type: "record-open", late: true }, { type: "send-relock" }] };
        case "settle-expired":
          return state.unconfirmed ? fail(state, "unlock-unconfirmed", "failed") : same(state);
        case "end-requested":
          // While the unlock is on its way, its answer is awaited first (so our lock command cannot overtake it);
          // once it has timed out, relock now: a late landing during the relock is relocked again.
          if (!state.unconfirmed) return same({ ...state, closeAs: "ended" });
          return relock({ ...state, unconfirmed: false }, "ended");
        default:
          return same(state);
      }

    case "open":
      switch (event.type) {
        case "unlock-requested":
          // Through the owner of the visit, so a relock cannot race it: the relock is armed again once it is confirmed.
          return { state: { ...state, phase: "unlocking" }, effects: [{ type: "send-unlock" }] };
        case "relock-due":
          return relock(state, "relocked");
        case "end-requested":
          return relock({ ...state, closeAs: state.closeAs ?? "ended" }, "ended");
        case "lock-locked":
          return { state: { ...state, phase: "post-roll", closeAs: state.closeAs ?? "relocked" }, effects: [{ type: "record-relocked" }, { type: "end-recording", postRoll: true }] };
        default:
          return same(state);
      }

    case "relocking":
      switch (event.type) {
        case "unlock-confirmed":
        case "lock-opened":
          // The unlock we had given up on landed while we relock: the lock command may have come first.
          if (state.opened || !state.mayBeOpen) return same(state);
          return { state: { ...state, opened: true, relockAgain: true }, effects: [{ type: "record-open", late: true }] };
        case "relock-confirmed":
          if (state.relockAgain) return { state: { ...state, relockAgain: false }, effects: [{ type: "send-relock" }] };
          return {
            state: { ...state, phase: "post-roll" },
            // A failed visit keeps no post-roll: nobody came in.
            effects: [{ type: "record-relocked" }, { type: "end-recording", postRoll: state.failure === undefined || state.opened }],
          };
        case "relock-given-up":
          // The door may be open: back to "open", alerted, retried later; how it will close is kept.
          return { state: { ...state, phase: "open", relockAgain: false }, effects: [{ type: "record-relock-failed" }] };
        default:
          return same(state);
      }

    case "post-roll":
      if (event.type === "recording-ended") {
        const reason = state.closeAs ?? "relocked";
        const failed = state.failure !== undefined && !state.opened;
        return {
          state: { ...state, phase: "closed" },
          effects: [{ type: "close", reason: state.opened && reason === "failed" ? "relocked" : reason, ...(failed && { failure: state.failure }), refund: failed }],
        };
      }
      return same(state);

    case "closed":
      return same(state);
  }
}

/** The visit row's state for a machine phase. */
export function storedState(phase: VisitPhase): "opening" | "open" | "relocking" | "closed" {
  switch (phase) {
    case "opening":
    case "unlocking":
      return "opening";
    case "open":
      return "open";
    case "relocking":
    case "post-roll":
      return "relocking";
    case "closed":
      return "closed";
  }
}
