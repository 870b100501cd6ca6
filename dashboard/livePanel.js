/**
 * "Live orders": the `orders` stream in one-minute tumbling windows over graphql-ws, as
 * bars per region of the current window, redrawn on every version the gateway sends. A
 * stream has no cache outcome: the panel shows "live", the number of versions received,
 * and the time to the first one. The drill-down does not apply: the stream has no product.
 */
import { subscribe } from './graphqlClient.js';
import { CHART_BASE, errorText, money, PanelState } from './panelState.js';

const ORDERS = `subscription LiveOrders {
  orders(window: { tumble: "1m" }) { start end final revision rows { region revenue orders } }
}`;

export function createLivePanel(echarts) {
  const state = new PanelState('live');
  const chart = echarts.init(state.section.querySelector('.chart'));
  const windowLabel = state.section.querySelector('[data-role="window"]');
  let stop = null;

  function start() {
    stop?.();
    state.begin();
    const started = performance.now();
    let firstMs;
    stop = subscribe(ORDERS, {}, {
      onResult: ({ data, errors }) => {
        if (errors) return state.showError(errorText(errors));
        const win = data.orders;
        firstMs ??= performance.now() - started;
        draw(win);
        windowLabel.textContent = `1-min window ${clock(win.start)}–${clock(win.end)} ${win.final ? 'closed' : 'open'} · rev ${win.revision} · labels: orders`;
        state.drawn({ outcome: 'live', ms: firstMs, filter: '', latencyText: `${state.updates + 1} updates · 1st ${Math.round(firstMs)} ms` });
      },
      onError: (message) => state.showError(message),
    });
  }

  function draw(win) {
    const rows = [...win.rows].sort((a, b) => a.region.localeCompare(b.region));
    chart.setOption({
      ...CHART_BASE,
      grid: { left: 8, right: 12, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: rows.map((r) => r.region), axisLabel: { color: '#c9d1d9', interval: 0, fontSize: 10, lineHeight: 12, formatter: twoLines } },
      yAxis: { type: 'value', axisLabel: { formatter: money }, splitLine: { lineStyle: { color: '#21262d' } } },
      series: [
        {
          type: 'bar',
          name: 'revenue',
          barMaxWidth: 28,
          itemStyle: { color: '#3fb950', borderRadius: [3, 3, 0, 0] },
          label: { show: true, position: 'top', color: '#8b949e', fontSize: 10, formatter: (p) => `${rows[p.dataIndex].orders}` },
          data: rows.map((r) => r.revenue),
        },
      ],
    });
  }

  return { chart, start };
}

/** A region name on two lines, split at the word boundary nearest its middle ("Middle East" / "& Africa"). */
function twoLines(name) {
  const words = name.split(' ');
  if (words.length < 2) return name;
  let best = 1;
  for (let i = 1; i < words.length; i++) {
    const left = words.slice(0, i).join(' ').length;
    const bestLeft = words.slice(0, best).join(' ').length;
    if (Math.abs(left - name.length / 2) < Math.abs(bestLeft - name.length / 2)) best = i;
  }
  return `${words.slice(0, best).join(' ')}\n${words.slice(best).join(' ')}`;
}

/** HH:MM of an ISO time, in the browser's zone. */
function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}
