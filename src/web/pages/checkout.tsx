import type { CartView } from '../../cart/cart.service.js';
import type { Totals } from '../../cart/pricing.js';
import { checkoutLimits } from '../../checkout/checkout-input.js';
import type { ShippingMethod } from '../../checkout/shipping.js';
import { money } from '../components.js';
import { CsrfField } from '../csrf-field.js';
import type { CheckoutForm } from '../forms.schema.js';
import { Layout, type PageChrome } from '../layout.js';
import { CountrySelect } from './address-parts.js';

/** One shipping method with the order totals it would give, as computed by the server. */
export interface ShippingOption {
  method: ShippingMethod;
  totals: Totals;
}

export interface CheckoutPageProps {
  chrome: PageChrome;
  cart: CartView;
  options: ShippingOption[];
  /** Country codes and names for the country select, sorted by name. */
  countries: { code: string; name: string }[];
  /** Values the shopper entered, when the form comes back with an error. */
  values: Partial<CheckoutForm>;
  /** The field the checkout service rejected and why, in words for the shopper. */
  error?: { field: keyof CheckoutForm | null; message: string };
  csrfToken: string;
}

export function CheckoutPage(props: CheckoutPageProps) {
  const { chrome, values } = props;
  const invalid = props.error?.field ?? null;
  const selected =
    props.options.find((option) => option.method.id === values.shippingMethod) ?? props.options[0];
  return (
    <Layout chrome={chrome} title="Checkout" scripts={['storefront.js']}>
      <h1>Checkout</h1>
      <div class="checkout">
        <form class="checkout-form" method="post" action="/checkout">
          <CsrfField token={props.csrfToken} />
          {props.error && <ErrorSummary message={props.error.message} />}
          <ContactFields values={values} invalid={invalid} />
          <AddressFields values={values} invalid={invalid} countries={props.countries} />
          <ShippingFields
            options={props.options}
            selectedId={selected?.method.id}
            currency={props.cart.currency}
          />
          <button type="submit" class="button">
            Continue to payment
          </button>
          <p class="hint">
            You enter your card details on the payment provider's page; they never reach this shop.
          </p>
        </form>
        {selected && <OrderSummary cart={props.cart} selected={selected} />}
      </div>
    </Layout>
  );
}

function ErrorSummary({ message }: { message: string }) {
  return (
    <div class="error-summary" id="checkout-error" role="alert">
      <h2>Please check your details</h2>
      <p>{message}</p>
    </div>
  );
}

function TextField(props: {
  name: keyof CheckoutForm;
  label: string;
  value: string | undefined;
  maxLength: number;
  autocomplete: string;
  type?: 'text' | 'email';
  required?: boolean;
  /** The field the server rejected; it is marked invalid and linked to the error message. */
  invalid: InvalidField;
}) {
  const id = `checkout-${props.name}`;
  const isInvalid = props.invalid === props.name;
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {!props.required && <span class="hint"> (optional)</span>}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        maxlength={props.maxLength}
        autocomplete={props.autocomplete}
        required={props.required}
        aria-invalid={isInvalid ? 'true' : undefined}
        aria-describedby={isInvalid ? 'checkout-error' : undefined}
      />
    </div>
  );
}

type InvalidField = keyof CheckoutForm | null;

function ContactFields({
  values,
  invalid,
}: {
  values: Partial<CheckoutForm>;
  invalid: InvalidField;
}) {
  return (
    <fieldset>
      <legend>Contact</legend>
      <TextField
        name="email"
        label="Email"
        type="email"
        value={values.email}
        maxLength={checkoutLimits.email}
        autocomplete="email"
        invalid={invalid}
        required
      />
    </fieldset>
  );
}

function AddressFields(props: {
  values: Partial<CheckoutForm>;
  invalid: InvalidField;
  countries: CheckoutPageProps['countries'];
}) {
  const { values, invalid } = props;
  return (
    <fieldset>
      <legend>Shipping address</legend>
      <TextField
        name="name"
        label="Full name"
        value={values.name}
        maxLength={checkoutLimits.name}
        autocomplete="shipping name"
        invalid={invalid}
        required
      />
      <TextField
        name="line1"
        label="Address"
        value={values.line1}
        maxLength={checkoutLimits.line1}
        autocomplete="shipping address-line1"
        invalid={invalid}
        required
      />
      <TextField
        name="line2"
        label="Apartment, suite, etc."
        value={values.line2}
        maxLength={checkoutLimits.line2}
        autocomplete="shipping address-line2"
        invalid={invalid}
      />
      <div class="field-row">
        <TextField
          name="city"
          label="City"
          value={values.city}
          maxLength={checkoutLimits.city}
          autocomplete="shipping address-level2"
          invalid={invalid}
          required
        />
        <TextField
          name="region"
          label="State or region"
          value={values.region}
          maxLength={checkoutLimits.region}
          autocomplete="shipping address-level1"
          invalid={invalid}
        />
        <TextField
          name="postalCode"
          label="Postal code"
          value={values.postalCode}
          maxLength={checkoutLimits.postalCode}
          autocomplete="shipping postal-code"
          invalid={invalid}
          required
        />
      </div>
      <CountrySelect
        id="checkout-country"
        autocomplete="shipping country"
        countries={props.countries}
        value={values.country}
        invalid={invalid === 'country'}
        errorId="checkout-error"
      />
    </fieldset>
  );
}

function ShippingFields(props: {
  options: ShippingOption[];
  selectedId: string | undefined;
  currency: string;
}) {
  return (
    <fieldset data-shipping-picker>
      <legend>Shipping method</legend>
      {props.options.map(({ method, totals }) => {
        const id = `shipping-${method.id}`;
        return (
          <div class="shipping-choice" key={method.id}>
            <input
              type="radio"
              id={id}
              name="shippingMethod"
              value={method.id}
              checked={method.id === props.selectedId}
              required
              data-label={method.label}
              data-shipping={money(totals.shippingMinor, props.currency)}
              data-total={money(totals.totalMinor, props.currency)}
            />
            <label for={id}>
              <span>{method.label}</span>
              <span>{money(totals.shippingMinor, props.currency)}</span>
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}

/**
 * Lines and totals as the server computes them for the selected shipping method. The amount
 * charged is computed again at checkout from catalog prices; this summary only shows it.
 */
function OrderSummary({ cart, selected }: { cart: CartView; selected: ShippingOption }) {
  const { totals } = selected;
  return (
    <aside class="checkout-summary" aria-labelledby="summary-heading">
      <h2 id="summary-heading">Order summary</h2>
      <ul class="summary-lines">
        {cart.lines.map((line) => (
          <li key={line.id}>
            <span>
              {line.quantity} × {line.productTitle}
              {line.variantTitle !== line.productTitle && ` (${line.variantTitle})`}
            </span>
            <span>{money(line.lineTotalMinor, cart.currency)}</span>
          </li>
        ))}
      </ul>
      <dl class="totals">
        <div class="totals__row">
          <dt>Subtotal</dt>
          <dd>{money(totals.subtotalMinor, cart.currency)}</dd>
        </div>
        <div class="totals__row">
          <dt>
            Shipping: <span id="summary-shipping-label">{selected.method.label}</span>
          </dt>
          <dd id="summary-shipping">{money(totals.shippingMinor, cart.currency)}</dd>
        </div>
        <div class="totals__row totals__row--grand">
          <dt>Total</dt>
          <dd id="summary-total">{money(totals.totalMinor, cart.currency)}</dd>
        </div>
      </dl>
    </aside>
  );
}
