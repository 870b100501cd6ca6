/**
 * The demo dashboard (README, "Dashboard"): five panels against the gateway on this origin,
 * and the one piece of state they share, the product drill-down set by the top-10 bars.
 *
 * Order of the first load: every panel asks at once (on a cold gateway the revenue chart,
 * the top 10 and the history's slices are MISSes: honest ones). Only after the history's
 * first final version (or its error) does the page send, in the background, the primer the
 * drill-downs derive from (region × product × month, revenue and orders; revenuePanel.js):
 * sent earlier, it would answer the history's first load from the cache in one version, and
 * that panel is there to show an answer sharpening slice by slice. Once the primer is
 * cached (`document.body.dataset.primed`, `tributaryDashboard.primed`), a drill-down is
 * answered from it (DERIVED); a drill-down clicked before then waits for it.
 *
 * The chart instances are on `window.tributaryDashboard` (the browser test clicks a bar at
 * the pixel ECharts reports for it).
 */
import { currentToken, setToken } from './authToken.js';
import { onAuthNeeded, resetSocket } from './graphqlClient.js';
import { createHistoryPanel } from './historyPanel.js';
import { createLivePanel } from './livePanel.js';
import { createRevenuePanel, primeCache, primed } from './revenuePanel.js';
import { createTargetsPanel } from './targetsPanel.js';
import { createTopPanel } from './topPanel.js';

const echarts = window.echarts;
let product = null;

const filterChip = document.querySelector('[data-role="filter"]');
const filterName = filterChip.querySelector('[data-role="filter-name"]');
const clearButton = document.querySelector('[data-role="clear-filter"]');

const revenue = createRevenuePanel(echarts);
const top = createTopPanel(echarts, { onSelect: (next) => setProduct(next) });
const targets = createTargetsPanel(echarts);
const live = createLivePanel(echarts);
const history = createHistoryPanel(echarts, { primeForDrillDown: primeMonth });

/** The drill-down primer (MONTH: serves the history and the revenue chart at MONTH and QUARTER); sent once, again only if refused. */
function primeMonth() {
  return primeCache('MONTH');
}

/** Sets (or with null, clears) the drill-down: every panel but the top-10 asks again under it. */
function setProduct(next) {
  if (next === product) return;
  product = next;
  document.body.dataset.filter = product ?? '';
  filterName.textContent = product ?? '';
  filterChip.hidden = !product;
  top.setProduct(product);
  void revenue.setProduct(product);
  void targets.setProduct(product);
  void history.setProduct(product);
}

clearButton.addEventListener('click', () => setProduct(null));

/** Everything from the start: the first load, and again after a new token. */
function loadAll() {
  void revenue.load();
  void top.load();
  void targets.load();
  live.start();
  void history.start().then(primeMonth);
}

// The token field appears when the gateway asks for a token, and on demand.
const authForm = document.querySelector('[data-role="auth"]');
const tokenInput = authForm.querySelector('input');
const authReason = authForm.querySelector('[data-role="auth-reason"]');
onAuthNeeded((reason) => {
  authForm.hidden = false;
  authReason.textContent = reason;
});
authForm.addEventListener('submit', (event) => {
  event.preventDefault();
  setToken(tokenInput.value.trim());
  authForm.hidden = true;
  resetSocket();
  loadAll();
});
tokenInput.value = currentToken();

// Charts follow their panel's size (the grid reflows with the window).
const charts = { revenue: revenue.chart, top: top.chart, targets: targets.chart, live: live.chart, history: history.chart };
const observer = new ResizeObserver(() => {
  for (const chart of Object.values(charts)) chart.resize();
});
for (const element of document.querySelectorAll('.chart')) observer.observe(element);

window.tributaryDashboard = {
  charts,
  /** The top-10 products on screen, best first. */
  topProducts: () => top.products(),
  /** The current drill-down product, or null. */
  filter: () => product,
  setProduct,
  /** Settles once the drill-down primer is cached (as `document.body.dataset.primed = "true"`). */
  primed,
};

loadAll();
