// The operator's dashboard (admin only): the key figures of the server, live, each with a small chart of the last
// minutes. The server samples its own meters (GET /admin/dashboard: rates, p50/p99 from the latency histograms,
// open streams, recent errors), so the page only draws; it polls while it is on screen and stops when it is not.
import { h, clear } from './dom.js';
import { api } from './api.js';

const POLL_MS = 2000;
const SVG = 'http://www.w3.org/2000/svg';

/** The charts: which fields of a point each draws, and how its figure reads. */
const CHARTS = [
  { id: 'steps', title: 'Steps / s', lines: [['steps_per_second', 'steps/s']], unit: '', digits: 2 },
  { id: 'step-latency', title: 'Step latency', lines: [['step_p50_ms', 'p50'], ['step_p99_ms', 'p99']], unit: 'ms' },
  { id: 'llm-latency', title: 'LLM latency', lines: [['llm_p50_ms', 'p50'], ['llm_p99_ms', 'p99']], unit: 'ms' },
  { id: 'streams', title: 'Open streams', lines: [['websockets', 'WebSockets'], ['sse_streams', 'SSE']], unit: '' },
  { id: 'errors', title: 'Errors (last minute)', lines: [['http_5xx_recent', 'HTTP 5xx'], ['llm_errors_recent', 'LLM']],
    unit: '' },
];

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function format(value, unit, digits = 0) {
  if (value === null || value === undefined) return '–';
  let text;
  if (unit === 'ms' && value >= 1000) return `${(value / 1000).toFixed(value >= 10000 ? 0 : 1)} s`;
  if (digits) text = value.toFixed(value >= 100 ? 0 : digits);
  else text = value >= 100 ? Math.round(value).toLocaleString() : String(Math.round(value * 10) / 10);
  return unit ? `${text} ${unit}` : text;
}

/**
 * A sparkline of one or more series over the same time axis (points: [{t, field...}]); a null value is a gap. The
 * vertical scale starts at 0 so that a small wobble does not look like a cliff.
 */
function sparkline(points, fields) {
  const width = 300;
  const height = 64;
  const pad = 3;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'spark', 'aria-hidden': 'true',
    preserveAspectRatio: 'none' });
  const values = points.flatMap((p) => fields.map((f) => p[f])).filter((v) => typeof v === 'number');
  const max = Math.max(1e-9, ...values);
  const t0 = points.length ? points[0].t : 0;
  const span = Math.max(1, points.length ? points[points.length - 1].t - t0 : 1);
  const x = (t) => pad + ((t - t0) / span) * (width - 2 * pad);
  const y = (v) => height - pad - (v / max) * (height - 2 * pad);
  chart.append(svg('line', { x1: 0, y1: height - pad, x2: width, y2: height - pad, class: 'axis' }));
  fields.forEach((field, i) => {
    let d = '';
    let pen = false;
    for (const p of points) {
      const v = p[field];
      if (typeof v !== 'number') {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    }
    if (d) chart.append(svg('path', { d, class: `series s${i}`, 'data-field': field }));
  });
  return chart;
}

/** The filled part of a bar, sized through the CSSOM (the page's CSP allows no style attributes). */
function barFill(share) {
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${Math.round(share * 100)}%`;
  return fill;
}

export class DashboardView {
  constructor() {
    this.status = h('p', { class: 'muted dash-status', role: 'status' }, 'Loading…');
    this.cards = h('div', { class: 'dash-grid' });
    this.runs = h('div', { class: 'card dash-card dash-runs', dataset: { chart: 'runs' } });
    this.element = h('div', { class: 'page dashboard' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Dashboard'),
        h('p', { class: 'muted' }, 'The server right now, refreshed every 2 seconds. Rates over the last 10 s,'
          + ' latencies over the last minute. Everything else is on /metrics.')),
      this.status, this.cards, this.runs);
    this.timer = null;
    this.visible = false;
  }

  show() {
    this.visible = true;
    this.poll();
  }

  hide() {
    this.visible = false;
    clearTimeout(this.timer);
  }

  close() {
    this.hide();
  }

  async poll() {
    clearTimeout(this.timer);
    if (!this.visible) return;
    try {
      this.render(await api('GET', '/admin/dashboard'));
    } catch (e) {
      this.status.textContent = `Cannot read the figures: ${e.message}`;
      this.status.classList.add('form-error');
      if (e.status === 401 || e.status === 403) return; // the session ended or is no admin's: stop asking
    }
    if (this.visible) this.timer = setTimeout(() => this.poll(), POLL_MS);
  }

  render(view) {
    this.status.classList.remove('form-error');
    this.status.textContent = `Updated ${new Date(view.sampled_at).toLocaleTimeString()} · since start:`
      + ` ${view.totals.steps.toLocaleString()} steps, ${view.totals.http_5xx} HTTP 5xx, ${view.totals.llm_errors}`
      + ' LLM errors';
    const now = view.now;
    clear(this.cards, CHARTS.map((c) => h('section', { class: 'card dash-card', dataset: { chart: c.id } },
      h('h2', {}, c.title),
      h('div', { class: 'figures' }, c.lines.map(([field, label], i) => h('span', { class: `figure s${i}` },
        h('span', { class: 'value', dataset: { field } }, format(now[field], c.unit, c.digits)),
        c.lines.length > 1 ? h('span', { class: 'figure-label' }, label) : null))),
      sparkline(view.points, c.lines.map(([field]) => field)))));
    const reasons = Object.entries(view.runs_by_stop_reason).sort((a, b) => b[1] - a[1]);
    const most = Math.max(1, ...reasons.map(([, n]) => n));
    clear(this.runs, h('h2', {}, 'Runs by stop reason (since start)'),
      reasons.length === 0 ? h('p', { class: 'muted' }, 'No run has ended yet.')
        : h('ul', { class: 'bars' }, reasons.map(([reason, n]) => h('li', { dataset: { reason } },
          h('span', { class: 'bar-label' }, reason),
          h('span', { class: 'bar' }, barFill(n / most)),
          h('span', { class: 'bar-count' }, n.toLocaleString())))));
  }
}
