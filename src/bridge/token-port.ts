// Provider tokens for the API's owner routes: the token store plus an audit entry per change, in one transaction.
import { ProviderId } from "../access/ids.js";
import type { TokenPort, TokenView } from "../api/owner-routes.js";
import { ConflictError, NotFoundError } from "../core/errors.js";
import type { Actor } from "../delivery/actor.js";
import type { Store } from "../store/store.js";
import type { TokenId, TokenInfo } from "../store/token-store.js";

const view = (t: TokenInfo): TokenView => ({
  id: t.id,
  kind: t.subject.kind,
  ...(t.subject.kind === "provider" ? { providerId: t.subject.providerId } : {}),
  createdAt: t.createdAt,
  ...(t.revokedAt !== undefined ? { revokedAt: t.revokedAt } : {}),
});

const who = (actor: Actor) => (actor.kind === "owner" ? "owner:api" : `provider:${actor.providerId}`);

export function tokenPort(store: Store): TokenPort {
  return {
    list: () => store.tokens.list().map(view),
    createProvider(providerId, actor) {
      return store.transaction(() => {
        const issued = store.tokens.create({ kind: "provider", providerId: ProviderId(providerId) });
        store.audit.append({ type: "token.created", actor: who(actor), details: { provider: providerId, issued: issued.id } });
        return { id: issued.id, token: issued.token, providerId };
      });
    },
    revokeProvider(id, actor) {
      return store.transaction(() => {
        const existing = store.tokens.list().find((t) => t.id === id);
        if (!existing) throw new NotFoundError(`No token "${id}".`);
        if (existing.subject.kind === "owner") throw new ConflictError("Owner tokens are revoked with `doorstep token revoke` on the bridge's machine.");
        const revoked = store.tokens.revoke(id as TokenId);
        store.audit.append({ type: "token.revoked", actor: who(actor), details: { revoked: revoked.id } });
        return view(revoked);
      });
    },
  };
}
