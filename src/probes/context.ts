/** What every probe receives: validated config, the password, the shared HTTP state, resolved URLs. */
import type { Secret } from '../config/load.js';
import type { AuditConfig } from '../config/schema.js';
import type { ActorName } from '../evidence/types.js';
import { Actor, type AuditHttp, type JarSnapshot } from '../http/actor.js';
import type { LoginTarget } from '../auth/login.js';

export interface ProbeContext {
  config: AuditConfig;
  password: Secret;
  http: AuditHttp;
  authCheckUrl: URL;
  loginTarget: LoginTarget;
  progress: (text: string) => void;
  /**
   * The run's abort signal (Ctrl-C / SIGTERM). Requests already stop when it fires; a probe that
   * must undo something (restore a changed password) sends its cleanup through an uncancellable
   * copy of `http` (`cleanupHttp`); waits end early when it fires.
   */
  signal?: AbortSignal;
}

export function newActor(ctx: ProbeContext, name: ActorName, snapshot?: JarSnapshot): Actor {
  return new Actor(name, ctx.http, snapshot);
}

/** A probe's failure becomes its evidence; the run goes on. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

