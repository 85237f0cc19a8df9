import type { StaffRole } from '../../db/schema.js';
import { CsrfField } from '../../web/csrf-field.js';
import { apiKeyScopes } from '../admin-forms.schema.js';
import type { ApiKeyView } from '../api-keys.service.js';
import { staffRoles } from '../permissions.js';
import type { StaffSummary } from '../staff.service.js';
import { type AdminChrome, AdminLayout, Notice } from './layout.js';

export function StaffListPage({
  chrome,
  staff,
  canManage,
}: {
  chrome: AdminChrome;
  staff: StaffSummary[];
  canManage: boolean;
}) {
  return (
    <AdminLayout chrome={chrome} title="Staff">
      <h1>Staff</h1>
      <table class="order-lines">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            {canManage && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {staff.map((member) => (
            <tr key={member.id}>
              <th scope="row">{member.email}</th>
              <td>{member.name}</td>
              <td>{member.role}</td>
              {canManage && (
                <td>
                  <a href={`/staff/${member.id}/role`}>{`Change role of ${member.email}`}</a>
                  {' · '}
                  <a href={`/staff/${member.id}/disable`}>{`Disable ${member.email}`}</a>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {canManage && (
        <p>
          <a class="button" href="/staff/new">
            Add a staff member
          </a>
        </p>
      )}
    </AdminLayout>
  );
}

function RoleSelect({ value }: { value: StaffRole }) {
  return (
    <div class="field">
      <label for="role">Role</label>
      <select id="role" name="role">
        {staffRoles.map((role) => (
          <option key={role} value={role} selected={role === value}>
            {role}
          </option>
        ))}
      </select>
    </div>
  );
}

export function NewStaffPage({
  chrome,
  error,
  values,
}: {
  chrome: AdminChrome;
  error?: string;
  values?: { email: string; name: string; role: StaffRole };
}) {
  return (
    <AdminLayout chrome={chrome} title="Add a staff member">
      <h1>Add a staff member</h1>
      {error && <Notice kind="error">{error}</Notice>}
      <form method="post" action="/staff/new">
        <CsrfField token={chrome.csrfToken} />
        <div class="field">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" required value={values?.email ?? ''} />
        </div>
        <div class="field">
          <label for="name">Name</label>
          <input id="name" name="name" required maxlength={100} value={values?.name ?? ''} />
        </div>
        <div class="field">
          <label for="password">Initial password (at least 8 characters)</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
          />
        </div>
        <RoleSelect value={values?.role ?? 'support'} />
        <button type="submit" class="button">
          Add
        </button>
      </form>
      <p class="hint">The new staff member sets up a second factor at their first login.</p>
    </AdminLayout>
  );
}

export function RolePage({
  chrome,
  member,
  error,
}: {
  chrome: AdminChrome;
  member: StaffSummary;
  error?: string;
}) {
  return (
    <AdminLayout chrome={chrome} title={`Role of ${member.email}`}>
      <h1>{`Role of ${member.email}`}</h1>
      {error && <Notice kind="error">{error}</Notice>}
      <form method="post" action={`/staff/${member.id}/role`}>
        <CsrfField token={chrome.csrfToken} />
        <RoleSelect value={member.role} />
        <button type="submit" class="button">
          Change role
        </button>
      </form>
      <p>
        <a href="/staff">Back to staff</a>
      </p>
    </AdminLayout>
  );
}

export function DisableStaffPage({
  chrome,
  member,
  error,
}: {
  chrome: AdminChrome;
  member: StaffSummary;
  error?: string;
}) {
  return (
    <AdminLayout chrome={chrome} title={`Disable ${member.email}`}>
      <h1>{`Disable ${member.email}`}</h1>
      {error && <Notice kind="error">{error}</Notice>}
      <p>
        {`${member.name} (${member.role}) is logged out everywhere at once and can no longer log in.`}
      </p>
      <p>
        The audit log keeps their entries. API keys they created keep working until you revoke them.
      </p>
      <form method="post" action={`/staff/${member.id}/disable`}>
        <CsrfField token={chrome.csrfToken} />
        <button type="submit" class="button">
          Disable this account
        </button>
      </form>
      <p>
        <a href="/staff">Back to staff</a>
      </p>
    </AdminLayout>
  );
}

export function ApiKeysPage({
  chrome,
  keys,
  created,
}: {
  chrome: AdminChrome;
  keys: ApiKeyView[];
  /** A key just created, shown this once. */
  created?: { name: string; key: string };
}) {
  return (
    <AdminLayout chrome={chrome} title="API keys">
      <h1>API keys</h1>
      {created && (
        <Notice kind="success">
          <p>{`Key "${created.name}" created. Copy it now; it is not shown again:`}</p>
          <p>
            <code>{created.key}</code>
          </p>
        </Notice>
      )}
      {keys.length === 0 ? (
        <p>No keys.</p>
      ) : (
        <table class="order-lines">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <th scope="row">{key.name}</th>
                <td>
                  <code>{key.prefix}</code>
                </td>
                <td>{(JSON.parse(key.permissions) as string[]).join(', ')}</td>
                <td>{key.created_at}</td>
                <td>
                  {key.revoked_at ? (
                    `revoked ${key.revoked_at}`
                  ) : (
                    <form method="post" action={`/api-keys/${key.id}/revoke`}>
                      <CsrfField token={chrome.csrfToken} />
                      <button type="submit" class="button--secondary">
                        {`Revoke ${key.name}`}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <a class="button" href="/api-keys/new">
          Create a key
        </a>
      </p>
    </AdminLayout>
  );
}

export function NewApiKeyPage({ chrome }: { chrome: AdminChrome }) {
  return (
    <AdminLayout chrome={chrome} title="Create an API key">
      <h1>Create an API key</h1>
      <form method="post" action="/api-keys/new">
        <CsrfField token={chrome.csrfToken} />
        <div class="field">
          <label for="name">Name</label>
          <input id="name" name="name" required maxlength={100} />
        </div>
        <fieldset>
          <legend>Scopes</legend>
          {apiKeyScopes.map((scope) => (
            <div key={scope}>
              <input type="checkbox" id={`scope-${scope}`} name="scopes" value={scope} />
              <label for={`scope-${scope}`}>{scope}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit" class="button">
          Create
        </button>
      </form>
    </AdminLayout>
  );
}
