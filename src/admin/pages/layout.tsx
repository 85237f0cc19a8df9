import type { ComponentChildren } from 'preact';

import type { AssetManifest } from '../../integrity/assets.js';
import type { ErrorPageRenderer } from '../../server/error-handler.js';
import type { Problem } from '../../server/errors.js';
import { CsrfField } from '../../web/csrf-field.js';
import { HtmlDocument } from '../../web/document.js';
import { renderDocument } from '../../web/render.js';
import { type Permission, roleAllows } from '../permissions.js';
import type { StaffActor } from '../staff-context.js';

export const adminName = 'Storefort admin';

/** Data the frame around every admin page shows. */
export interface AdminChrome {
  assets: AssetManifest;
  /** Staff member of the session, or null on the login and error pages. */
  staff: StaffActor | null;
  /** True once the session has passed its second factor, and only then is the navigation shown. */
  active: boolean;
  /** Token for the page's POST forms (the logout button among them). */
  csrfToken: string;
}

interface LayoutProps {
  chrome: AdminChrome;
  title: string;
  /** Logical names of client scripts, e.g. passkeys.js on the MFA pages. */
  scripts?: string[];
  children: ComponentChildren;
}

const navLinks: Array<{ href: string; label: string; permission: Permission | null }> = [
  { href: '/', label: 'Dashboard', permission: null },
  { href: '/orders', label: 'Orders', permission: 'orders:view' },
  { href: '/customers', label: 'Customers', permission: 'customers:view' },
  { href: '/staff', label: 'Staff', permission: 'staff:view' },
  { href: '/api-keys', label: 'API keys', permission: 'api_keys:manage' },
  { href: '/outbox', label: 'Outbox', permission: 'outbox:view' },
  { href: '/audit-log', label: 'Audit log', permission: 'audit_log:view' },
  { href: '/security-events', label: 'Security events', permission: 'security_events:view' },
  { href: '/me/security', label: 'My security', permission: null },
];

/**
 * Renders the admin's page frame with the shop's stylesheet. Links show only what the role may
 * use.
 */
export function AdminLayout({ chrome, title, scripts = [], children }: LayoutProps) {
  return (
    <HtmlDocument
      assets={chrome.assets}
      title={`${title} · ${adminName}`}
      noindex
      scripts={scripts}
      header={<AdminHeader chrome={chrome} />}
    >
      {children}
    </HtmlDocument>
  );
}

function AdminHeader({ chrome }: { chrome: AdminChrome }) {
  const staff = chrome.staff;
  return (
    <header class="site-header">
      <div class="wrap site-header__bar">
        <a class="brand" href="/">
          {adminName}
        </a>
        {staff && (
          <form method="post" action="/logout">
            <CsrfField token={chrome.csrfToken} />
            <span>{`${staff.email} (${staff.role}) `}</span>
            <button type="submit" class="button--secondary">
              Log out
            </button>
          </form>
        )}
      </div>
      {staff && chrome.active && (
        <nav class="site-nav" aria-label="Admin sections">
          <ul class="wrap site-nav__list">
            {navLinks
              .filter((link) => link.permission === null || roleAllows(staff.role, link.permission))
              .map((link) => (
                <li key={link.href}>
                  <a href={link.href}>{link.label}</a>
                </li>
              ))}
          </ul>
        </nav>
      )}
    </header>
  );
}

/** Renders a notice above a form: a fixable error, a warning or a confirmation. */
export function Notice({
  kind,
  children,
}: {
  kind: 'error' | 'success' | 'warning';
  children: ComponentChildren;
}) {
  return (
    <div class={`notice notice--${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** Renders the admin's HTML error page. Title and detail come from the problem and are escaped. */
export function AdminErrorPage({ assets, problem }: { assets: AssetManifest; problem: Problem }) {
  return (
    <AdminLayout
      chrome={{ assets, staff: null, active: false, csrfToken: '' }}
      title={problem.title}
    >
      <div class="error-page">
        <p class="error-page__status">Error {problem.status}</p>
        <h1>{problem.title}</h1>
        <p class="lead">{problem.detail}</p>
        <p>
          <a href="/">Back to the dashboard</a>
        </p>
        <p class="hint">
          Request id <code>{problem.requestId}</code>
        </p>
      </div>
    </AdminLayout>
  );
}

/** Returns the renderer of admin error pages, which must stay synchronous and need no database. */
export function adminErrorPageRenderer(assets: AssetManifest): ErrorPageRenderer {
  return (problem) => renderDocument(<AdminErrorPage assets={assets} problem={problem} />);
}
