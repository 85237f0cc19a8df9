import type { Collection, ProductSummary } from '../../catalog/catalog.service.js';
import { NextPageLink, ProductGrid } from '../components.js';
import { Layout, type PageChrome } from '../layout.js';
import { CollectionList } from './home.js';

export interface CollectionPageProps {
  chrome: PageChrome;
  imageHosts: readonly string[];
  collection: Collection;
  kind: 'type' | 'tag';
  products: ProductSummary[];
  nextPageHref: string | null;
}

export function CollectionPage(props: CollectionPageProps) {
  const { chrome, collection } = props;
  const heading = props.kind === 'tag' ? `Tagged “${collection.name}”` : collection.name;
  return (
    <Layout chrome={chrome} title={heading}>
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <ol>
          <li>
            <a href="/">Home</a>
          </li>
          <li>
            <a href="/collections">Collections</a>
          </li>
          <li aria-current="page">{heading}</li>
        </ol>
      </nav>
      <h1>{heading}</h1>
      <p class="lead">{productCountText(collection.productCount)}</p>
      <ProductGrid products={props.products} imageHosts={props.imageHosts} assets={chrome.assets} />
      <NextPageLink href={props.nextPageHref} />
    </Layout>
  );
}

export function CollectionsIndexPage(props: {
  chrome: PageChrome;
  collections: { types: Collection[]; tags: Collection[] };
}) {
  return (
    <Layout chrome={props.chrome} title="Collections">
      <h1>Collections</h1>
      <section aria-labelledby="by-type">
        <h2 id="by-type">By product type</h2>
        <CollectionList collections={props.collections.types} kind="type" />
      </section>
      <section aria-labelledby="by-tag">
        <h2 id="by-tag">By tag</h2>
        <CollectionList collections={props.collections.tags} kind="tag" />
      </section>
    </Layout>
  );
}

function productCountText(count: number): string {
  return count === 1 ? '1 product' : `${count} products`;
}
