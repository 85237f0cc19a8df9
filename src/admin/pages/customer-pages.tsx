import { money } from '../../web/components.js';
import { CsrfField } from '../../web/csrf-field.js';
import type { CustomerDetail, CustomerView } from '../customers.service.js';
import { type AdminChrome, AdminLayout } from './layout.js';

export function CustomersPage({
  chrome,
  customers,
  nextBefore,
}: {
  chrome: AdminChrome;
  customers: CustomerView[];
  nextBefore: string | null;
}) {
  return (
    <AdminLayout chrome={chrome} title="Customers">
      <h1>Customers</h1>
      <form method="get" action="/customers" role="search">
        <div class="field">
          <label for="q">Email</label>
          <input id="q" name="q" type="email" />
        </div>
        <button type="submit" class="button--secondary">
          Find
        </button>
      </form>
      {customers.length === 0 ? (
        <p class="empty-state">No customers.</p>
      ) : (
        <table class="order-lines">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Confirmed</th>
              <th scope="col">Registered</th>
            </tr>
          </thead>
          <tbody>
            {customers.map((customer) => (
              <tr key={customer.id}>
                <th scope="row">
                  <a href={`/customers/${customer.id}`}>{customer.email}</a>
                </th>
                <td>{customer.name}</td>
                <td>{customer.email_confirmed_at ? 'yes' : 'no'}</td>
                <td>{customer.created_at}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBefore && (
        <p class="pagination">
          <a href={`/customers?before=${encodeURIComponent(nextBefore)}`}>Older customers</a>
        </p>
      )}
    </AdminLayout>
  );
}

export function CustomerPage({
  chrome,
  detail,
  canExport,
}: {
  chrome: AdminChrome;
  detail: CustomerDetail;
  canExport: boolean;
}) {
  const { customer, addresses, orders } = detail;
  return (
    <AdminLayout chrome={chrome} title={customer.email}>
      <h1>{customer.name}</h1>
      <dl>
        <dt>Email</dt>
        <dd>{`${customer.email}${customer.email_confirmed_at ? '' : ' (not confirmed)'}`}</dd>
        <dt>Registered</dt>
        <dd>{customer.created_at}</dd>
      </dl>
      <h2>Addresses</h2>
      {addresses.length === 0 ? (
        <p>None saved.</p>
      ) : (
        <ul>
          {addresses.map((address) => (
            <li key={address.id}>
              {[
                address.name,
                address.line1,
                address.line2,
                address.city,
                address.region,
                address.postal_code,
                address.country,
              ]
                .filter((part) => part !== '')
                .join(', ')}
            </li>
          ))}
        </ul>
      )}
      <h2>Orders</h2>
      {orders.length === 0 ? (
        <p>No orders.</p>
      ) : (
        <ul>
          {orders.map((order) => (
            <li key={order.id}>
              <a href={`/orders/${order.id}`}>{order.id}</a>
              {` ${order.created_at} ${order.status} ${money(order.total_minor, order.currency)}`}
            </li>
          ))}
        </ul>
      )}
      {canExport && (
        <p>
          <a class="button--secondary" href={`/customers/${customer.id}/export`}>
            Export this customer's data
          </a>
        </p>
      )}
    </AdminLayout>
  );
}

export function ExportPage({ chrome, detail }: { chrome: AdminChrome; detail: CustomerDetail }) {
  return (
    <AdminLayout chrome={chrome} title="Export customer data">
      <h1>{`Export the data of ${detail.customer.email}`}</h1>
      <p>
        The download is a JSON file with the profile, addresses, orders, reviews and sessions. The
        export is recorded in the audit log.
      </p>
      <form method="post" action={`/customers/${detail.customer.id}/export`}>
        <CsrfField token={chrome.csrfToken} />
        <button type="submit" class="button">
          Download JSON
        </button>
      </form>
    </AdminLayout>
  );
}
