/**
 * Renders a product description, the one place where the storefront renders raw HTML. The catalog
 * import sanitises `bodyHtml` with sanitize-html (tags, attributes and URL schemes on an allow
 * list, style attributes dropped) before it is stored, and every read comes from that column.
 * Nothing else may be passed here.
 *
 * NOTE: images inside the body are not checked against IMAGE_HOSTS. The CSP's img-src blocks
 * those on other hosts, so the browser shows them as broken images instead of loading them.
 */
export function SanitisedProductBody({ bodyHtml }: { bodyHtml: string }) {
  if (bodyHtml.trim() === '') return null;
  return <div class="product-body" dangerouslySetInnerHTML={{ __html: bodyHtml }} />;
}
