/** One column of the demo `sales` table, for documentation and schema listings. */
export interface DemoSalesColumn {
  readonly name: string;
  /** The PostgreSQL type, exactly as declared. */
  readonly type: string;
  readonly description: string;
}

/** The columns of the demo `sales` table, in table order. `seedSales` creates exactly these. */
export const demoSalesColumns: readonly DemoSalesColumn[] = Object.freeze([
  { name: 'id', type: 'int8', description: 'Order line id, 1..rows; grows with the order day. Primary key.' },
  { name: 'order_ts', type: 'timestamptz', description: 'When the order was placed, 2023-01-01 (incl.) to 2026-01-01 (excl.) UTC.' },
  { name: 'region', type: 'text', description: 'Sales region (5), determined by the country.' },
  { name: 'country', type: 'text', description: "Customer's country (24), each in exactly one region." },
  { name: 'product_name', type: 'text', description: 'Product sold (40).' },
  { name: 'category', type: 'text', description: 'Product category (6); each product belongs to exactly one.' },
  { name: 'channel', type: 'text', description: 'Online, Retail, Partner or Marketplace.' },
  { name: 'customer_id', type: 'int4', description: 'Customer 1..50,000; a few customers order far more than most.' },
  { name: 'quantity', type: 'int4', description: 'Units on the line, 1..10, mostly 1 or 2.' },
  { name: 'unit_price', type: 'numeric(10,2)', description: 'List price less the discount, rounded to cents.' },
  { name: 'amount', type: 'numeric(12,2)', description: 'quantity * unit_price, exactly.' },
  { name: 'cost', type: 'numeric(12,2)', description: 'Cost of goods: a product-dependent fraction of amount.' },
  { name: 'discount', type: 'numeric(4,2)', description: 'Discount as a fraction of list price, 0.00..0.30.' },
  { name: 'returned', type: 'boolean', description: 'Whether the line was returned (about 3 %, most in apparel).' },
].map((column) => Object.freeze(column)));
