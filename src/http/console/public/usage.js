// Usage for finance: charts of calls by charge and of cost by provider per UTC day, the rows behind them
// (filterable by provider and check), and the platform's usage by org. Chart.js is the page's global `Chart`.
import { html, idr, table } from './views.js';

const COLOURS = { charged: '#c0392b', free: '#27ae60', unknown: '#e6a817' };
const PALETTE = ['#2c6fbb', '#8e44ad', '#16a085', '#d35400', '#7f8c8d', '#c0392b'];
const charts = new WeakMap();

/** The columns both usage tables end with, and a row's cells for them. */
const TOTALS = ['Sandbox', 'Calls', 'Charged', 'Free', 'Unknown', 'Cost'];
const totals = (r) => [r.sandbox ? 'yes' : '', r.calls, r.charged, r.free, r.unknown, idr(r.cost)];

/** Draws (or redraws) a stacked bar chart on the canvas a ref hands over. */
const stacked = (config) => (canvas) => {
  if (!canvas) return;
  charts.get(canvas)?.destroy();
  const options = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
  };
  charts.set(canvas, new window.Chart(canvas, { type: 'bar', data: config, options }));
};

const sum = (rows, key) => rows.reduce((n, r) => n + r[key], 0);

export function Usage({ data, filter, actions }) {
  const rows = data.data.filter((r) => (!filter.provider || r.provider === filter.provider) && (!filter.check || r.check === filter.check));
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const providers = [...new Set(data.data.map((r) => r.provider))].sort();
  const checks = [...new Set(data.data.map((r) => r.check))].sort();
  const onDay = (d, key, more = () => true) =>
    sum(
      rows.filter((r) => r.day === d && more(r)),
      key,
    );
  const calls = {
    labels: days,
    datasets: ['charged', 'free', 'unknown'].map((c) => ({ label: c, backgroundColor: COLOURS[c], data: days.map((d) => onDay(d, c)) })),
  };
  const cost = {
    labels: days,
    datasets: providers.map((p, i) => ({
      label: p,
      backgroundColor: PALETTE[i % PALETTE.length],
      data: days.map((d) => onDay(d, 'cost', (r) => r.provider === p)),
    })),
  };
  const pick = (key, reload) => (e) => actions.usage({ [key]: e.target.value }, reload);
  return html`<div class="filters">
      <label>from <input type="date" name="from" value=${filter.from} onChange=${pick('from', true)} /></label>
      <label>to <input type="date" name="to" value=${filter.to} onChange=${pick('to', true)} /></label>
      <select name="provider" onChange=${pick('provider')} value=${filter.provider}>
        <option value="">every provider</option>
        ${providers.map((p) => html`<option value=${p}>${p}</option>`)}
      </select>
      <select name="check" onChange=${pick('check')} value=${filter.check}>
        <option value="">every check</option>
        ${checks.map((c) => html`<option value=${c}>${c}</option>`)}
      </select>
    </div>
    <p class="totals">
      ${sum(rows, 'calls')} calls:${' '}<span class="charge charged">${sum(rows, 'charged')} charged</span>${' '}
      <span class="charge free">${sum(rows, 'free')} free</span>${' '}<span class="charge unknown">${sum(rows, 'unknown')} unknown</span
      >${' '} · cost ${idr(sum(rows, 'cost'))} · unknown exposure ${idr(sum(rows, 'unknownExposure'))}
    </p>
    <div class="charts">
      <figure>
        <figcaption>Calls per day by charge</figcaption>
        <div class="chart"><canvas id="calls-chart" ref=${stacked(calls)}></canvas></div>
      </figure>
      <figure>
        <figcaption>Cost per day by provider (IDR)</figcaption>
        <div class="chart"><canvas id="cost-chart" ref=${stacked(cost)}></canvas></div>
      </figure>
    </div>
    ${table('usage', ['Day', 'Provider', 'Check', ...TOTALS], rows, (r) => [r.day, r.provider, r.check, ...totals(r)])}
    <h2>By org</h2>
    ${table('by-org', ['Org', 'Provider', ...TOTALS], data.byOrg, (r) => [
      html`${r.orgName} <code>${r.orgId}</code>`,
      r.provider,
      ...totals(r),
    ])}`;
}
