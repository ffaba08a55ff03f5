// The console's shell: tabs, one loader per tab, and the actions, re-rendering the whole page from `state`.
import { h, render } from './preact.js';
import htm from './htm.js';
import * as api from './api.js';
import { Entries, Mapping, Providers, Reviews } from './views.js';
import { Usage } from './usage.js';

const html = htm.bind(h);
const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const state = {
  tab: 'providers',
  data: null,
  error: null,
  notice: null,
  busy: false,
  usage: { from: day(-30), to: day(0), provider: '', check: '' },
  mapping: {},
};

const LOADERS = {
  providers: () => api.get('/v1/ops/providers'),
  usage: () => api.get(`/v1/ops/usage?from=${state.usage.from}&to=${state.usage.to}`),
  unknown: () => api.get('/v1/ops/usage/entries?charged=unknown&limit=100'),
  ledger: () => api.get('/v1/ops/usage/entries?limit=100'),
  reviews: () => api.get('/v1/ops/reviews?limit=100'),
  mapping: () => api.get('/mapping-table'),
};
const TABS = [
  ['providers', 'Providers'],
  ['usage', 'Usage'],
  ['unknown', 'Unknown charges'],
  ['ledger', 'Ledger'],
  ['reviews', 'Review queue'],
  ['mapping', 'Mapping table'],
];

function set(patch) {
  Object.assign(state, patch);
  render(html`<${App} />`, document.getElementById('console'));
}

let loads = 0;
async function load(tab = state.tab) {
  // Only the latest load lands: a slow answer for a tab left since never overwrites the current one.
  const seq = ++loads;
  // Another tab starts clean; a reload of this one (after an action) keeps what the action said.
  set(tab === state.tab ? { busy: true } : { tab, busy: true, data: null, notice: null, error: null });
  try {
    const data = await LOADERS[tab]();
    if (seq === loads) set({ data, busy: false });
  } catch (err) {
    if (seq === loads) set({ busy: false, error: err.message });
  }
}

/** Runs an action (a POST), then says what happened and reloads the tab. */
async function act(run, done) {
  set({ busy: true, error: null, notice: null });
  try {
    await run();
    set({ notice: done });
  } catch (err) {
    set({ error: err.message });
  }
  await load();
}

const actions = {
  act,
  post: api.post,
  usage: (patch, reload) => (set({ usage: { ...state.usage, ...patch } }), reload && load()),
  mapping: (patch) => set({ mapping: { ...state.mapping, ...patch } }),
};

const VIEWS = {
  providers: () => html`<${Providers} data=${state.data} actions=${actions} />`,
  usage: () => html`<${Usage} data=${state.data} filter=${state.usage} actions=${actions} />`,
  unknown: () => html`<${Entries} data=${state.data} actions=${actions} resolvable />`,
  ledger: () => html`<${Entries} data=${state.data} actions=${actions} />`,
  reviews: () => html`<${Reviews} data=${state.data} />`,
  mapping: () => html`<${Mapping} data=${state.data} filter=${state.mapping} actions=${actions} />`,
};

function App() {
  return html`
    <header>
      <h1>verigate console</h1>
      <nav>
        ${TABS.map(([id, label]) => html`<button class=${id === state.tab ? 'tab active' : 'tab'} data-tab=${id} onClick=${() => load(id)}>${label}</button>`)}
        <a class="tab" href="/console/queues/" target="_blank" rel="noopener">Queues</a>
        <button class="tab" id="sign-out" onClick=${api.signOut}>Sign out</button>
      </nav>
    </header>
    <main aria-busy=${state.busy ? 'true' : 'false'}>
      ${state.error && html`<p class="error" role="alert">${state.error}</p>`}
      ${state.notice && html`<p class="notice" role="status">${state.notice}</p>`}
      ${state.data ? VIEWS[state.tab]() : html`<p>Loading...</p>`}
    </main>
  `;
}

load();
