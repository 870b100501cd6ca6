/**
 * What every panel shows besides its chart, kept in one place so the DOM hooks the browser
 * test reads are set the same way everywhere: on the `<section data-panel=...>` element,
 * `data-outcome` (the answer's meta.cache, or "live"), `data-latency-ms`, `data-updates`
 * (answers or versions drawn since the page loaded), `data-filter` (the product filter the
 * drawn answer was asked with, "" for none); errors go into its `[data-error]` element.
 */

export class PanelState {
  constructor(name) {
    this.section = document.querySelector(`section[data-panel="${name}"]`);
    this.outcome = this.section.querySelector('[data-role="outcome"]');
    this.latency = this.section.querySelector('[data-role="latency"]');
    this.error = this.section.querySelector('[data-error]');
    this.updates = 0;
    /** Each request takes a ticket; an answer to an older ticket than the newest is dropped. */
    this.ticket = 0;
    this.section.dataset.updates = '0';
    this.section.dataset.filter = '';
    this.section.dataset.outcome = '';
    this.section.dataset.latencyMs = '';
  }

  /** A new request starts: returns its ticket and marks the panel busy. */
  begin() {
    this.section.classList.add('busy');
    return ++this.ticket;
  }

  /** Whether an answer to `ticket` is still the one to draw. */
  current(ticket) {
    return ticket === this.ticket;
  }

  /** Records a drawn answer: call after the chart has been given its data. */
  drawn({ outcome, ms, filter, latencyText }) {
    this.updates += 1;
    const s = this.section;
    s.classList.remove('busy');
    s.dataset.updates = String(this.updates);
    s.dataset.filter = filter ?? '';
    s.dataset.outcome = outcome ?? '';
    if (ms !== undefined) s.dataset.latencyMs = String(Math.round(ms));
    this.outcome.textContent = outcome ?? '—';
    this.outcome.className = `badge outcome-${(outcome ?? 'none').toLowerCase()}`;
    if (latencyText !== undefined) this.latency.textContent = latencyText;
    else if (ms !== undefined) this.latency.textContent = `${Math.round(ms)} ms`;
    this.showError(null);
  }

  /** Shows (or, with null, clears) an error in the panel. */
  showError(message) {
    this.section.classList.remove('busy');
    this.error.textContent = message ?? '';
    this.error.hidden = !message;
  }
}

/** The message of a GraphQL error list, for a panel. */
export function errorText(errors) {
  return errors.map((e) => (e.extensions?.code ? `${e.extensions.code}: ${e.message}` : e.message)).join('\n');
}

/** The `where` of a sales query under the drill-down filter, or null when there is none. */
export function productWhere(product) {
  return product ? { product: { eq: product } } : null;
}

/** Milliseconds of an ISO time the gateway returns (e.g. "2025-01-01T00:00:00+00:00"). */
export function timeOf(iso) {
  return Date.parse(iso);
}

/** A compact money label: 1.2M, 340k, 95. */
export function money(value) {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(0)}k`;
  return value.toFixed(0);
}

/** The ECharts options every chart shares (dark theme colours, compact grid). */
export const CHART_BASE = Object.freeze({
  backgroundColor: 'transparent',
  textStyle: { color: '#c9d1d9', fontFamily: 'system-ui, sans-serif' },
  color: ['#58a6ff', '#3fb950', '#d29922', '#f778ba', '#a371f7', '#39c5cf'],
  animationDuration: 300,
});
