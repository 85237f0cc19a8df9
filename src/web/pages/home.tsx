import type { Collection, ProductSummary } from '../../catalog/catalog.service.js';
import { ProductGrid } from '../components.js';
import { Layout, type PageChrome } from '../layout.js';
import { collectionPath } from '../paths.js';

export interface HomePageProps {
  chrome: PageChrome;
  imageHosts: readonly string[];
  products: ProductSummary[];
  collections: { types: Collection[]; tags: Collection[] };
}

export function HomePage({ chrome, imageHosts, products, collections }: HomePageProps) {
  return (
    <Layout chrome={chrome} title="Home">
      <h1>Welcome to the shop</h1>
      <p class="lead">Browse a few of our products or pick a collection.</p>

      <section aria-labelledby="new-products">
        <h2 id="new-products">Products</h2>
        {products.length === 0 ? (
          <p>No products are on sale yet.</p>
        ) : (
          <ProductGrid
            products={products}
            imageHosts={imageHosts}
            assets={chrome.assets}
            headingLevel={3}
          />
        )}
      </section>

      <section aria-labelledby="collections">
        <h2 id="collections">Collections</h2>
        <CollectionList collections={collections.types} kind="type" />
      </section>
    </Layout>
  );
}

/** Links to collections with their product counts. */
export function CollectionList(props: { collections: Collection[]; kind: 'type' | 'tag' }) {
  if (props.collections.length === 0) return <p>No collections yet.</p>;
  return (
    <ul class="collection-list">
      {props.collections.map((collection) => (
        <li key={collection.slug}>
          <a href={collectionPath(props.kind, collection.slug)}>
            {collection.name}{' '}
            <span class="collection-list__count">({collection.productCount})</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
