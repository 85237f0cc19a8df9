import type { ProductDetail, VariantView } from '../../catalog/catalog.service.js';
import { money, Price, stockLabels } from '../components.js';
import { CsrfField } from '../csrf-field.js';
import { ProductImage } from '../images.js';
import { Layout, type PageChrome } from '../layout.js';
import { collectionPath } from '../paths.js';
import { SanitisedProductBody } from '../product-body.js';
import { ProductReviews, type ReviewsSection } from './product-reviews.js';

export interface ProductPageProps {
  chrome: PageChrome;
  imageHosts: readonly string[];
  product: ProductDetail;
  /** The variant whose price is shown; the `?variant=` choice or the first available one. */
  selected: VariantView;
  maxQuantity: number;
  /** CSRF token of the add-to-cart and review forms. */
  csrfToken: string;
  /** Tag collections this product belongs to, for the links under the description. */
  tags: { name: string; slug: string }[];
  typeSlug: string | null;
  reviews: ReviewsSection;
}

export function ProductPage(props: ProductPageProps) {
  const { chrome, product, selected } = props;
  return (
    <Layout chrome={chrome} title={product.title} scripts={['storefront.js']}>
      <Breadcrumbs product={product} typeSlug={props.typeSlug} />
      <div class="product">
        <div class="product__media">
          <ProductImage
            image={mainImage(product, selected)}
            imageHosts={props.imageHosts}
            assets={chrome.assets}
            class="product-image product-image--main"
            lazy={false}
          />
          <MoreImages product={product} imageHosts={props.imageHosts} chrome={chrome} />
        </div>
        <div class="product__info">
          <h1>{product.title}</h1>
          {product.vendor !== '' && <p class="product__vendor">{product.vendor}</p>}
          <p class="product__price" id="product-price" aria-live="polite">
            <Price
              amountMinor={selected.priceMinor}
              compareAtMinor={selected.compareAtMinor}
              currency={product.currency}
              keepCompareSlot
            />
          </p>
          <AddToCartForm
            product={product}
            selected={selected}
            maxQuantity={props.maxQuantity}
            csrfToken={props.csrfToken}
          />
          <SanitisedProductBody bodyHtml={product.bodyHtml} />
          <TagLinks tags={props.tags} />
        </div>
      </div>
      <ProductReviews
        productHandle={product.handle}
        reviews={props.reviews}
        csrfToken={props.csrfToken}
      />
    </Layout>
  );
}

function Breadcrumbs({ product, typeSlug }: { product: ProductDetail; typeSlug: string | null }) {
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        <li>
          <a href="/">Home</a>
        </li>
        {typeSlug !== null && (
          <li>
            <a href={collectionPath('type', typeSlug)}>{product.productType}</a>
          </li>
        )}
        <li aria-current="page">{product.title}</li>
      </ol>
    </nav>
  );
}

function AddToCartForm(props: {
  product: ProductDetail;
  selected: VariantView;
  maxQuantity: number;
  csrfToken: string;
}) {
  const { product, selected } = props;
  const purchasable = product.variants.some((variant) => variant.available);
  return (
    <form class="add-to-cart" method="post" action="/cart/lines">
      <CsrfField token={props.csrfToken} />
      {product.variants.length === 1 ? (
        <SingleVariant variant={selected} />
      ) : (
        <VariantPicker product={product} selected={selected} />
      )}
      <div class="field field--quantity">
        <label for="quantity">Quantity</label>
        <input
          id="quantity"
          name="quantity"
          type="number"
          inputmode="numeric"
          min={1}
          max={props.maxQuantity}
          value="1"
          required
        />
      </div>
      <button type="submit" class="button" disabled={!purchasable}>
        {purchasable ? 'Add to cart' : 'Sold out'}
      </button>
    </form>
  );
}

function SingleVariant({ variant }: { variant: VariantView }) {
  return (
    <>
      <input type="hidden" name="variantId" value={variant.id} />
      <p class={`stock stock--${variant.stock}`}>{stockLabels[variant.stock]}</p>
    </>
  );
}

/**
 * Renders one radio per variant with its price and stock state. Sold-out variants stay visible but
 * disabled. The page works without JavaScript because the form posts the checked radio;
 * storefront.js only updates the price shown above from the data attributes.
 */
function VariantPicker({ product, selected }: { product: ProductDetail; selected: VariantView }) {
  const legend = product.options.map((option) => option.name).join(' / ') || 'Option';
  return (
    <fieldset class="variant-picker" data-variant-picker>
      <legend>{legend}</legend>
      {product.variants.map((variant) => {
        const id = `variant-${variant.id}`;
        return (
          <div class="variant-choice" key={variant.id}>
            <input
              type="radio"
              id={id}
              name="variantId"
              value={variant.id}
              checked={variant.id === selected.id && variant.available}
              disabled={!variant.available}
              required
              data-price={money(variant.priceMinor, product.currency)}
              data-compare-at={
                variant.compareAtMinor !== null && variant.compareAtMinor > variant.priceMinor
                  ? money(variant.compareAtMinor, product.currency)
                  : ''
              }
            />
            <label for={id}>
              <span class="variant-choice__title">{variant.title}</span>
              <span class="variant-choice__price">
                {money(variant.priceMinor, product.currency)}
              </span>
              <span class={`stock stock--${variant.stock}`}>{stockLabels[variant.stock]}</span>
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}

function TagLinks({ tags }: { tags: { name: string; slug: string }[] }) {
  if (tags.length === 0) return null;
  return (
    <div class="tag-links">
      <h2 class="tag-links__title">Tags</h2>
      <ul>
        {tags.map((tag) => (
          <li key={tag.slug}>
            <a href={collectionPath('tag', tag.slug)}>{tag.name}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The product's other images, below the main one; no script is needed to see them. */
function MoreImages(props: {
  product: ProductDetail;
  imageHosts: readonly string[];
  chrome: PageChrome;
}) {
  const images = props.product.images.slice(1);
  if (images.length === 0) return null;
  return (
    <ul class="product__more-images">
      {images.map((image) => (
        <li key={image.src}>
          <ProductImage image={image} imageHosts={props.imageHosts} assets={props.chrome.assets} />
        </li>
      ))}
    </ul>
  );
}

/** Returns the selected variant's own image if it has one, else the product's first image. */
function mainImage(product: ProductDetail, selected: VariantView) {
  if (selected.imageSrc !== null) {
    const match = product.images.find((image) => image.src === selected.imageSrc);
    return match ?? { src: selected.imageSrc, alt: product.title };
  }
  return product.images[0] ?? product.image;
}
