// The console's tables: providers with their actions, ledger entries (the unknown-charge queue resolves),
// the review queue with each capture's voters, and the mapping table with its filters.
import { h } from './preact.js';
import htm from './htm.js';

export const html = htm.bind(h);
export const idr = (n) => `${Number(n).toLocaleString('en')} IDR`;
const yes = (flag) => (flag ? 'yes' : '');

/** A table of `rows` under `headers`, each row's cells (text or markup) from `cells`. */
export const table = (className, headers, rows, cells) =>
  html`<table class=${className}>
    <thead>
      <tr>
        ${headers.map((header) => html`<th>${header}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            ${cells(r).map((cell) => html`<td>${cell}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
const pct = (x) => (x == null ? '-' : `${Math.round(x * 1000) / 10}%`);
const ms = (x) => (x == null ? '-' : `${Math.round(x)} ms`);
const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '');

/** The submitted form's fields, and which button submitted it. */
const submitted = (e) => {
  e.preventDefault();
  return { fields: Object.fromEntries(new FormData(e.target)), button: e.submitter?.value };
};

function Mode({ mode, m }) {
  return html`<div class="mode">
    <b>${mode}</b> breaker <span class=${`state ${m.breaker}`}>${m.breaker}</span>
    ${m.account ? html` cooldown <span class="state open">${m.account.state}</span> until ${when(m.account.until)}` : ' no cooldown'}
    <br />p50 ${ms(m.recent?.p50Ms)} · p95 ${ms(m.recent?.p95Ms)} · errors ${pct(m.recent?.errorRate)}
  </div>`;
}

export function Providers({ data, actions }) {
  const run = (id) => (e) => {
    const { fields, button } = submitted(e);
    actions.act(() => actions.post(`/v1/ops/providers/${id}/${button}`, { reason: fields.reason }), `${id}: ${button} done`);
  };
  return html`<table class="providers">
    <thead>
      <tr>
        <th>Provider</th>
        <th>Checks</th>
        <th>State</th>
        <th>Health per key mode</th>
        <th>Action (with a reason)</th>
      </tr>
    </thead>
    <tbody>
      ${data.data.map(
        (p) =>
          html`<tr data-provider=${p.id}>
            <td><b>${p.displayName}</b><br /><code>${p.id}</code></td>
            <td>${p.checks.join(', ')}</td>
            <td class="drain">
              ${
                p.drained
                  ? html`<span class="state open">drained</span><br /><small
                        >${p.drained.reason} (${p.drained.operatorKeyId}, ${when(p.drained.at)})</small
                      >`
                  : html`<span class="state closed">in routing</span>`
              }
            </td>
            <td>${Object.entries(p.modes).map(([mode, m]) => html`<${Mode} mode=${mode} m=${m} />`)}</td>
            <td>
              <form class="act" onSubmit=${run(p.id)}>
                <input name="reason" placeholder="reason (at least 10 characters)" required minlength="10" maxlength="500" />
                <button name="action" value="drain">Drain</button>
                <button name="action" value="restore">Restore</button>
                <button name="action" value="end-cooldown">End cooldown</button>
                <button name="action" value="reset-breaker">Reset breaker</button>
              </form>
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function Entries({ data, actions, resolvable }) {
  const resolve = (id) => (e) => {
    const { fields } = submitted(e);
    actions.act(
      () => actions.post(`/v1/ops/usage/entries/${id}/resolve`, { charged: fields.charged, note: fields.note }),
      `${id} resolved ${fields.charged}`,
    );
  };
  if (data.data.length === 0)
    return html`<p class="empty">${resolvable ? 'No unknown charges: nothing to settle.' : 'The ledger is empty.'}</p>`;
  return html`<table class="entries">
      <thead>
        <tr>
          <th>Entry</th>
          <th>Org</th>
          <th>Verification</th>
          <th>Provider / operation</th>
          <th>Suite code</th>
          <th>Charge</th>
          <th>Price</th>
          <th>Booked</th>
          ${resolvable && html`<th>Resolve</th>`}
        </tr>
      </thead>
      <tbody>
        ${data.data.map(
          (e) =>
            html`<tr data-entry=${e.id} data-verification=${e.verificationId}>
              <td><code>${e.id}</code>${e.sandbox ? html` <small>sandbox</small>` : ''}</td>
              <td><code>${e.orgId}</code></td>
              <td><code>${e.verificationId}</code><br /><small>${e.check}</small></td>
              <td class="provider">${e.provider} / ${e.operation}</td>
              <td>${e.suiteCode ?? 'in flight'}</td>
              <td>
                <span class=${`charge ${e.charged}`}>${e.charged}</span
                >${e.resolution ? html`<br /><small>by ${e.resolution.resolvedBy}: ${e.resolution.note}</small>` : ''}
              </td>
              <td>${idr(e.unitPrice)}</td>
              <td>${when(e.createdAt)}</td>
              ${
                resolvable &&
                html`<td>
                  <form class="act" onSubmit=${resolve(e.id)}>
                    <select name="charged">
                      <option value="charged">charged</option>
                      <option value="free">free</option>
                    </select>
                    <input name="note" placeholder="evidence (invoice line, ticket)" required minlength="10" maxlength="1000" />
                    <button>Resolve</button>
                  </form>
                </td>`
              }
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      data.hasMore &&
      html`<p>
        <small
          >Showing the first ${data.data.length}; more through
          <code>GET /v1/ops/usage/entries?startingAfter=${data.nextCursor}</code>.</small
        >
      </p>`
    }`;
}

export function Reviews({ data }) {
  if (data.data.length === 0) return html`<p class="empty">No captures awaiting review.</p>`;
  const votes = (title, v) =>
    v &&
    html`<div>
      <b>${title}: ${v.fused}</b>
      <table class="voters">
        <tbody>
          ${v.voters.map(
            (x) =>
              html`<tr>
                <td>${x.name}</td>
                <td class=${`vote ${x.verdict}`}>${x.verdict}</td>
                <td>${x.score}</td>
                <td><small>${x.detail}</small></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  return data.data.map(
    (c) =>
      html`<section class="review" data-capture=${c.id}>
        <h3><code>${c.id}</code> ${c.kind} · org <code>${c.orgId}</code> · customer <code>${c.customerId}</code> · ${when(c.createdAt)}</h3>
        ${votes('anti-spoof', c.antiSpoof)} ${votes('tamper', c.tamper)}
      </section>`,
  );
}

const CHARGES = ['charged', 'free', 'unknown'];
const chargeOf = (c) => (typeof c === 'string' ? c : 'plan');
const matchText = (m) =>
  Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

export function Mapping({ data, filter, actions }) {
  const providers = [...new Set(data.data.map((r) => r.provider))];
  const text = (filter.text ?? '').toLowerCase();
  const rows = data.data.filter(
    (r) =>
      (!filter.provider || r.provider === filter.provider) &&
      (!filter.charged || chargeOf(r.charged) === filter.charged) &&
      (!text || `${r.suiteCode} ${r.operation} ${matchText(r.match)} ${r.note}`.toLowerCase().includes(text)),
  );
  const pick = (key) => (e) => actions.mapping({ [key]: e.target.value });
  return html`<div class="filters">
      <select name="provider" onChange=${pick('provider')} value=${filter.provider ?? ''}>
        <option value="">every provider</option>
        ${providers.map((p) => html`<option value=${p}>${p}</option>`)}
      </select>
      <select name="charged" onChange=${pick('charged')} value=${filter.charged ?? ''}>
        <option value="">any charge</option>
        ${[...CHARGES, 'plan'].map((c) => html`<option value=${c}>${c}</option>`)}
      </select>
      <input name="text" type="search" placeholder="code, match or note" onInput=${pick('text')} value=${filter.text ?? ''} />
      <span class="count">${rows.length} of ${data.data.length} rows</span>
    </div>
    ${table(
      'mapping',
      ['Provider', 'Operation', 'Match', 'Kind', 'Suite code', 'Status', 'Charge', 'Final', 'Failover', 'Breaker', 'Note'],
      rows,
      (r) => [
        r.provider,
        r.operation,
        html`<code>${matchText(r.match)}</code>`,
        r.kind,
        html`<code>${r.suiteCode}</code>`,
        r.verificationStatus ?? '',
        html`<span class=${`charge ${chargeOf(r.charged)}`}
          >${typeof r.charged === 'string' ? r.charged : JSON.stringify(r.charged.plan)}</span
        >`,
        yes(r.final),
        yes(r.failover),
        yes(r.breaker),
        html`<small>${r.note}</small>`,
      ],
    )}`;
}
