import type { ProductSummary, VariantView } from '../catalog/catalog.service.js';
import { formatMoney } from '../catalog/money.js';
import type { AssetManifest } from '../integrity/assets.js';
import { ProductImage } from './images.js';
import { productPath } from './paths.js';

export function money(amount: number, currency: string): string {
  return formatMoney({ amount, currency });
}

interface PriceProps {
  amountMinor: number;
  compareAtMinor: number | null;
  currency: string;
  /**
   * Renders the compare-at element even when there is no sale, hidden, so that storefront.js
   * can show it when the shopper picks a variant that is on sale.
   */
  keepCompareSlot?: boolean;
}

/** Renders a price, with the struck-through compare-at price when the product is on sale. */
export function Price({ amountMinor, compareAtMinor, currency, keepCompareSlot }: PriceProps) {
  const onSale = compareAtMinor !== null && compareAtMinor > amountMinor;
  const showCompare = onSale || keepCompareSlot === true;
  return (
    <span class="price">
      <span class={onSale ? 'price__amount price__amount--sale' : 'price__amount'}>
        {money(amountMinor, currency)}
      </span>
      {showCompare && (
        <span class="price__was" hidden={!onSale}>
          {' '}
          <span class="visually-hidden">was </span>
          <s class="price__compare">
            {onSale && compareAtMinor !== null ? money(compareAtMinor, currency) : ''}
          </s>
        </span>
      )}
    </span>
  );
}

export const stockLabels: Record<VariantView['stock'], string> = {
  in_stock: 'In stock',
  low_stock: 'Only a few left',
  sold_out: 'Sold out',
  backorder: 'Available on backorder',
  untracked: 'Available',
};

interface GridProps {
  products: ProductSummary[];
  imageHosts: readonly string[];
  assets: AssetManifest;
  /** Heading level of each card title, so the outline stays logical under the page's h2s. */
  headingLevel?: 2 | 3;
}

export function ProductGrid({ products, imageHosts, assets, headingLevel = 2 }: GridProps) {
  return (
    <ul class="product-grid">
      {products.map((product) => (
        <li key={product.id}>
          <ProductCard
            product={product}
            imageHosts={imageHosts}
            assets={assets}
            headingLevel={headingLevel}
          />
        </li>
      ))}
    </ul>
  );
}

function ProductCard(props: {
  product: ProductSummary;
  imageHosts: readonly string[];
  assets: AssetManifest;
  headingLevel: 2 | 3;
}) {
  const { product } = props;
  const Heading = props.headingLevel === 2 ? 'h2' : 'h3';
  return (
    <article class="product-card">
      <ProductImage image={product.image} imageHosts={props.imageHosts} assets={props.assets} />
      <Heading class="product-card__title">
        <a href={productPath(product.handle)}>{product.title}</a>
      </Heading>
      <p class="product-card__vendor">{product.vendor}</p>
      <p class="product-card__price">
        {product.priceMaxMinor > product.priceMinMinor && 'From '}
        <Price
          amountMinor={product.priceMinMinor}
          compareAtMinor={product.compareAtMinor}
          currency={product.currency}
        />
      </p>
      {!product.available && <p class="badge badge--sold-out">Sold out</p>}
    </article>
  );
}

/** Renders the cursor link to the next page of a listing, or nothing on the last page. */
export function NextPageLink({ href }: { href: string | null }) {
  if (href === null) return null;
  return (
    <nav class="pagination" aria-label="Pagination">
      <a class="button button--secondary" href={href} rel="next">
        More products
      </a>
    </nav>
  );
}
