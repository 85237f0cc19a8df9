import type { ComponentChildren } from 'preact';

import type { Collection } from '../catalog/catalog.service.js';
import type { AssetManifest } from '../integrity/assets.js';
import { HtmlDocument } from './document.js';
import { collectionPath } from './paths.js';

export const siteName = 'Storefort';

/** Maximum length of the search text, in characters. */
export const maxSearchLength = 200;

/** Data the layout shows around every page's content: cart count and navigation links. */
export interface PageChrome {
  assets: AssetManifest;
  /** Items in the visitor's open cart; null where it was not looked up (error pages). */
  cartItemCount: number | null;
  /**
   * Whether a customer is signed in, which picks the header's "Account" or "Log in" link. Null
   * (error pages, which do not look it up) shows "Account".
   */
  signedIn?: boolean | null;
  /** Product types linked from the header navigation. */
  navCollections: Collection[];
  /** Text shown in the header search field. */
  searchQuery?: string;
}

interface LayoutProps {
  chrome: PageChrome;
  /** Page title without the site name; the page's h1 usually repeats it. */
  title: string;
  /** Logical names of client scripts this page enhances itself with. */
  scripts?: string[];
  children: ComponentChildren;
}

export function Layout({ chrome, title, scripts = [], children }: LayoutProps) {
  return (
    <HtmlDocument
      assets={chrome.assets}
      title={`${title} · ${siteName}`}
      scripts={scripts}
      header={<SiteHeader chrome={chrome} />}
      footer={<SiteFooter />}
    >
      {children}
    </HtmlDocument>
  );
}

function SiteHeader({ chrome }: { chrome: PageChrome }) {
  return (
    <header class="site-header">
      <div class="wrap site-header__bar">
        <a class="brand" href="/">
          {siteName}
        </a>
        <form
          class="search-form"
          role="search"
          action="/search"
          method="get"
          aria-label="Site search"
        >
          <label for="site-search" class="visually-hidden">
            Search products
          </label>
          <input
            id="site-search"
            type="search"
            name="q"
            maxlength={maxSearchLength}
            placeholder="Search products"
            value={chrome.searchQuery ?? ''}
          />
          <button type="submit">Search</button>
        </form>
        <AccountLink signedIn={chrome.signedIn ?? null} />
        <CartLink count={chrome.cartItemCount} />
      </div>
      <nav class="site-nav" aria-label="Collections">
        <ul class="wrap site-nav__list">
          {chrome.navCollections.map((collection) => (
            <li key={collection.slug}>
              <a href={collectionPath('type', collection.slug)}>{collection.name}</a>
            </li>
          ))}
          <li>
            <a href="/collections">All collections</a>
          </li>
        </ul>
      </nav>
    </header>
  );
}

function AccountLink({ signedIn }: { signedIn: boolean | null }) {
  if (signedIn === false) {
    return (
      <a class="account-link" href="/account/login">
        Log in
      </a>
    );
  }
  return (
    <a class="account-link" href="/account">
      Account
    </a>
  );
}

function CartLink({ count }: { count: number | null }) {
  if (count === null) {
    return (
      <a class="cart-link" href="/cart">
        Cart
      </a>
    );
  }
  const label = count === 1 ? '1 item' : `${count} items`;
  return (
    <a class="cart-link" href="/cart">
      Cart{' '}
      <span class="cart-link__count" aria-hidden="true">
        {count}
      </span>
      <span class="visually-hidden">{`, ${label}`}</span>
    </a>
  );
}

function SiteFooter() {
  return (
    <footer class="site-footer">
      <div class="wrap">
        <p>
          {siteName}. Card details are entered on the payment provider's page and never reach this
          shop.
        </p>
      </div>
    </footer>
  );
}
