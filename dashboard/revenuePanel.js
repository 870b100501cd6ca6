/**
 * "Revenue by region": one line per region over time, at the granularity of the switch.
 *
 * Why the drill-down answers are DERIVED (cache/derive/, DESIGN.md "Planner, cache and
 * derivation rules"): a cached core answers a query whose dimensions and measures it covers,
 * whose filter implies the core's (the residual using only core dimensions) and whose time
 * buckets roll up from the core's. So the page primes the cache with the core the
 * drill-downs need: region × product × time bucket, unfiltered, `revenue orders`. It asks for
 * `limit: 1` so that one row, not thousands, crosses the wire; the gateway still reads and
 * stores the whole core (cache/limitPushdown.ts: a top-N whose core fits in
 * cache.maxCoreRows is read whole). Every drill-down of this panel (region × bucket where
 * product = X) and every slice of the history panel's drill-down (region × month where
 * product = X, revenue and orders; historyPanel.js) then re-aggregate that core: DERIVED,
 * no source call. Clearing the filter asks this panel's first chart again: HIT.
 *
 * When the MONTH primer goes (dashboard.js): not before the first charts, but in the
 * background once the history panel's first load has its final version. Sent first, it
 * would answer every slice of that first history load from the cache at once (one final
 * version), and the history panel is there to show an answer sharpening slice by slice on
 * a cold gateway. So at page load this panel's chart is an honest MISS on a cold gateway,
 * and a drill-down clicked before the primer is done waits for it (primeCache below starts
 * it if it was not sent yet, or was refused: it is retried then) instead of racing it to
 * the source. Its completion is `document.body.dataset.primed = "true"` (and the `primed`
 * promise below).
 *
 * The primer's bucket per granularity: MONTH serves MONTH and QUARTER (month rolls up to
 * quarter); WEEK has its own (region × product × week, about 31k groups, under the default
 * cache.maxCoreRows of 50,000), sent when the user first picks WEEK, before that chart, so
 * the WEEK chart and its drill-downs derive from it. DAY has no primer: region × product ×
 * day is about 40 × 5 × 1,096 = 219k groups, past cache.maxCoreRows, so the gateway would
 * not keep it; at DAY a drill-down is answered by the source (MISS) and cached for the next
 * time.
 */
import { postQuery } from './graphqlClient.js';
import { CHART_BASE, errorText, money, PanelState, productWhere, timeOf } from './panelState.js';

/** Time bucket of the primer core for each granularity of the switch (none for DAY, see above). */
const PRIMER_BUCKET = { DAY: null, WEEK: 'WEEK', MONTH: 'MONTH', QUARTER: 'MONTH' };

// `orders` too: the history panel's drill-down asks for it, and a core without it could not answer that.
const PRIMER = `query DrillDownPrimer($bucket: SalesGranularity!) {
  sales(limit: 1) { rows { region product orderDate(granularity: $bucket) revenue orders } meta { cache } }
}`;

/** The primer sent per bucket: a promise of whether the gateway took it. A refused one is forgotten, so the next need sends it again. */
const primers = new Map();
let resolvePrimed;

/** Settles when the MONTH primer (the one the drill-downs derive from) has been cached. */
export const primed = new Promise((resolve) => {
  resolvePrimed = resolve;
});

/**
 * Sends the primer of `bucket` once (null: none, resolves false) and resolves to whether the
 * gateway cached it. It never rejects and logs nothing: the primer is only an optimisation,
 * and without it the answers still come, from the source.
 */
export function primeCache(bucket) {
  if (!bucket) return Promise.resolve(false);
  if (!primers.has(bucket)) {
    primers.set(
      bucket,
      postQuery(PRIMER, { bucket }).then((answer) => {
        if (answer.errors) {
          primers.delete(bucket);
          return false;
        }
        // The page's hook for "drill-downs are now answered from the cache" (the browser test waits on it).
        if (bucket === 'MONTH') {
          document.body.dataset.primed = 'true';
          resolvePrimed();
        } else document.body.dataset.primedWeek = 'true';
        return true;
      }),
    );
  }
  return primers.get(bucket);
}

// An explicit limit: region × day is ~5,500 rows, more than the demo's defaultLimit (1,000).
const LINES = `query RevenueByRegionOverTime($where: SalesWhere, $granularity: SalesGranularity!) {
  sales(where: $where, orderBy: [{ orderDate: ASC }], limit: 20000) {
    rows { region orderDate(granularity: $granularity) revenue }
    meta { cache }
  }
}`;

export function createRevenuePanel(echarts) {
  const state = new PanelState('revenue');
  const chart = echarts.init(state.section.querySelector('.chart'));
  let granularity = 'MONTH';
  let product = null;

  async function load() {
    const ticket = state.begin();
    const asked = { granularity, product };
    const bucket = PRIMER_BUCKET[asked.granularity];
    // WEEK always waits for its primer; a drill-down waits for the primer it derives from;
    // the plain MONTH or QUARTER chart starts none (at page load it goes straight to the
    // gateway, see above) but waits for one already on its way rather than racing it.
    if (bucket === 'WEEK' || asked.product || primers.has(bucket)) {
      await primeCache(bucket);
      if (!state.current(ticket)) return;
    }
    const answer = await postQuery(LINES, { where: productWhere(asked.product), granularity: asked.granularity });
    if (!state.current(ticket)) return;
    if (answer.errors) return state.showError(errorText(answer.errors));
    draw(answer.data.sales.rows, asked);
    state.drawn({ outcome: answer.data.sales.meta.cache, ms: answer.ms, filter: asked.product ?? '' });
  }

  function draw(rows, asked) {
    const byRegion = new Map();
    for (const row of rows) {
      if (!byRegion.has(row.region)) byRegion.set(row.region, []);
      byRegion.get(row.region).push([timeOf(row.orderDate), row.revenue]);
    }
    const series = [...byRegion.keys()].sort().map((region) => ({
      name: region,
      type: 'line',
      showSymbol: false,
      smooth: asked.granularity !== 'DAY',
      lineStyle: { width: asked.granularity === 'DAY' ? 1 : 2 },
      data: byRegion.get(region),
    }));
    chart.setOption(
      {
        ...CHART_BASE,
        grid: { left: 52, right: 16, top: 36, bottom: 28 },
        legend: { top: 0, textStyle: { color: '#c9d1d9' }, itemWidth: 14, itemHeight: 8 },
        tooltip: { trigger: 'axis', valueFormatter: (v) => money(v) },
        xAxis: { type: 'time', axisLine: { lineStyle: { color: '#484f58' } }, axisLabel: { hideOverlap: true } },
        yAxis: { type: 'value', axisLabel: { formatter: money }, splitLine: { lineStyle: { color: '#21262d' } } },
        series,
      },
      { notMerge: true },
    );
  }

  for (const button of state.section.querySelectorAll('[data-granularity]')) {
    button.addEventListener('click', () => {
      granularity = button.dataset.granularity;
      for (const b of state.section.querySelectorAll('[data-granularity]')) b.classList.toggle('active', b === button);
      void load();
    });
  }

  return {
    chart,
    load,
    /** The drill-down changed: re-query under it. */
    setProduct(next) {
      product = next;
      return load();
    },
  };
}
