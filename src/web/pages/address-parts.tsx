import type { ShippingAddress } from '../../checkout/checkout.service.js';

/** A country for the country select: ISO 3166-1 alpha-2 code and English name. */
export interface CountryOption {
  code: string;
  name: string;
}

/**
 * Renders a postal address, one line per part, for the order page and the address book.
 * `countryName` is the name shown for the address's country code.
 */
export function PostalAddress(props: { address: ShippingAddress; countryName: string }) {
  const { address } = props;
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
      {props.countryName}
    </address>
  );
}

/**
 * Renders the required country select of an address form. When `invalid` is true the select
 * points to the form's error message, the element with id `errorId`.
 */
export function CountrySelect(props: {
  id: string;
  autocomplete: string;
  countries: CountryOption[];
  value: string | undefined;
  invalid: boolean;
  errorId: string;
}) {
  return (
    <div class="field">
      <label for={props.id}>Country</label>
      <select
        id={props.id}
        name="country"
        autocomplete={props.autocomplete}
        required
        aria-invalid={props.invalid ? 'true' : undefined}
        aria-describedby={props.invalid ? props.errorId : undefined}
      >
        <option value="" selected={!props.value}>
          Choose a country
        </option>
        {props.countries.map((country) => (
          <option key={country.code} value={country.code} selected={country.code === props.value}>
            {country.name}
          </option>
        ))}
      </select>
    </div>
  );
}
