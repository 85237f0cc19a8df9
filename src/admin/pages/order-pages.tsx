import { formatMinorAsDecimal, currencyExponent } from '../../catalog/money.js';
import { money } from '../../web/components.js';
import { CsrfField } from '../../web/csrf-field.js';
import type { OrderDetail, OrderSummary } from '../orders.service.js';
import { type AdminChrome, AdminLayout, Notice } from './layout.js';

export function OrdersPage({
  chrome,
  orders,
  nextBefore,
}: {
  chrome: AdminChrome;
  orders: OrderSummary[];
  nextBefore: string | null;
}) {
  return (
    <AdminLayout chrome={chrome} title="Orders">
      <h1>Orders</h1>
      <form method="get" action="/orders" role="search">
        <div class="field">
          <label for="q">Customer email</label>
          <input id="q" name="q" type="email" />
        </div>
        <button type="submit" class="button--secondary">
          Filter
        </button>
      </form>
      {orders.length === 0 ? (
        <p class="empty-state">No orders.</p>
      ) : (
        <table class="order-lines">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Email</th>
              <th scope="col">Status</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.id}>
                <th scope="row">
                  <a href={`/orders/${order.id}`}>{order.id}</a>
                </th>
                <td>{order.created_at}</td>
                <td>{order.email}</td>
                <td>{order.status}</td>
                <td>{money(order.total_minor, order.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBefore && (
        <p class="pagination">
          <a href={`/orders?before=${encodeURIComponent(nextBefore)}`}>Older orders</a>
        </p>
      )}
    </AdminLayout>
  );
}

export function OrderPage({
  chrome,
  detail,
  canRefund,
}: {
  chrome: AdminChrome;
  detail: OrderDetail;
  canRefund: boolean;
}) {
  const { order, lines } = detail;
  return (
    <AdminLayout chrome={chrome} title={`Order ${order.id}`}>
      <h1>{`Order ${order.id}`}</h1>
      <dl>
        <dt>Status</dt>
        <dd>{order.status}</dd>
        <dt>Email</dt>
        <dd>{order.email}</dd>
        <dt>Placed</dt>
        <dd>{order.created_at}</dd>
        <dt>Ship to</dt>
        <dd>
          {[
            order.ship_name,
            order.ship_line1,
            order.ship_line2,
            order.ship_city,
            order.ship_region,
            order.ship_postal_code,
            order.ship_country,
          ]
            .filter((part) => part !== '')
            .join(', ')}
        </dd>
        <dt>Total</dt>
        <dd>{money(order.total_minor, order.currency)}</dd>
        <dt>Refunded</dt>
        <dd>{money(order.refunded_minor, order.currency)}</dd>
        <dt>Payment</dt>
        <dd>{`${order.payment_provider} ${order.payment_reference ?? ''}`}</dd>
      </dl>
      <table class="order-lines">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">SKU</th>
            <th scope="col">Quantity</th>
            <th scope="col">Line total</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.id}>
              <th scope="row">{`${line.product_title} ${line.variant_title}`}</th>
              <td>{line.sku}</td>
              <td>{line.quantity}</td>
              <td>{money(line.line_total_minor, order.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canRefund && order.status === 'paid' && (
        <p>
          <a class="button" href={`/orders/${order.id}/refund`}>
            Refund
          </a>
        </p>
      )}
    </AdminLayout>
  );
}

export function RefundPage({
  chrome,
  detail,
  error,
}: {
  chrome: AdminChrome;
  detail: OrderDetail;
  error?: string;
}) {
  const { order } = detail;
  const exponent = currencyExponent(order.currency) ?? 2;
  const remaining = order.total_minor - order.refunded_minor;
  return (
    <AdminLayout chrome={chrome} title={`Refund order ${order.id}`}>
      <h1>{`Refund order ${order.id}`}</h1>
      <Notice kind="warning">
        {`The ${order.payment_provider} gateway cannot issue refunds from Storefort yet. This form records the refund on the order and in the audit log; return the money in the provider's dashboard as well.`}
      </Notice>
      {error && <Notice kind="error">{error}</Notice>}
      {order.status === 'paid' && remaining > 0 ? (
        <form method="post" action={`/orders/${order.id}/refund`}>
          <CsrfField token={chrome.csrfToken} />
          <div class="field">
            <label for="amount">{`Amount in ${order.currency} (at most ${formatMinorAsDecimal(remaining, exponent)})`}</label>
            <input
              id="amount"
              name="amount"
              inputmode="decimal"
              required
              value={formatMinorAsDecimal(remaining, exponent)}
            />
          </div>
          <button type="submit" class="button">
            Record refund
          </button>
        </form>
      ) : (
        <p>{`Nothing left to refund; the order is ${order.status}.`}</p>
      )}
      <p>
        <a href={`/orders/${order.id}`}>Back to the order</a>
      </p>
    </AdminLayout>
  );
}
