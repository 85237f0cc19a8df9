import type { ComponentChildren } from 'preact';

import type { AssetManifest } from '../integrity/assets.js';
import { assetFor, Script, Stylesheet } from './asset-tags.js';

interface DocumentProps {
  assets: AssetManifest;
  /** The whole `<title>` text, site name included. */
  title: string;
  /** Whether to ask search engines not to index the page. Defaults to false. */
  noindex?: boolean;
  /** Logical names of client scripts the page loads. */
  scripts: string[];
  header: ComponentChildren;
  footer?: ComponentChildren;
  children: ComponentChildren;
}

/**
 * Renders the HTML document that the shop and the admin share: head with stylesheet, scripts and
 * favicon (all with SRI), a skip link, then the given header, main content and footer.
 */
export function HtmlDocument(props: DocumentProps) {
  const favicon = assetFor(props.assets, 'favicon.svg');
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.noindex && <meta name="robots" content="noindex" />}
        <title>{props.title}</title>
        <link rel="icon" type="image/svg+xml" href={favicon.url} />
        <Stylesheet assets={props.assets} name="app.css" />
        {props.scripts.map((name) => (
          <Script key={name} assets={props.assets} name={name} />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        {props.header}
        <main id="main" tabindex={-1} class="wrap">
          {props.children}
        </main>
        {props.footer}
      </body>
    </html>
  );
}
