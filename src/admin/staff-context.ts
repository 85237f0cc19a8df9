import type { FastifyRequest } from 'fastify';

import type { StaffRole } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';
import { deriveKey, type Secrets } from '../server/secrets.js';
import type { AdminDeps } from './app.js';
import { type AuditEntry, appendAudit } from './audit-log.js';

/** The signed-in staff member a request acts for. */
export interface StaffActor {
  id: string;
  email: string;
  role: StaffRole;
}

/** A ServiceContext for admin services: the shop's context plus who acts and the audit key. */
export interface StaffContext extends ServiceContext {
  staff: StaffActor;
  auditKey: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin's session hook for a staff session in any stage; null otherwise. */
    staff: StaffActor | null;
    /** Set once a handler has written its own audit row, so the catch-all hook skips the POST. */
    audited: boolean;
  }
}

// HKDF runs once per set of secrets, not once per request.
const auditKeys = new WeakMap<Secrets, Buffer>();

export function auditKeyOf(secrets: Secrets): Buffer {
  let key = auditKeys.get(secrets);
  if (!key) {
    key = deriveKey(secrets, 'audit-log');
    auditKeys.set(secrets, key);
  }
  return key;
}

/**
 * Builds the service context of an admin request. Throws AUTHENTICATION_REQUIRED without a
 * staff member, which the access hook already prevents on every route that calls this.
 */
export function staffContextOf(request: FastifyRequest, deps: AdminDeps): StaffContext {
  if (!request.staff) throw new AppError('AUTHENTICATION_REQUIRED', 'Log in to the admin first.');

  return {
    db: deps.db.kysely,
    config: deps.config,
    secrets: deps.secrets,
    log: request.log,
    requestId: request.id,
    ip: request.ip,
    visitorHash: null,
    customerId: null,
    staff: request.staff,
    auditKey: auditKeyOf(deps.secrets),
  };
}

/** Appends an audit row for the request's action and marks the request as audited. */
export async function auditRequest(
  request: FastifyRequest,
  deps: AdminDeps,
  entry: Omit<AuditEntry, 'ip' | 'actorId' | 'actorEmail'> & {
    actorId?: string;
    actorEmail?: string;
  },
): Promise<void> {
  request.audited = true;
  await appendAudit(deps.db.kysely, auditKeyOf(deps.secrets), {
    actorId: entry.actorId ?? request.staff?.id ?? '',
    actorEmail: entry.actorEmail ?? request.staff?.email ?? '',
    action: entry.action,
    objectType: entry.objectType,
    objectId: entry.objectId,
    ip: request.ip,
    ...(entry.details ? { details: entry.details } : {}),
  });
}
