/**
 * The fixed vocabulary of the demo retail dataset: regions, countries, products, channels and
 * the integer weights that shape its distributions. Everything is plain integer data so the SQL
 * built from it (see `buildSalesInsert`) is identical on every machine.
 *
 * Changing anything here changes the generated rows: bump `SALES_SEED_VERSION` when you do.
 */

export interface DemoRegion {
  readonly name: string;
  /** Hours to add to UTC to get local time; shifts the intraday curve so each region peaks in its evening. */
  readonly utcOffsetHours: number;
}

export interface DemoCountry {
  readonly name: string;
  /** Index into `demoRegions` (0-based). */
  readonly region: number;
  /** Relative share of the customer base living in this country. */
  readonly customerWeight: number;
}

export interface DemoProduct {
  readonly name: string;
  /** Index into `demoCategories` (0-based). */
  readonly category: number;
  readonly listPriceCents: number;
  /** Relative popularity: how often the product appears on an order line. */
  readonly weight: number;
  /** Cost of goods as a percentage of the amount sold. */
  readonly costPct: number;
}

export const demoRegions: readonly DemoRegion[] = [
  { name: 'North America', utcOffsetHours: -5 },
  { name: 'Europe', utcOffsetHours: 1 },
  { name: 'Asia Pacific', utcOffsetHours: 8 },
  { name: 'Latin America', utcOffsetHours: -4 },
  { name: 'Middle East & Africa', utcOffsetHours: 3 },
];

const country = (name: string, region: number, customerWeight: number): DemoCountry => ({ name, region, customerWeight });

export const demoCountries: readonly DemoCountry[] = [
  country('United States', 0, 240), country('Canada', 0, 40), country('Mexico', 0, 25),
  country('Germany', 1, 60), country('United Kingdom', 1, 55), country('France', 1, 45),
  country('Italy', 1, 30), country('Spain', 1, 25), country('Netherlands', 1, 20),
  country('Japan', 2, 45), country('Australia', 2, 30), country('India', 2, 35),
  country('South Korea', 2, 20), country('Singapore', 2, 12),
  country('Brazil', 3, 30), country('Argentina', 3, 12), country('Chile', 3, 8),
  country('Colombia', 3, 8), country('Peru', 3, 5),
  country('United Arab Emirates', 4, 10), country('Saudi Arabia', 4, 9), country('South Africa', 4, 8),
  country('Egypt', 4, 5), country('Nigeria', 4, 5),
];

export const demoCategories: readonly string[] = [
  'Electronics', 'Home & Kitchen', 'Apparel', 'Sports & Outdoors', 'Beauty & Personal Care', 'Office',
];

/** Per-category return rate in permille, index-aligned with `demoCategories` (apparel comes back most). */
export const demoReturnPermille: readonly number[] = [40, 18, 65, 22, 12, 15];

const product = (name: string, category: number, listPriceCents: number, weight: number, costPct: number): DemoProduct =>
  ({ name, category, listPriceCents, weight, costPct });

export const demoProducts: readonly DemoProduct[] = [
  product('Wireless Earbuds', 0, 7999, 60, 62), product('Noise-Cancelling Headphones', 0, 24900, 25, 66),
  product('Smartwatch', 0, 19900, 30, 64), product('4K Monitor', 0, 32900, 15, 74),
  product('Bluetooth Speaker', 0, 5999, 40, 58), product('USB-C Charger', 0, 2999, 70, 45),
  product('Tablet', 0, 44900, 14, 78),
  product('Espresso Machine', 1, 39900, 10, 60), product("Chef's Knife", 1, 8900, 22, 48),
  product('Cast Iron Skillet', 1, 3999, 30, 42), product('Air Fryer', 1, 12900, 28, 57),
  product('Blender', 1, 7900, 24, 55), product('Cookware Set', 1, 19900, 12, 52),
  product('Coffee Grinder', 1, 4999, 20, 50),
  product('Running Shoes', 2, 11900, 45, 44), product('Rain Jacket', 2, 14900, 20, 40),
  product('Merino Sweater', 2, 9500, 22, 38), product('Denim Jeans', 2, 6900, 40, 35),
  product('Cotton T-Shirt', 2, 1999, 90, 30), product('Wool Socks', 2, 1499, 75, 28),
  product('Baseball Cap', 2, 2499, 35, 32),
  product('Yoga Mat', 3, 3499, 35, 45), product('Camping Tent', 3, 22900, 8, 55),
  product('Trekking Poles', 3, 5900, 12, 50), product('Insulated Water Bottle', 3, 2999, 55, 40),
  product('Road Bike Helmet', 3, 8900, 14, 52), product('Dumbbell Set', 3, 14900, 10, 58),
  product('Face Serum', 4, 4200, 40, 25), product('Electric Toothbrush', 4, 6999, 30, 45),
  product('Hair Dryer', 4, 9900, 18, 50), product('Sunscreen SPF 50', 4, 1850, 60, 30),
  product('Shampoo & Conditioner Set', 4, 2600, 50, 33), product('Fragrance', 4, 8500, 20, 22),
  product('Ergonomic Chair', 5, 34900, 9, 60), product('Standing Desk', 5, 49900, 6, 65),
  product('Mechanical Keyboard', 5, 10900, 20, 55), product('Wireless Mouse', 5, 3999, 45, 50),
  product('Notebook 3-Pack', 5, 1299, 65, 35), product('Desk Lamp', 5, 4500, 18, 48),
  product('Laptop Stand', 5, 4900, 22, 46),
];

export const demoChannels: readonly string[] = ['Online', 'Retail', 'Partner', 'Marketplace'];
export const demoChannelWeights: readonly number[] = [45, 30, 10, 15];

/** Number of distinct customers; ids run 1..DEMO_CUSTOMERS. */
export const DEMO_CUSTOMERS = 50_000;

/** Weights of quantity 1..10 (index 0 is quantity 1): most order lines are for one or two items. */
export const demoQuantityWeights: readonly number[] = [40, 22, 13, 8, 6, 4, 3, 2, 1, 1];

/** Discount percentages offered and how often each is applied (most lines pay list price). */
export const demoDiscountPcts: readonly number[] = [0, 5, 10, 15, 20, 25, 30];
export const demoDiscountWeights: readonly number[] = [55, 15, 12, 8, 6, 3, 1];

/** Orders per local hour of day 0..23: quiet nights, a lunch bump and an evening peak. */
export const demoLocalHourWeights: readonly number[] = [
  12, 7, 4, 3, 3, 5, 12, 22, 34, 44, 50, 54, 58, 55, 52, 50, 50, 52, 58, 66, 70, 62, 42, 24,
];

/** Monthly seasonality (January..December), in percent: a Black Friday and holiday peak. */
export const demoMonthPct: readonly number[] = [85, 80, 90, 92, 95, 95, 93, 95, 97, 103, 125, 140];

/** Day-of-week factor (Sunday..Saturday), in percent: weekends sell a little more. */
export const demoWeekdayPct: readonly number[] = [112, 92, 94, 96, 100, 108, 118];
