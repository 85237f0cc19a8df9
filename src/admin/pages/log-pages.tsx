import type { AuditLogRow, SecurityEventRow } from '../../db/schema.js';
import type { OutboxEntry } from '../../mail/outbox.js';
import { type AdminChrome, AdminLayout } from './layout.js';

export function DashboardPage({
  chrome,
  counts,
}: {
  chrome: AdminChrome;
  counts: Array<{ label: string; value: number }>;
}) {
  return (
    <AdminLayout chrome={chrome} title="Dashboard">
      <h1>Dashboard</h1>
      <dl>
        {counts.map((count) => (
          <>
            <dt>{count.label}</dt>
            <dd>{count.value}</dd>
          </>
        ))}
      </dl>
    </AdminLayout>
  );
}

export function OutboxPage({
  chrome,
  mail,
  showBodies,
  nextBefore,
}: {
  chrome: AdminChrome;
  mail: OutboxEntry[];
  /** True without SMTP: bodies stay in the table and staff read them here instead. */
  showBodies: boolean;
  nextBefore: number | null;
}) {
  return (
    <AdminLayout chrome={chrome} title="Outbox">
      <h1>Outbox</h1>
      <p class="hint">
        {showBodies
          ? 'No SMTP server is configured, so mail is not sent. Bodies are shown here; they can contain login links, so do not share them.'
          : 'Bodies are shown only to owners of a shop without SMTP, because they carry confirmation and password reset links. With SMTP they are erased once the server accepts a message.'}
      </p>
      {mail.length === 0 ? (
        <p class="empty-state">No mail.</p>
      ) : (
        <table class="order-lines">
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">To</th>
              <th scope="col">Kind</th>
              <th scope="col">Queued</th>
              <th scope="col">Sent</th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {mail.map((entry) => (
              <tr key={entry.id}>
                <th scope="row">
                  {entry.subject}
                  {showBodies && entry.bodyText !== null && (
                    <details>
                      <summary>Body</summary>
                      <pre>{entry.bodyText}</pre>
                    </details>
                  )}
                </th>
                <td>{entry.to}</td>
                <td>{entry.kind}</td>
                <td>{entry.createdAt}</td>
                <td>
                  {entry.sentAt ?? (entry.lastError ? `failed: ${entry.lastError}` : 'pending')}
                </td>
                <td>{entry.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBefore !== null && (
        <p class="pagination">
          <a href={`/outbox?before=${nextBefore}`}>Older mail</a>
        </p>
      )}
    </AdminLayout>
  );
}

export function AuditLogPage({
  chrome,
  rows,
  nextBefore,
}: {
  chrome: AdminChrome;
  rows: AuditLogRow[];
  nextBefore: number | null;
}) {
  return (
    <AdminLayout chrome={chrome} title="Audit log">
      <h1>Audit log</h1>
      <p class="hint">
        Rows are hash-chained; run <code>storefort audit-log verify</code> to check that none was
        changed or removed.
      </p>
      <table class="order-lines">
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">Time</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Object</th>
            <th scope="col">Address</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.seq}>
              <th scope="row">{row.seq}</th>
              <td>{row.created_at}</td>
              <td>{actorLabel(row)}</td>
              <td>{row.action}</td>
              <td>{`${row.object_type} ${row.object_id}`}</td>
              <td>{row.ip}</td>
              <td>
                <code>{row.details}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {nextBefore !== null && (
        <p class="pagination">
          <a href={`/audit-log?before=${nextBefore}`}>Older entries</a>
        </p>
      )}
    </AdminLayout>
  );
}

export function SecurityEventsPage({
  chrome,
  events,
  nextBefore,
}: {
  chrome: AdminChrome;
  events: SecurityEventRow[];
  nextBefore: number | null;
}) {
  return (
    <AdminLayout chrome={chrome} title="Security events">
      <h1>Security events</h1>
      {events.length === 0 ? (
        <p class="empty-state">No security events.</p>
      ) : (
        <table class="order-lines">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">Source</th>
              <th scope="col">Request</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <th scope="row">{event.created_at}</th>
                <td>{event.kind}</td>
                <td>{event.source}</td>
                <td>{event.request_id}</td>
                <td>
                  <code>{event.details}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBefore !== null && (
        <p class="pagination">
          <a href={`/security-events?before=${nextBefore}`}>Older events</a>
        </p>
      )}
    </AdminLayout>
  );
}

/** Names who acted: the staff email, the API key for calls of the admin API, or '(unknown)'. */
function actorLabel(row: { actor_id: string; actor_email: string }): string {
  if (row.actor_email) return row.actor_email;
  if (row.actor_id.startsWith('api_key:'))
    return `API key ${row.actor_id.slice('api_key:'.length)}`;
  return '(unknown)';
}
