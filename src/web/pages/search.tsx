import type { ProductSummary } from '../../catalog/catalog.service.js';
import { NextPageLink, ProductGrid } from '../components.js';
import { Layout, maxSearchLength, type PageChrome } from '../layout.js';

export interface SearchPageProps {
  chrome: PageChrome;
  imageHosts: readonly string[];
  query: string;
  /** Null when no query was entered, so the page shows a prompt instead of results. */
  results: { products: ProductSummary[]; nextPageHref: string | null } | null;
}

export function SearchPage({ chrome, imageHosts, query, results }: SearchPageProps) {
  const heading = results === null ? 'Search' : `Results for “${query}”`;
  return (
    <Layout chrome={chrome} title={heading}>
      <h1>{heading}</h1>
      {/* Named apart from the header's search form, because two search landmarks of one name
          cannot be told apart in a screen reader's landmark list. */}
      <form
        class="search-form search-form--page"
        role="search"
        action="/search"
        method="get"
        aria-label="Search the catalog"
      >
        <label for="page-search">Search products by name, vendor, type or tag</label>
        <div class="search-form__row">
          <input
            id="page-search"
            type="search"
            name="q"
            maxlength={maxSearchLength}
            value={query}
          />
          <button type="submit">Search</button>
        </div>
      </form>
      <SearchResults imageHosts={imageHosts} chrome={chrome} results={results} />
    </Layout>
  );
}

function SearchResults({ chrome, imageHosts, results }: Omit<SearchPageProps, 'query'>) {
  if (results === null) {
    return <p class="lead">Type what you are looking for and press Search.</p>;
  }
  if (results.products.length === 0) {
    return <p class="lead">No products match your search. Try fewer or different words.</p>;
  }
  return (
    <>
      <ProductGrid products={results.products} imageHosts={imageHosts} assets={chrome.assets} />
      <NextPageLink href={results.nextPageHref} />
    </>
  );
}
