import type { ProductImage as ImageData } from '../catalog/catalog.service.js';
import type { AssetManifest } from '../integrity/assets.js';
import { assetFor } from './asset-tags.js';

/**
 * Tells whether an imported image URL may be shown: only https URLs on a host listed in
 * IMAGE_HOSTS, which is also the CSP's img-src list. Anything else (http, data:, relative
 * paths, other hosts) would be blocked by the CSP or leak the visitor to an unknown host.
 */
export function isAllowedImageSrc(src: string, imageHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return false;
  if (url.port !== '') return false;
  return imageHosts.includes(url.hostname.toLowerCase());
}

interface ProductImageProps {
  image: ImageData | null;
  imageHosts: readonly string[];
  assets: AssetManifest;
  class?: string;
  /** Images below the fold load lazily; the main product image does not. */
  lazy?: boolean;
}

/**
 * Shows an allowed product image, or the local placeholder in its place. The placeholder has
 * empty alt text because the product title always sits next to it.
 */
export function ProductImage({
  image,
  imageHosts,
  assets,
  lazy = true,
  ...rest
}: ProductImageProps) {
  const className = rest.class ?? 'product-image';
  if (image && isAllowedImageSrc(image.src, imageHosts)) {
    return (
      <img
        class={className}
        src={image.src}
        alt={image.alt}
        loading={lazy ? 'lazy' : 'eager'}
        decoding="async"
        referrerpolicy="no-referrer"
      />
    );
  }
  const placeholder = assetFor(assets, 'placeholder.svg');
  return <img class={`${className} product-image--placeholder`} src={placeholder.url} alt="" />;
}
