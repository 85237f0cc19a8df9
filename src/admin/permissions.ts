import type { StaffRole } from '../db/schema.js';

/** Every staff role, most powerful first. */
export const staffRoles: readonly StaffRole[] = ['owner', 'manager', 'support', 'fulfilment'];

/**
 * What a staff member may do in the admin. docs/permissions.md states the same matrix in prose,
 * and test/admin/permission-matrix.test.ts walks every route with every role against it.
 */
export type Permission =
  | 'orders:view'
  | 'orders:refund'
  | 'customers:view'
  | 'customers:export'
  | 'staff:view'
  | 'staff:manage'
  | 'api_keys:manage'
  | 'outbox:view'
  | 'audit_log:view'
  | 'security_events:view';

/**
 * Access levels of routes that belong to no role:
 * - `public`: reachable without a session (login form, assets, health check).
 * - `signed_in`: any staff session, even one still owing its second factor (MFA pages, logout).
 * - `staff`: any fully signed-in staff member (dashboard, own security settings, re-auth).
 * - `api_key`: the read-only JSON API under /api/admin/. Only an `Authorization: Bearer sfk_...`
 *   header with the route's `config.apiScope` opens it, never a staff session, so no role has it.
 */
export type RouteAccess = 'public' | 'signed_in' | 'staff' | 'api_key' | Permission;

export const rolePermissions: Record<StaffRole, readonly Permission[]> = {
  owner: [
    'orders:view',
    'orders:refund',
    'customers:view',
    'customers:export',
    'staff:view',
    'staff:manage',
    'api_keys:manage',
    'outbox:view',
    'audit_log:view',
    'security_events:view',
  ],
  manager: [
    'orders:view',
    'orders:refund',
    'customers:view',
    'customers:export',
    'staff:view',
    'outbox:view',
    'security_events:view',
  ],
  support: ['orders:view', 'customers:view', 'outbox:view'],
  fulfilment: ['orders:view'],
};

/**
 * Returns whether a role may use a route of the given access level (any session assumed).
 * Always false for `api_key` routes, which a staff session cannot open.
 */
export function roleAllows(role: StaffRole, access: RouteAccess): boolean {
  if (access === 'api_key') return false;
  if (access === 'public' || access === 'signed_in' || access === 'staff') return true;
  return rolePermissions[role].includes(access);
}

export function isStaffRole(value: string): value is StaffRole {
  return (staffRoles as readonly string[]).includes(value);
}
