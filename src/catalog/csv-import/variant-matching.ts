/** Identity of a stored variant, for matching on re-import. */
export interface StoredVariantKey {
  id: string;
  sku: string;
  position: number;
}

/** Identity of an imported variant, for matching on re-import. */
export interface ImportedVariantKey {
  sku: string;
  position: number;
}

/**
 * Pairs the variants of a re-imported product with the stored ones, so that a variant keeps
 * the id that cart lines refer to. A SKU that occurs exactly once on both sides pairs those
 * two, and the remaining variants pair by position. Returns stored ids by imported position.
 * Imported variants without a partner are new, and stored ones left over are deleted.
 */
export function matchVariants(
  stored: StoredVariantKey[],
  imported: ImportedVariantKey[],
): Map<number, string> {
  const matched = new Map<number, string>();
  const pairedIds = new Set<string>();

  const storedBySku = uniqueBySku(stored);
  const importedBySku = uniqueBySku(imported);
  for (const [sku, variant] of importedBySku) {
    const partner = storedBySku.get(sku);
    if (!partner) continue;
    matched.set(variant.position, partner.id);
    pairedIds.add(partner.id);
  }

  const storedByPosition = new Map(stored.map((variant) => [variant.position, variant]));
  for (const variant of imported) {
    if (matched.has(variant.position)) continue;
    const partner = storedByPosition.get(variant.position);
    if (!partner || pairedIds.has(partner.id)) continue;
    matched.set(variant.position, partner.id);
    pairedIds.add(partner.id);
  }
  return matched;
}

function uniqueBySku<T extends { sku: string }>(variants: T[]): Map<string, T> {
  const bySku = new Map<string, T>();
  const repeated = new Set<string>();
  for (const variant of variants) {
    if (variant.sku === '') continue;
    if (bySku.has(variant.sku)) repeated.add(variant.sku);
    bySku.set(variant.sku, variant);
  }
  for (const sku of repeated) bySku.delete(sku);
  return bySku;
}
