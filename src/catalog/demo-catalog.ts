import type { Db } from '../db/database.js';
import type { Config } from '../server/config.js';
import { importProductCsv } from './csv-import/importer.js';

// A small tea shop in Shopify's CSV format, written for Storefort. It has three product types
// with tags, products with one and with two options, a sold-out variant whose policy denies
// overselling, a variant sold on backorder, and one draft and one archived product that shoppers
// never see. Prices are whole amounts so they read the same in currencies without decimals
// (JPY). There are no images: the storefront shows its local placeholder instead.
const demoCatalogCsv = `Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Price,Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Status
morning-mist-green-tea,Morning Mist Green Tea,"<p>A bright, grassy green tea from high mountain gardens. Steep at 75 °C for two minutes.</p><ul><li>Loose leaf</li><li>Resealable pouch</li></ul>",Storefort Demo,Tea,"Green tea, Organic, Bestseller",true,Size,50 g,,,TEA-MIST-50,60,shopify,40,deny,9.00,,true,true,active
morning-mist-green-tea,,,,,,,,100 g,,,TEA-MIST-100,115,shopify,12,deny,16.00,18.00,true,true,
smoky-lapsang-souchong,Smoky Lapsang Souchong,"<p>Pine-smoked black tea with a campfire aroma. Strong enough for milk.</p>",Storefort Demo,Tea,"Black tea",true,Title,Default Title,,,TEA-LAPSANG,110,shopify,25,deny,14.00,,true,true,active
chamomile-nights,Chamomile Nights,"<p>Whole chamomile flowers with lemon balm, caffeine free. <strong>Back in spring.</strong></p>",Storefort Demo,Tea,"Herbal tea, Caffeine free",true,Title,Default Title,,,TEA-CHAMOMILE,80,shopify,0,deny,11.00,,true,true,active
earl-grey-cream,Earl Grey Cream,"<p>Black tea with bergamot and vanilla. Ships as soon as the next batch is blended.</p>",Storefort Demo,Tea,"Black tea, Bestseller",true,Size,50 g,,,TEA-EARL-50,60,shopify,0,continue,10.00,,true,true,active
earl-grey-cream,,,,,,,,100 g,,,TEA-EARL-100,115,shopify,8,continue,18.00,,true,true,
stoneware-mug,Stoneware Mug,"<p>Hand-thrown stoneware with a matte glaze. Dishwasher safe.</p>",Storefort Demo,Teaware,"Mugs, Handmade",true,Colour,Sand,Size,Regular,MUG-SAND-R,380,shopify,9,deny,24.00,,true,true,active
stoneware-mug,,,,,,,,Sand,,Large,MUG-SAND-L,460,shopify,4,deny,28.00,,true,true,
stoneware-mug,,,,,,,,Slate,,Regular,MUG-SLATE-R,380,shopify,15,deny,24.00,,true,true,
stoneware-mug,,,,,,,,Slate,,Large,MUG-SLATE-L,460,shopify,0,deny,28.00,,true,true,
glass-teapot,Glass Teapot with Infuser,"<p>Borosilicate glass, 800 ml, with a stainless steel infuser.</p><table><tr><th>Volume</th><td>800 ml</td></tr><tr><th>Material</th><td>Glass, steel</td></tr></table>",Storefort Demo,Teaware,"Teapots, Gift idea",true,Title,Default Title,,,POT-GLASS-800,650,,,deny,32.00,38.00,true,true,active
enamel-camp-cup,Enamel Camp Cup,"<p>Light enough for a rucksack, tough enough for a campfire.</p>",Storefort Demo,Teaware,"Mugs, Outdoors",true,Colour,White,,,CUP-ENAMEL-W,120,,,deny,12.00,,true,true,active
enamel-camp-cup,,,,,,,,Forest,,,CUP-ENAMEL-F,120,,,deny,12.00,,true,true,
tasting-journal,Tea Tasting Journal,"<p>A5 dot grid notebook with pages for notes on leaf, liquor and finish.</p>",Storefort Demo,Stationery,"Notebooks, Gift idea",true,Cover,Linen,,,BOOK-TASTE-LIN,300,shopify,3,deny,15.00,,true,true,active
tasting-journal,,,,,,,,Kraft,,,BOOK-TASTE-KRA,300,shopify,30,deny,13.00,,true,true,
brewing-guide-cards,Brewing Guide Cards,"<p>Twelve cards with times and temperatures for every kind of tea.</p>",Storefort Demo,Stationery,"Gift idea",true,Title,Default Title,,,CARDS-BREW,90,,,deny,7.00,,true,true,active
winter-blend-preview,Winter Blend (preview),"<p>Not on sale yet.</p>",Storefort Demo,Tea,"Black tea, Seasonal",true,Title,Default Title,,,TEA-WINTER,110,shopify,100,deny,15.00,,true,true,draft
summer-sampler-2023,Summer Sampler 2023,"<p>Last year's sampler.</p>",Storefort Demo,Tea,"Seasonal",false,Title,Default Title,,,TEA-SAMPLER-23,200,shopify,0,deny,20.00,,true,true,archived
`;

/**
 * Imports the demo catalog when the store has no products yet, so a fresh install shows a
 * working shop. Returns whether it seeded. Throws if the demo catalog does not import
 * cleanly, which would be a bug in this file or in the importer.
 */
export async function seedDemoCatalogIfEmpty(db: Db, config: Config): Promise<boolean> {
  const existing = await db.kysely.selectFrom('products').select('id').limit(1).executeTakeFirst();
  if (existing) return false;

  const report = await importProductCsv(db.kysely, demoCatalogCsv, { currency: config.currency });
  if (report.issueCount > 0 || report.fatal) {
    const first = report.fatal ?? report.issues[0];
    throw new Error(`the demo catalog did not import: line ${first?.line}: ${first?.message}`);
  }
  return true;
}
