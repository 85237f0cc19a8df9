import type { Collection } from './catalog.service.js';
import { slugify } from './slug.js';

/** Splits the tags column, which stores tags comma separated as in the CSV. */
export function splitTags(tags: string): string[] {
  return tags
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}

/** Counts products per slug; the first name seen for a slug names the collection. */
export class CollectionCounter {
  private readonly bySlug = new Map<string, Collection>();

  add(names: string[]): void {
    const slugs = new Set<string>();
    for (const name of names) {
      const slug = slugify(name);
      if (slug === '' || slugs.has(slug)) continue;
      slugs.add(slug);

      const known = this.bySlug.get(slug);
      if (known) known.productCount += 1;
      else this.bySlug.set(slug, { name, slug, productCount: 1 });
    }
  }

  sorted(): Collection[] {
    return [...this.bySlug.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
