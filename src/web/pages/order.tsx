import type { OrderView } from '../../orders/order.service.js';
import { money } from '../components.js';
import { PostalAddress } from './address-parts.js';
import { CsrfField } from '../csrf-field.js';
import { Layout, type PageChrome } from '../layout.js';

export interface OrderPageProps {
  chrome: PageChrome;
  order: OrderView;
  /** Label of the order's shipping method, e.g. "Standard shipping". */
  shippingLabel: string;
  /** This page's own URL, linked from the pending notice so the shopper can reload it. */
  refreshHref: string;
  /**
   * Target of the "Return to cart" form, the signed link token the page was opened with, and the
   * form's CSRF token.
   */
  returnToCart: { action: string; token: string | undefined; csrfToken: string };
  /** PAYMENT_TIMEOUT_MINUTES: how long an unpaid order keeps its items. */
  paymentTimeoutMinutes: number;
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

const headings: Record<OrderView['status'], string> = {
  paid: 'Thank you for your order',
  pending_payment: 'Waiting for payment confirmation',
  payment_failed: 'Payment failed',
  payment_expired: 'Payment time ran out',
  cancelled: 'Order cancelled',
  refunded: 'Order refunded',
};

export function OrderPage(props: OrderPageProps) {
  const { chrome, order, shippingLabel } = props;
  return (
    <Layout chrome={chrome} title={headings[order.status]}>
      <h1>{headings[order.status]}</h1>
      <OrderStatusNotice {...props} />
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
 * webhook, so while it is pending the shopper is asked to reload. No script polls. Unpaid
 * orders offer to put their items back into a cart, because checkout closed the cart.
 */
function OrderStatusNotice(props: OrderPageProps) {
  const { order, refreshHref, returnToCart, paymentTimeoutMinutes } = props;
  switch (order.status) {
    case 'paid':
      return (
        <p class="notice notice--success" role="status">
          Your payment was received and your order is confirmed.
        </p>
      );
    case 'payment_failed':
      return (
        <div class="notice notice--error" role="status">
          <p>
            The payment did not go through and you have not been charged. The items were released.
          </p>
          <ReturnToCartForm {...returnToCart} label="Return to cart" />
        </div>
      );
    case 'payment_expired':
      return (
        <div class="notice notice--error" role="status">
          <p>
            {`This order was not paid within ${paymentTimeoutMinutes} minutes, so it was ` +
              'cancelled and the items were released. You have not been charged.'}
          </p>
          <ReturnToCartForm {...returnToCart} label="Return to cart" />
        </div>
      );
    case 'cancelled':
      return (
        <div class="notice" role="status">
          <p>You cancelled this order before paying, and you have not been charged.</p>
          <p>
            <a href="/cart">View your cart</a>
          </p>
        </div>
      );
    case 'pending_payment':
      return (
        <div class="notice notice--pending" role="status">
          <p>
            We are confirming your payment with the payment provider. This usually takes a few
            seconds.
          </p>
          <p>
            {`If you did not finish paying, the payment page closes ${paymentTimeoutMinutes} ` +
              'minutes after you placed the order, the order is released a few minutes later, ' +
              'and you will not be charged. To change it or pay again, cancel it and return ' +
              'the items to your cart.'}
          </p>
          <div class="notice__actions">
            <a class="button button--secondary" href={refreshHref}>
              Check the status again
            </a>
            <ReturnToCartForm {...returnToCart} label="Cancel and return to cart" />
          </div>
        </div>
      );
  }
}

/** Posts to the return-to-cart route, repeating the link token so a shared link works too. */
function ReturnToCartForm(props: {
  action: string;
  token: string | undefined;
  csrfToken: string;
  label: string;
}) {
  return (
    <form method="post" action={props.action} class="notice__form">
      <CsrfField token={props.csrfToken} />
      {props.token !== undefined && <input type="hidden" name="token" value={props.token} />}
      <button type="submit" class="button--secondary">
        {props.label}
      </button>
    </form>
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
  const countryName = countryNames.of(address.country) ?? address.country;
  return <PostalAddress address={address} countryName={countryName} />;
}
