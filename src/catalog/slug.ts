/** Slugs longer than this are cut; the route schemas accept collection slugs up to this size. */
export const maxSlugLength = 100;

/**
 * Turns a product type or tag into the slug used in collection URLs: lowercase letters and
 * digits of any script, with diacritics removed and every other run of characters replaced by
 * one hyphen ("Hair Accessories" → "hair-accessories", "Acessórios" → "acessorios"). Returns an
 * empty string when nothing usable remains (a tag made only of emoji, for example).
 */
export function slugify(name: string): string {
  const hyphenated = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-');
  return trimHyphens(trimHyphens(hyphenated).slice(0, maxSlugLength));
}

function trimHyphens(text: string): string {
  return text.replace(/^-+|-+$/g, '');
}
