/**
 * "Top 10 products": horizontal bars of the ten best-selling products over all history.
 * Clicking a bar drills every other panel down to that product; clicking it again (or the
 * "clear filter" button) rolls them back up. This panel never filters itself: it keeps
 * showing the whole top 10, with the selected bar highlighted, so the user can switch
 * products in one click. Selecting only repaints: the answer is not asked again.
 */
import { postQuery } from './graphqlClient.js';
import { CHART_BASE, errorText, money, PanelState } from './panelState.js';

const TOP = `query TopProducts {
  sales(orderBy: [{ revenue: DESC }], limit: 10) { rows { product revenue } meta { cache } }
}`;

const BAR = '#58a6ff';
const SELECTED = '#f0883e';
const DIMMED = '#30506f';

export function createTopPanel(echarts, { onSelect }) {
  const state = new PanelState('top');
  const chart = echarts.init(state.section.querySelector('.chart'));
  let rows = [];
  let selected = null;

  chart.on('click', (params) => {
    if (params.componentType !== 'series') return;
    onSelect(params.name === selected ? null : params.name);
  });

  async function load() {
    const ticket = state.begin();
    const answer = await postQuery(TOP);
    if (!state.current(ticket)) return;
    if (answer.errors) return state.showError(errorText(answer.errors));
    rows = answer.data.sales.rows;
    draw();
    state.drawn({ outcome: answer.data.sales.meta.cache, ms: answer.ms, filter: '' });
  }

  function draw() {
    // Best seller on top: a category y axis lists its first value at the bottom.
    const ordered = [...rows].reverse();
    chart.setOption(
      {
        ...CHART_BASE,
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: 'item', valueFormatter: (v) => money(v) },
        xAxis: { type: 'value', show: false },
        yAxis: {
          type: 'category',
          data: ordered.map((r) => r.product),
          axisTick: { show: false },
          axisLine: { show: false },
          axisLabel: { color: '#c9d1d9', width: 150, overflow: 'truncate' },
        },
        series: [
          {
            type: 'bar',
            barMaxWidth: 18,
            cursor: 'pointer',
            label: { show: true, position: 'right', color: '#8b949e', formatter: (p) => money(p.value) },
            data: ordered.map((r) => ({
              name: r.product,
              value: r.revenue,
              itemStyle: { color: selected === null ? BAR : r.product === selected ? SELECTED : DIMMED, borderRadius: [0, 3, 3, 0] },
            })),
          },
        ],
      },
      { notMerge: true },
    );
  }

  return {
    chart,
    load,
    /** The products on screen, best first. */
    products: () => rows.map((r) => r.product),
    /** Highlights the drill-down's product (null: none). */
    setProduct(product) {
      selected = product;
      if (rows.length > 0) draw();
    },
  };
}
