import type { Asset, AssetManifest } from '../integrity/assets.js';

/**
 * Looks up a built file by its logical name (`app.css`, `placeholder.svg`). Throws when the
 * manifest lacks it, because a page that silently drops its stylesheet or script would ship
 * without the SRI value the CSP relies on.
 */
export function assetFor(assets: AssetManifest, name: string): Asset {
  const asset = assets[name];
  if (!asset) throw new Error(`asset ${name} is not in the manifest; run "npm run build"`);
  return asset;
}

export function Stylesheet({ assets, name }: { assets: AssetManifest; name: string }) {
  const asset = assetFor(assets, name);
  return (
    <link rel="stylesheet" href={asset.url} integrity={asset.integrity} crossorigin="anonymous" />
  );
}

/** Renders a deferred external script. Pages carry no inline scripts because the CSP forbids them. */
export function Script({ assets, name }: { assets: AssetManifest; name: string }) {
  const asset = assetFor(assets, name);
  return <script defer src={asset.url} integrity={asset.integrity} crossorigin="anonymous" />;
}
