/**
 * "Full history (progressive)": revenue by region and month over all history, from the
 * progressive `sales` subscription (DESIGN.md, "Progressive answers"). The gateway answers
 * in time slices, newest first; each version merges the slices done so far, so the chart
 * fills in and "sharpens" as versions arrive, and the last one (`final: true`) is exact.
 * The progress bar follows `progress` (0..1). Latency is shown twice: to the first version
 * (what the user waits for to see something) and to the final one.
 *
 * The section's data-progress and data-final follow the last version drawn; a new filter
 * ends the running subscription and starts over from 0.
 *
 * Why its first load sharpens and its drill-downs come in one version (revenuePanel.js): the
 * progressive answer runs each slice as an ordinary plan the cache answers, and when every
 * slice is answerable from the cache it sends one final version (DERIVED). At page load
 * nothing in the cache covers region × month with `orders` (the revenue panel's chart has
 * revenue only), so on a cold gateway each slice goes to the source and the chart sharpens
 * over several versions; the slices are then cached cores of their own. Only after this
 * first load's final version (or its error) does the page send the drill-down primer
 * (region × product × month, revenue and orders; dashboard.js), so that it does not answer
 * this first load. A drill-down (product = X) then has every slice derivable from that
 * primer: one final version, DERIVED; clearing the filter is answered from the cached
 * slices of the first load: one final version again. A drill-down started before the primer
 * is done waits for it (`primeForDrillDown`) rather than sending twelve slices to the source.
 */
import { subscribe } from './graphqlClient.js';
import { CHART_BASE, errorText, money, PanelState, productWhere, timeOf } from './panelState.js';

const HISTORY = `subscription FullHistory($where: SalesWhere) {
  sales(where: $where, orderBy: [{ orderDate: ASC }], limit: 20000) {
    progress final
    rows { region orderDate(granularity: MONTH) revenue orders }
    meta { cache }
  }
}`;

/**
 * `primeForDrillDown()` resolves once the cache holds the core the drill-downs derive from
 * (or the attempt failed: the drill-down then goes to the source, which is still right).
 */
export function createHistoryPanel(echarts, { primeForDrillDown }) {
  const state = new PanelState('history');
  const chart = echarts.init(state.section.querySelector('.chart'));
  const bar = state.section.querySelector('[data-role="progress"] i');
  const progressText = state.section.querySelector('[data-role="progress-text"]');
  let product = null;
  let stop = null;
  /** Settles the promise the running start() returned. */
  let settleRunning = null;

  function showProgress(progress, final) {
    state.section.dataset.progress = String(progress);
    state.section.dataset.final = String(final);
    bar.style.width = `${(progress * 100).toFixed(1)}%`;
    bar.classList.toggle('done', final);
    progressText.textContent = final ? 'progressive: exact' : `progressive ${Math.round(progress * 100)}%`;
  }

  /**
   * (Re)starts the subscription under the current filter. Resolves at its first final
   * version, at its error, or when a newer start() supersedes it, so a caller waiting on it
   * (dashboard.js, to send the primer) never waits forever.
   */
  function start() {
    stop?.();
    stop = null;
    settleRunning?.();
    const ticket = state.begin();
    const asked = product;
    const settled = new Promise((resolve) => {
      settleRunning = resolve;
    });
    const settle = settleRunning;
    showProgress(0, false);
    void (async () => {
      if (asked) {
        await primeForDrillDown();
        if (!state.current(ticket)) return;
      }
      // Latency counts from the subscription, not from the wait for the primer.
      const started = performance.now();
      let firstMs;
      stop = subscribe(HISTORY, { where: productWhere(asked) }, {
        onResult: ({ data, errors }) => {
          if (!state.current(ticket)) return;
          if (errors) {
            settle();
            return state.showError(errorText(errors));
          }
          const version = data.sales;
          const ms = performance.now() - started;
          firstMs ??= ms;
          draw(version.rows);
          showProgress(version.progress, version.final);
          const latencyText = version.final ? `1st ${Math.round(firstMs)} · final ${Math.round(ms)} ms` : `1st ${Math.round(firstMs)} ms`;
          if (version.final) state.section.dataset.finalMs = String(Math.round(ms));
          state.drawn({ outcome: version.meta.cache, ms: firstMs, filter: asked ?? '', latencyText });
          if (version.final) settle();
        },
        onError: (message) => {
          settle();
          if (state.current(ticket)) state.showError(message);
        },
        onComplete: () => settle(),
      });
    })();
    return settled;
  }

  function draw(rows) {
    const byRegion = new Map();
    for (const row of rows) {
      if (!byRegion.has(row.region)) byRegion.set(row.region, []);
      byRegion.get(row.region).push({ value: [timeOf(row.orderDate), row.revenue], orders: row.orders });
    }
    chart.setOption({
      ...CHART_BASE,
      animationDuration: 150,
      grid: { left: 48, right: 12, top: 12, bottom: 24 },
      tooltip: { trigger: 'axis', formatter: tooltip },
      xAxis: { type: 'time', axisLine: { lineStyle: { color: '#484f58' } }, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', axisLabel: { formatter: money }, splitLine: { lineStyle: { color: '#21262d' } } },
      // Stacked areas: the months already answered stand out against those still to come.
      series: [...byRegion.keys()].sort().map((region) => ({
        name: region,
        type: 'line',
        stack: 'revenue',
        areaStyle: { opacity: 0.35 },
        showSymbol: false,
        lineStyle: { width: 1 },
        data: byRegion.get(region),
      })),
    }, { notMerge: true });
  }

  return {
    chart,
    start,
    setProduct(next) {
      product = next;
      return start();
    },
  };
}

/** The month under the pointer: each region's revenue and orders. */
function tooltip(points) {
  if (points.length === 0) return '';
  const month = new Date(points[0].value[0]).toISOString().slice(0, 7);
  const lines = points.map((p) => `${p.marker}${p.seriesName}: ${money(p.value[1])} · ${p.data.orders} orders`);
  return [month, ...lines].join('<br>');
}
