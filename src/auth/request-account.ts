import type { Realm, SessionStage, StaffRole } from '../db/schema.js';

/** The signed-in holder of a request's session cookie, as the session hook resolved it. */
export interface RequestAccount {
  realm: Realm;
  accountId: string;
  /** SHA-256 of the session token; identifies the session in the sessions table. */
  sessionHash: string;
  stage: SessionStage;
  /** ISO time of the last password or second-factor proof in this session. */
  reauthenticatedAt: string;
  /** Staff only: the role at the time of the request. */
  role?: StaffRole;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the session hook of the app; null for a request without a valid session. */
    account: RequestAccount | null;
  }
}
