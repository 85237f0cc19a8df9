import type { CartLineView, CartView } from '../../cart/cart.service.js';
import { money } from '../components.js';
import { CsrfField } from '../csrf-field.js';
import { Layout, type PageChrome } from '../layout.js';
import { productPath } from '../paths.js';

export interface CartPageProps {
  chrome: PageChrome;
  /** Undefined when the visitor has no open cart yet. */
  cart: CartView | undefined;
  maxQuantity: number;
  /** CSRF token of the line forms. */
  csrfToken: string;
}

export function CartPage({ chrome, cart, maxQuantity, csrfToken }: CartPageProps) {
  return (
    <Layout chrome={chrome} title="Your cart">
      <h1>Your cart</h1>
      {cart === undefined || cart.lines.length === 0 ? (
        <EmptyCart />
      ) : (
        <FilledCart cart={cart} maxQuantity={maxQuantity} csrfToken={csrfToken} />
      )}
    </Layout>
  );
}

function EmptyCart() {
  return (
    <div class="empty-state">
      <p class="lead">Your cart is empty.</p>
      <a class="button" href="/">
        Continue shopping
      </a>
    </div>
  );
}

function FilledCart(props: { cart: CartView; maxQuantity: number; csrfToken: string }) {
  const { cart, maxQuantity, csrfToken } = props;
  const blocked = cart.lines.some((line) => !line.available);
  return (
    <div class="cart">
      <ul class="cart-lines" aria-label="Items in your cart">
        {cart.lines.map((line) => (
          <CartLine
            key={line.id}
            line={line}
            currency={cart.currency}
            maxQuantity={maxQuantity}
            csrfToken={csrfToken}
          />
        ))}
      </ul>
      <div class="cart-summary">
        <dl class="totals">
          <div class="totals__row totals__row--grand">
            <dt>Subtotal</dt>
            <dd>{money(cart.subtotalMinor, cart.currency)}</dd>
          </div>
        </dl>
        <p class="hint">Shipping is chosen and added at checkout.</p>
        {blocked ? (
          <p class="notice notice--warning">
            Lower the quantity of the marked items, or remove them, to continue to checkout.
          </p>
        ) : (
          <a class="button" href="/checkout">
            Check out
          </a>
        )}
      </div>
    </div>
  );
}

function CartLine(props: {
  line: CartLineView;
  currency: string;
  maxQuantity: number;
  csrfToken: string;
}) {
  const { line, currency } = props;
  const quantityId = `quantity-${line.id}`;
  const action = `/cart/lines/${encodeURIComponent(line.id)}`;
  return (
    <li class="cart-line">
      <div class="cart-line__product">
        <a href={productPath(line.handle, line.variantId)}>{line.productTitle}</a>
        {line.variantTitle !== line.productTitle && (
          <span class="cart-line__variant">{line.variantTitle}</span>
        )}
        <span class="cart-line__meta">
          {money(line.unitPriceMinor, currency)} each
          {line.sku !== '' && ` · SKU ${line.sku}`}
        </span>
        {!line.available && (
          <span class="notice notice--warning">Not enough stock for this quantity</span>
        )}
      </div>
      <form class="cart-line__update" method="post" action={action}>
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="action" value="update" />
        <label for={quantityId}>
          Quantity<span class="visually-hidden">{` of ${line.productTitle}`}</span>
        </label>
        <input
          id={quantityId}
          name="quantity"
          type="number"
          inputmode="numeric"
          min={1}
          max={props.maxQuantity}
          value={String(line.quantity)}
          required
        />
        <button type="submit" class="button button--secondary">
          Update
        </button>
      </form>
      <p class="cart-line__total">{money(line.lineTotalMinor, currency)}</p>
      <form class="cart-line__remove" method="post" action={action}>
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="action" value="remove" />
        <button type="submit" class="button button--link">
          Remove<span class="visually-hidden">{` ${line.productTitle}`}</span>
        </button>
      </form>
    </li>
  );
}
