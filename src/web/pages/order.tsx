import type { OrderView } from '../../orders/order.service.js';
import { money } from '../components.js';
import { Layout, type PageChrome } from '../layout.js';

export interface OrderPageProps {
  chrome: PageChrome;
  order: OrderView;
  /** Label of the order's shipping method, e.g. "Standard shipping". */
  shippingLabel: string;
  /** This page's own URL, linked from the pending notice so the shopper can reload it. */
  refreshHref: string;
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

const headings: Record<OrderView['status'], string> = {
  paid: 'Thank you for your order',
  pending_payment: 'Waiting for payment confirmation',
  payment_failed: 'Payment failed',
};

export function OrderPage({ chrome, order, shippingLabel, refreshHref }: OrderPageProps) {
  return (
    <Layout chrome={chrome} title={headings[order.status]}>
      <h1>{headings[order.status]}</h1>
      <OrderStatusNotice order={order} refreshHref={refreshHref} />
      <p class="order-number">
        Order number <code>{order.id}</code>
      </p>
      <div class="order-grid">
        <section aria-labelledby="order-items">
          <h2 id="order-items">Items</h2>
          <OrderLines order={order} />
          <OrderTotals order={order} shippingLabel={shippingLabel} />
        </section>
        <section aria-labelledby="order-delivery">
          <h2 id="order-delivery">Delivery</h2>
          <ShippingAddressBlock order={order} />
          <p>{shippingLabel}</p>
          <p>
            Confirmation to <span class="order-email">{order.email}</span>
          </p>
        </section>
      </div>
    </Layout>
  );
}

/**
 * Shows the payment status. The shop learns the outcome only from the provider's signed
 * webhook, so while it is pending the shopper is asked to reload. No script polls.
 */
function OrderStatusNotice({ order, refreshHref }: { order: OrderView; refreshHref: string }) {
  if (order.status === 'paid') {
    return (
      <p class="notice notice--success" role="status">
        Your payment was received and your order is confirmed.
      </p>
    );
  }
  if (order.status === 'payment_failed') {
    return (
      <p class="notice notice--error" role="status">
        The payment did not go through and you have not been charged. The items were released;{' '}
        <a href="/">continue shopping</a> to order again.
      </p>
    );
  }
  return (
    <div class="notice notice--pending" role="status">
      <p>
        We are waiting for the payment provider to confirm your payment. This usually takes a few
        seconds, and you do not need to pay again.
      </p>
      <p>
        <a class="button button--secondary" href={refreshHref}>
          Check the status again
        </a>
      </p>
    </div>
  );
}

function OrderLines({ order }: { order: OrderView }) {
  return (
    <table class="order-lines">
      <caption class="visually-hidden">Items in this order</caption>
      <thead>
        <tr>
          <th scope="col">Product</th>
          <th scope="col" class="numeric">
            Price
          </th>
          <th scope="col" class="numeric">
            Quantity
          </th>
          <th scope="col" class="numeric">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {order.lines.map((line, index) => (
          <tr key={index}>
            <th scope="row">
              {line.productTitle}
              {line.variantTitle !== line.productTitle && (
                <span class="order-lines__variant">{line.variantTitle}</span>
              )}
            </th>
            <td class="numeric">{money(line.unitPriceMinor, order.currency)}</td>
            <td class="numeric">{line.quantity}</td>
            <td class="numeric">{money(line.lineTotalMinor, order.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OrderTotals({ order, shippingLabel }: { order: OrderView; shippingLabel: string }) {
  return (
    <dl class="totals">
      <div class="totals__row">
        <dt>Subtotal</dt>
        <dd>{money(order.subtotalMinor, order.currency)}</dd>
      </div>
      <div class="totals__row">
        <dt>{shippingLabel}</dt>
        <dd>{money(order.shippingMinor, order.currency)}</dd>
      </div>
      <div class="totals__row totals__row--grand">
        <dt>Total</dt>
        <dd>{money(order.totalMinor, order.currency)}</dd>
      </div>
    </dl>
  );
}

function ShippingAddressBlock({ order }: { order: OrderView }) {
  const address = order.shippingAddress;
  const cityLine = [address.postalCode, address.city, address.region].filter(Boolean).join(' ');
  return (
    <address class="shipping-address">
      {address.name}
      <br />
      {address.line1}
      {address.line2 !== '' && (
        <>
          <br />
          {address.line2}
        </>
      )}
      <br />
      {cityLine}
      <br />
      {countryNames.of(address.country) ?? address.country}
    </address>
  );
}
