/**
 * "Sales vs targets": the fusion of Postgres sales with targets.csv (DuckDB) for 2025, by
 * region and quarter, as a table of attainment (revenue / target), and the year's revenue
 * against target per region as paired bars under it.
 *
 * The drill-down: a fusion's `where` takes only the fusion's keys (SalesVsTargetsWhere has
 * region, month, AND, OR, NOT; schema/buildFusions.ts), and targets are set per region and
 * month, not per product, so "revenue of one product against its region's whole target"
 * would be a misleading number. The panel therefore stays unfiltered and says so ("targets
 * are per region"), but it asks again when the filter changes, so that its outcome and
 * latency are those of a query made under the current filter (a repeat: normally HIT), and
 * its data-filter records the filter it was asked under.
 */
import { postQuery } from './graphqlClient.js';
import { CHART_BASE, errorText, money, PanelState } from './panelState.js';

const FUSION = `query SalesVsTargets2025 {
  salesVsTargets(where: { month: { gte: "2025-01-01", lt: "2026-01-01" } }, orderBy: [{ region: ASC }, { month: ASC }]) {
    rows { region month(granularity: QUARTER) revenue target attainment: calc(expr: "revenue / target") }
    meta { cache }
  }
}`;

const QUARTERS = ['Q1', 'Q2', 'Q3', 'Q4'];

export function createTargetsPanel(echarts) {
  const state = new PanelState('targets');
  const chart = echarts.init(state.section.querySelector('.chart'));
  const table = state.section.querySelector('table');
  const note = state.section.querySelector('[data-role="note"]');
  let product = null;

  async function load() {
    const ticket = state.begin();
    const asked = product;
    const answer = await postQuery(FUSION);
    if (!state.current(ticket)) return;
    if (answer.errors) return state.showError(errorText(answer.errors));
    draw(answer.data.salesVsTargets.rows);
    note.hidden = !asked;
    state.drawn({ outcome: answer.data.salesVsTargets.meta.cache, ms: answer.ms, filter: asked ?? '' });
  }

  function draw(rows) {
    const regions = new Map();
    for (const row of rows) {
      if (!regions.has(row.region)) regions.set(row.region, { cells: new Array(4).fill(null), revenue: 0, target: 0 });
      const entry = regions.get(row.region);
      entry.cells[new Date(row.month).getUTCMonth() / 3] = row;
      entry.revenue += row.revenue ?? 0;
      entry.target += row.target ?? 0;
    }
    const head = `<tr><th>Region</th>${QUARTERS.map((q) => `<th>${q}</th>`).join('')}<th>2025</th></tr>`;
    const body = [...regions].map(([region, entry]) => {
      const cells = entry.cells.map((row) => cell(row?.attainment ?? null, row?.revenue ?? null, row?.target ?? null)).join('');
      const year = cell(entry.target ? entry.revenue / entry.target : null, entry.revenue, entry.target);
      return `<tr><th scope="row">${escapeHtml(region)}</th>${cells}${year}</tr>`;
    });
    table.innerHTML = `<thead>${head}</thead><tbody>${body.join('')}</tbody>`;
    drawYear([...regions]);
  }

  function drawYear(regions) {
    chart.setOption({
      ...CHART_BASE,
      grid: { left: 8, right: 8, top: 20, bottom: 4, containLabel: true },
      legend: { top: 0, right: 0, textStyle: { color: '#8b949e', fontSize: 10 }, itemWidth: 10, itemHeight: 6 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => money(v) },
      xAxis: { type: 'category', data: regions.map(([region]) => region), axisLabel: { show: false }, axisTick: { show: false } },
      yAxis: { type: 'value', axisLabel: { formatter: money, fontSize: 10 }, splitLine: { lineStyle: { color: '#21262d' } } },
      series: [
        { name: 'revenue 2025', type: 'bar', barGap: '10%', itemStyle: { color: '#58a6ff' }, data: regions.map(([, e]) => e.revenue) },
        { name: 'target 2025', type: 'bar', itemStyle: { color: '#30363d', borderColor: '#8b949e', borderWidth: 1 }, data: regions.map(([, e]) => e.target) },
      ],
    });
  }

  return {
    chart,
    load,
    setProduct(next) {
      product = next;
      return load();
    },
  };
}

/** One attainment cell: the percentage, a bar under it, revenue and target in its tooltip. */
function cell(attainment, revenue, target) {
  if (attainment === null) return '<td class="empty">—</td>';
  const pct = attainment * 100;
  const tone = pct >= 100 ? 'good' : pct >= 90 ? 'near' : 'short';
  const title = `revenue ${money(revenue ?? 0)} / target ${money(target ?? 0)}`;
  return `<td class="${tone}" title="${title}"><span>${pct.toFixed(1)}%</span><i style="width:${Math.min(pct, 100).toFixed(0)}%"></i></td>`;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
