import { currencyExponent } from '../catalog/money.js';

export type ShippingMethodId = 'standard' | 'express';

export interface ShippingMethod {
  id: ShippingMethodId;
  label: string;
  /** Flat price per order in minor units of the shop's currency. */
  priceMinor: number;
}

export const shippingMethodIds: readonly ShippingMethodId[] = ['standard', 'express'];

// Flat rates in whole units of the currency, picked so that each reads as a plausible price
// locally. NOTE: these are fixed demo rates, which use no carrier rates and no parcel weights.
const ratesInMajorUnits: Record<string, Record<ShippingMethodId, number>> = {
  JPY: { standard: 800, express: 2000 },
  KRW: { standard: 5000, express: 15000 },
  SEK: { standard: 59, express: 149 },
  NOK: { standard: 59, express: 149 },
  DKK: { standard: 39, express: 99 },
  INR: { standard: 99, express: 299 },
};
const defaultRates: Record<ShippingMethodId, number> = { standard: 5, express: 15 };

const labels: Record<ShippingMethodId, string> = {
  standard: 'Standard (3–5 business days)',
  express: 'Express (1–2 business days)',
};

/** Returns the shipping methods with their prices in minor units of `currency`. */
export function shippingMethods(currency: string): ShippingMethod[] {
  const exponent = currencyExponent(currency) ?? 2;
  const rates = ratesInMajorUnits[currency] ?? defaultRates;

  return shippingMethodIds.map((id) => ({
    id,
    label: labels[id],
    priceMinor: rates[id] * 10 ** exponent,
  }));
}

/** Returns the method with this id, or undefined for an id the shop does not offer. */
export function findShippingMethod(currency: string, id: string): ShippingMethod | undefined {
  return shippingMethods(currency).find((method) => method.id === id);
}
