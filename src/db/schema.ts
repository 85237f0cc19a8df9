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
  customers: CustomerTable;
  customer_addresses: CustomerAddressTable;
  staff: StaffTable;
  sessions: SessionTable;
  auth_links: AuthLinkTable;
  auth_challenges: AuthChallengeTable;
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodeTable;
  webauthn_credentials: WebauthnCredentialTable;
  auth_throttle: AuthThrottleTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  api_keys: ApiKeyTable;
  reviews: ReviewTable;
}

export type ProductStatus = 'active' | 'draft' | 'archived';
export type InventoryPolicy = 'deny' | 'continue';
/**
 * `payment_expired`: not paid within PAYMENT_TIMEOUT_MINUTES; `cancelled`: the shopper returned
 * the order to their cart before paying. Both released the order's stock.
 */
export type OrderStatus =
  'pending_payment' | 'paid' | 'payment_failed' | 'payment_expired' | 'cancelled' | 'refunded';

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
  /** The customer who owns the cart once they log in; null for a guest's cart. */
  customer_id: string | null;
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
  /** The customer who owns the order; null for a guest order not yet attached to an account. */
  customer_id: string | null;
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
  /** Amount refunded so far, in minor units; equal to total_minor once fully refunded. */
  refunded_minor: Generated<number>;
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

/** Who a session, link or credential belongs to: a shopper's account or a staff member. */
export type Realm = 'customer' | 'staff';
export type StaffRole = 'owner' | 'manager' | 'support' | 'fulfilment';

export interface CustomerTable {
  id: string;
  /** Normalized: trimmed and lowercased. */
  email: string;
  email_confirmed_at: string | null;
  /** argon2id PHC string; never leaves the auth module. */
  password_hash: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface CustomerAddressTable {
  id: string;
  customer_id: string;
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  created_at: string;
}

export interface StaffTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: StaffRole;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
}

/**
 * `mfa_pending`: the password was right but a second factor is still due (or, for staff, must
 * still be enrolled); such a session reaches only the MFA pages. `active`: fully signed in.
 */
export type SessionStage = 'mfa_pending' | 'mfa_enrolment' | 'active';

export interface SessionTable {
  /** SHA-256 of the 256-bit token in the cookie; the token itself is never stored. */
  token_hash: string;
  realm: Realm;
  account_id: string;
  stage: SessionStage;
  created_at: string;
  last_seen_at: string;
  /** Absolute end of the session, fixed at creation. */
  expires_at: string;
  /** Last time the holder proved a password or second factor, for sensitive actions. */
  reauthenticated_at: string;
  user_agent: string;
  ip: string;
}

export type AuthLinkPurpose = 'confirm_email' | 'reset_password' | 'change_email';

export interface AuthLinkTable {
  token_hash: string;
  purpose: AuthLinkPurpose;
  realm: Realm;
  account_id: string;
  /** The address a change_email link confirms. */
  new_email: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface AuthChallengeTable {
  /** SHA-256 of the random key the browser holds for this challenge. */
  key_hash: string;
  purpose: 'webauthn_register' | 'webauthn_login';
  realm: Realm;
  account_id: string | null;
  challenge: string;
  expires_at: string;
}

export interface MfaTotpTable {
  realm: Realm;
  account_id: string;
  /** The TOTP secret encrypted with a key derived from SECRET_KEY (AES-256-GCM). */
  secret_sealed: string;
  /** Null until the holder proves a first code. */
  confirmed_at: string | null;
  /** The last 30-second step a code was accepted for; codes of that step or earlier fail. */
  last_used_step: Generated<number>;
  created_at: string;
}

export interface MfaRecoveryCodeTable {
  id: Generated<number>;
  realm: Realm;
  account_id: string;
  code_hash: string;
  used_at: string | null;
  created_at: string;
}

export interface WebauthnCredentialTable {
  /** Credential id, base64url. */
  id: string;
  realm: Realm;
  account_id: string;
  /** COSE public key, base64url. */
  public_key: string;
  counter: number;
  /** JSON array of transport hints. */
  transports: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface AuthThrottleTable {
  key: string;
  failures: number;
  blocked_until: string;
  updated_at: string;
}

export interface OutboxTable {
  id: Generated<number>;
  to_address: string;
  subject: string;
  /** Erased once an SMTP server has accepted the message, since it may hold a link. */
  body_text: string | null;
  kind: string;
  created_at: string;
  next_attempt_at: string;
  attempts: Generated<number>;
  sent_at: string | null;
  last_error: string | null;
}

export interface AuditLogTable {
  seq: number;
  created_at: string;
  actor_id: string;
  actor_email: string;
  action: string;
  object_type: string;
  object_id: string;
  ip: string;
  /** JSON object with the action's parameters; never secrets. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface ApiKeyTable {
  id: string;
  name: string;
  /** SHA-256 of the key; the key is shown once at creation. */
  key_hash: string;
  /** First characters of the key, shown in the admin to tell keys apart. */
  prefix: string;
  /** JSON array of permission names. */
  permissions: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ReviewTable {
  id: string;
  product_id: string;
  customer_id: string;
  /** 1 to 5. */
  rating: number;
  body: string;
  created_at: string;
  updated_at: string;
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
export type CustomerRow = Selectable<CustomerTable>;
export type CustomerAddressRow = Selectable<CustomerAddressTable>;
export type StaffRow = Selectable<StaffTable>;
export type SessionRow = Selectable<SessionTable>;
export type AuthLinkRow = Selectable<AuthLinkTable>;
export type WebauthnCredentialRow = Selectable<WebauthnCredentialTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type ReviewRow = Selectable<ReviewTable>;
