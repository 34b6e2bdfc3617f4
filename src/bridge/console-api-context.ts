// What the console's API routes borrow from the composition root: camera snapshots, lock slot status and provider
// tokens (with their audit entries), handed over as plain functions so the API never sees the store or a driver.
import { ProviderId } from "../access/ids.js";
import type { ConsoleApiContext, ProviderTokenView } from "../api/console-api-routes.js";
import { NotFoundError } from "../core/errors.js";
import type { CameraFeed, DeliveryPort } from "../delivery/delivery-port.js";
import type { Store } from "../store/store.js";
import type { TokenId, TokenInfo } from "../store/token-store.js";

export function consoleApiContext(parts: {
  store: Store;
  delivery: DeliveryPort;
  cameras: ReadonlyMap<string, CameraFeed>;
  home: { name: string; timeZone: string };
}): Omit<ConsoleApiContext, "delivery"> {
  const { store, delivery, cameras } = parts;

  // "Last used" is the newest thing done under the provider's name: the token store keeps no per-request trail.
  function view(info: TokenInfo & { subject: { kind: "provider"; providerId: ProviderId } }): ProviderTokenView {
    const actor = { kind: "provider", providerId: info.subject.providerId } as const;
    const made = delivery.credentials.list(actor, { includeRevoked: true }).map((c) => c.createdAt);
    const visit = delivery.listVisits(actor, { limit: 1 })[0]?.startedAt;
    const newest = Math.max(...made, visit ?? 0);
    return {
      id: info.id,
      provider: info.subject.providerId,
      createdAt: info.createdAt,
      ...(info.revokedAt !== undefined ? { revokedAt: info.revokedAt } : {}),
      ...(newest > 0 ? { lastUsedAt: newest } : {}),
    };
  }
  const providerTokens = () =>
    store.tokens.list().filter((t): t is TokenInfo & { subject: { kind: "provider"; providerId: ProviderId } } => t.subject.kind === "provider");

  return {
    home: parts.home,
    snapshot: (doorId) => cameras.get(doorId)?.snapshot(),
    lockSlots: () =>
      delivery.doors().flatMap((door) =>
        store.slots.list(door.id).map((s) => ({
          doorId: s.doorId,
          slot: s.slot,
          credentialId: s.credentialId,
          desired: s.desired,
          state: s.state,
          ...(s.lastError !== undefined ? { lastError: s.lastError } : {}),
          ...(s.nextAttemptAt !== undefined ? { nextAttemptAt: s.nextAttemptAt } : {}),
        })),
      ),
    tokens: {
      list: () => providerTokens().map(view),
      create(provider) {
        return store.transaction(() => {
          const issued = store.tokens.create({ kind: "provider", providerId: ProviderId(provider) });
          store.audit.append({ type: "token.created", actor: "owner:api", details: { provider, issued: issued.id } });
          return issued;
        });
      },
      revoke(id) {
        // Only provider tokens: the console must not lock the owner out of the API.
        const token = providerTokens().find((t) => t.id === id);
        if (!token) throw new NotFoundError(`No provider token ${id}.`);
        const revoked = store.transaction(() => {
          const info = store.tokens.revoke(id as TokenId);
          store.audit.append({ type: "token.revoked", actor: "owner:api", details: { revoked: id } });
          return info;
        });
        return view(revoked as typeof token);
      },
    },
  };
}
