// The CredentialService, plus: every change reaches the locks' keypads at once (a revoked code is cleared now).
import type { Actor } from "./actor.js";
import { CredentialService, type CredentialServiceOptions, type CredentialView } from "./credential-service.js";

export class SyncedCredentialService extends CredentialService {
  constructor(
    options: CredentialServiceOptions,
    private readonly changed: (credential: CredentialView) => void,
  ) {
    super(options);
  }

  override create(input: unknown, actor: Actor): { credential: CredentialView; pin: string } {
    const created = super.create(input, actor);
    this.changed(created.credential);
    return created;
  }

  override amend(id: string, input: unknown, actor: Actor): CredentialView {
    const amended = super.amend(id, input, actor);
    this.changed(amended);
    return amended;
  }

  override revoke(id: string, actor: Actor): CredentialView {
    const revoked = super.revoke(id, actor);
    this.changed(revoked);
    return revoked;
  }
}
