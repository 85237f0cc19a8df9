import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types for Kysely. Times are ISO 8601 UTC strings, money is integer minor units, and
 * flags are 0 or 1 so that the same schema works on SQLite and PostgreSQL.
 */
export interface Database {
  products: ProductTable;
  product_tags: ProductTagTable;
  variants: VariantTable;
  images: ImageTable;
  carts: CartTable;
  cart_lines: CartLineTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  payment_events: PaymentEventTable;
  security_events: SecurityEventTable;
}

export type ProductStatus = 'active' | 'draft' | 'archived';
export type InventoryPolicy = 'deny' | 'continue';
/**
 * `payment_expired`: not paid within PAYMENT_TIMEOUT_MINUTES; `cancelled`: the shopper returned
 * the order to their cart before paying. Both released the order's stock.
 */
export type OrderStatus =
  'pending_payment' | 'paid' | 'payment_failed' | 'payment_expired' | 'cancelled';

export interface ProductTable {
  id: string;
  handle: string;
  title: string;
  body_html: string;
  /** Body reduced to plain text, for search and descriptions. */
  body_text: string;
  vendor: string;
  product_type: string;
  /** Tags as imported, comma separated. product_tags stores them one per row for filtering. */
  tags: string;
  status: ProductStatus;
  published: number;
  option1_name: string | null;
  option2_name: string | null;
  option3_name: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProductTagTable {
  product_id: string;
  /** Lowercased tag, used in collection URLs. */
  tag: string;
}

export interface VariantTable {
  id: string;
  product_id: string;
  position: number;
  sku: string;
  option1: string | null;
  option2: string | null;
  option3: string | null;
  price_minor: number;
  compare_at_minor: number | null;
  grams: number;
  barcode: string;
  taxable: number;
  requires_shipping: number;
  inventory_tracked: number;
  inventory_quantity: number;
  inventory_policy: InventoryPolicy;
  image_src: string | null;
}

export interface ImageTable {
  id: string;
  product_id: string;
  position: number;
  src: string;
  alt: string;
}

export interface CartTable {
  id: string;
  /** SHA-256 of the visitor token in the __Host-cart cookie; the token itself is never stored. */
  visitor_hash: string;
  currency: string;
  status: 'open' | 'checked_out';
  created_at: string;
  updated_at: string;
}

export interface CartLineTable {
  id: string;
  cart_id: string;
  variant_id: string;
  quantity: number;
  created_at: string;
}

export interface OrderTable {
  id: string;
  visitor_hash: string;
  cart_id: string;
  email: string;
  ship_name: string;
  ship_line1: string;
  ship_line2: string;
  ship_city: string;
  ship_region: string;
  ship_postal_code: string;
  ship_country: string;
  shipping_method: string;
  subtotal_minor: number;
  shipping_minor: number;
  total_minor: number;
  currency: string;
  status: OrderStatus;
  payment_provider: string;
  payment_reference: string | null;
  created_at: string;
  paid_at: string | null;
}

export interface OrderLineTable {
  id: string;
  order_id: string;
  variant_id: string;
  product_title: string;
  variant_title: string;
  sku: string;
  unit_price_minor: number;
  quantity: number;
  line_total_minor: number;
}

export interface PaymentEventTable {
  /** The provider's event id; the primary key makes a replayed event a conflict. */
  event_id: string;
  provider: string;
  order_id: string | null;
  type: string;
  outcome: string;
  received_at: string;
}

export interface SecurityEventTable {
  id: Generated<number>;
  created_at: string;
  kind: string;
  source: string;
  request_id: string;
  details: string;
}

export type ProductRow = Selectable<ProductTable>;
export type NewProduct = Insertable<ProductTable>;
export type VariantRow = Selectable<VariantTable>;
export type NewVariant = Insertable<VariantTable>;
export type ImageRow = Selectable<ImageTable>;
export type CartRow = Selectable<CartTable>;
export type CartLineRow = Selectable<CartLineTable>;
export type OrderRow = Selectable<OrderTable>;
export type OrderUpdate = Updateable<OrderTable>;
export type OrderLineRow = Selectable<OrderLineTable>;
export type SecurityEventRow = Selectable<SecurityEventTable>;
