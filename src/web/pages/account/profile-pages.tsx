import { checkoutLimits } from '../../../checkout/checkout-input.js';
import type { AddressView } from '../../../customers/addresses.service.js';
import type { ProfileView } from '../../../customers/profile.service.js';
import type { OrderSummary } from '../../../orders/customer-orders.js';
import { money } from '../../components.js';
import { CountrySelect, type CountryOption, PostalAddress } from '../address-parts.js';
import type { AddressForm } from '../../account-forms.schema.js';
import {
  AccountLayout,
  type AccountPageBase,
  ErrorSummary,
  Field,
  type FormError,
  formatInstant,
  type Notice,
  NoticeBanner,
  PostForm,
} from './parts.js';

export interface ProfilePageProps extends AccountPageBase {
  profile: ProfileView;
  notice: Notice;
  error?: FormError;
  name?: string;
}

export function ProfilePage(props: ProfilePageProps) {
  const { profile } = props;
  return (
    <AccountLayout {...props} title="Your account" section="profile">
      <NoticeBanner notice={props.notice} />
      <dl class="totals">
        <div class="totals__row">
          <dt>Email</dt>
          <dd>{profile.email}</dd>
        </div>
        <div class="totals__row">
          <dt>Member since</dt>
          <dd>{formatInstant(profile.createdAt)}</dd>
        </div>
      </dl>
      <p>
        To change your email address or password, go to <a href="/account/security">Security</a>.
      </p>
      <h2>Your name</h2>
      <ErrorSummary error={props.error} />
      <PostForm action="/account/profile" csrfToken={props.csrfToken}>
        <Field
          id="profile-name"
          name="name"
          label="Name"
          value={props.name ?? profile.name}
          autocomplete="name"
          maxLength={checkoutLimits.name}
          error={props.error}
        />
        <button type="submit" class="button">
          Save name
        </button>
      </PostForm>
    </AccountLayout>
  );
}

export interface AddressesPageProps extends AccountPageBase {
  addresses: AddressView[];
  countries: CountryOption[];
  notice: Notice;
  /** Values of the add form when it comes back with an error. */
  values?: Partial<AddressForm>;
  error?: FormError;
}

export function AddressesPage(props: AddressesPageProps) {
  return (
    <AccountLayout {...props} title="Addresses" section="addresses">
      <NoticeBanner notice={props.notice} />
      {props.addresses.length === 0 ? (
        <p>You have no saved addresses yet.</p>
      ) : (
        <ul class="account-list" aria-label="Saved addresses">
          {props.addresses.map((address) => (
            <li key={address.id}>
              <AddressText address={address} countries={props.countries} />
              <span class="link-row">
                <a href={`/account/addresses/${encodeURIComponent(address.id)}`}>
                  Edit<span class="visually-hidden">{` ${address.name}, ${address.line1}`}</span>
                </a>
                <PostForm
                  action={`/account/addresses/${encodeURIComponent(address.id)}/delete`}
                  csrfToken={props.csrfToken}
                >
                  <button type="submit" class="button--link">
                    Remove
                    <span class="visually-hidden">{` ${address.name}, ${address.line1}`}</span>
                  </button>
                </PostForm>
              </span>
            </li>
          ))}
        </ul>
      )}
      <h2>Add an address</h2>
      <AddressFormFields
        action="/account/addresses"
        submitLabel="Add address"
        idPrefix="address"
        {...props}
        values={props.values ?? {}}
      />
    </AccountLayout>
  );
}

export interface AddressEditPageProps extends AccountPageBase {
  address: AddressView;
  countries: CountryOption[];
  values?: Partial<AddressForm>;
  error?: FormError;
}

export function AddressEditPage(props: AddressEditPageProps) {
  return (
    <AccountLayout {...props} title="Edit address" section="addresses">
      <AddressFormFields
        action={`/account/addresses/${encodeURIComponent(props.address.id)}`}
        submitLabel="Save address"
        idPrefix="address-edit"
        {...props}
        values={props.values ?? props.address}
      />
      <p>
        <a href="/account/addresses">Back to addresses</a>
      </p>
    </AccountLayout>
  );
}

function AddressText(props: { address: AddressView; countries: CountryOption[] }) {
  const { address } = props;
  const country = props.countries.find((entry) => entry.code === address.country);
  return <PostalAddress address={address} countryName={country?.name ?? address.country} />;
}

function AddressFormFields(props: {
  action: string;
  submitLabel: string;
  idPrefix: string;
  csrfToken: string;
  countries: { code: string; name: string }[];
  values: Partial<AddressForm>;
  error?: FormError | undefined;
}) {
  const { values, error, idPrefix } = props;
  const text = (
    name: Exclude<keyof AddressForm, 'country'>,
    label: string,
    autocomplete: string,
    required = true,
  ) => (
    <Field
      id={`${idPrefix}-${name}`}
      name={name}
      label={required ? label : `${label} (optional)`}
      value={values[name]}
      autocomplete={autocomplete}
      maxLength={checkoutLimits[name]}
      required={required}
      error={error}
    />
  );
  return (
    <>
      <ErrorSummary error={error} />
      <PostForm action={props.action} csrfToken={props.csrfToken}>
        {text('name', 'Full name', 'name')}
        {text('line1', 'Address', 'address-line1')}
        {text('line2', 'Apartment, suite, etc.', 'address-line2', false)}
        {text('city', 'City', 'address-level2')}
        {text('region', 'State or region', 'address-level1', false)}
        {text('postalCode', 'Postal code', 'postal-code')}
        <CountrySelect
          id={`${idPrefix}-country`}
          autocomplete="country"
          countries={props.countries}
          value={values.country}
          invalid={error?.field === 'country'}
          errorId="form-error"
        />
        <button type="submit" class="button">
          {props.submitLabel}
        </button>
      </PostForm>
    </>
  );
}

const statusLabels: Record<OrderSummary['status'], string> = {
  paid: 'Paid',
  pending_payment: 'Waiting for payment',
  payment_failed: 'Payment failed',
  payment_expired: 'Not paid in time',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
};

export function OrdersPage(
  props: AccountPageBase & { orders: OrderSummary[]; nextPageHref: string | null },
) {
  return (
    <AccountLayout {...props} title="Your orders" section="orders">
      {props.orders.length === 0 ? (
        <p>
          You have no orders yet. Orders you place while logged in, and earlier orders placed with
          your email address, appear here.
        </p>
      ) : (
        <table class="order-lines">
          <caption class="visually-hidden">Your orders, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Status</th>
              <th scope="col" class="numeric">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {props.orders.map((order) => (
              <tr key={order.id}>
                <th scope="row">
                  <a href={`/account/orders/${encodeURIComponent(order.id)}`}>
                    <code>{order.id}</code>
                  </a>
                </th>
                <td>{formatInstant(order.createdAt)}</td>
                <td>{statusLabels[order.status]}</td>
                <td class="numeric">{money(order.totalMinor, order.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.nextPageHref !== null && (
        <nav class="pagination" aria-label="Pagination">
          <a class="button button--secondary" href={props.nextPageHref} rel="next">
            Older orders
          </a>
        </nav>
      )}
    </AccountLayout>
  );
}
