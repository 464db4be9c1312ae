// Entry point: the sign-in screen, then the workspace (agents and chat, sources, memories; the dashboard for the admin).
import { h, clear, toast } from './dom.js';
import { signIn, signOut, restoreSession, whenSessionEnds, currentSession } from './api.js';
import { AgentsView } from './agents.js';
import { SourcesView } from './sources.js';
import { MemoriesView } from './memories.js';
import { DashboardView } from './dashboard.js';

const root = document.getElementById('app');
let workspace = null;

whenSessionEnds((reason) => showSignIn(reason));

function showSignIn(message) {
  if (workspace) workspace.close();
  workspace = null;
  const secret = h('input', { type: 'password', name: 'secret', id: 'secret', autocomplete: 'current-password',
    required: true, placeholder: 'sk-… or the admin password', autofocus: true });
  const error = h('p', { class: 'form-error', role: 'alert' }, message || '');
  const button = h('button', { type: 'submit', class: 'primary wide' }, 'Sign in');
  const form = h('form', { class: 'signin card', onsubmit: async (e) => {
    e.preventDefault();
    button.disabled = true;
    error.textContent = '';
    try {
      await signIn(secret.value.trim());
      secret.value = '';
      showWorkspace();
    } catch (err) {
      error.textContent = err.message;
      button.disabled = false;
      secret.select();
    }
  } },
  h('div', { class: 'brand big' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), 'Engram'),
  h('p', { class: 'muted' }, 'Agents with long-term memory. Sign in with an API key or the admin password.'),
  h('label', { class: 'field', for: 'secret' }, h('span', { class: 'label' }, 'API key or admin password'), secret),
  error, button,
  h('p', { class: 'hint' }, 'The key is exchanged for a short-lived token and not stored.'));
  clear(root, h('main', { class: 'signin-page' }, form));
  secret.focus();
}

function showWorkspace() {
  const admin = currentSession().admin === true;
  const views = {
    agents: new AgentsView(),
    sources: new SourcesView(),
    memories: new MemoriesView(),
  };
  const labels = [['agents', 'Agents'], ['sources', 'Sources'], ['memories', 'Memories']];
  if (admin) {
    views.dashboard = new DashboardView();
    labels.push(['dashboard', 'Dashboard']);
  }
  const content = h('div', { class: 'view' });
  const tabs = {};
  let shown = null;
  const select = (name) => {
    for (const [n, tab] of Object.entries(tabs)) tab.setAttribute('aria-selected', String(n === name));
    if (shown && shown !== name && views[shown].hide) views[shown].hide();
    shown = name;
    clear(content, views[name].element);
    views[name].show();
    location.hash = name === 'agents' ? '' : `#${name}`;
  };
  for (const [name, label] of labels) {
    tabs[name] = h('button', { role: 'tab', class: 'tab', 'aria-selected': 'false', dataset: { view: name },
      onclick: () => select(name) }, label);
  }
  const who = currentSession().userId;
  const header = h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), 'Engram'),
    h('nav', { role: 'tablist', class: 'tabs' }, Object.values(tabs)),
    h('div', { class: 'spacer' }),
    h('span', { class: 'who muted', title: `user ${who}` }, admin ? 'admin'
      : who === '00000000-0000-0000-0000-000000000000' ? 'default user' : `user ${who.slice(0, 8)}`),
    h('button', { class: 'ghost', id: 'signout', onclick: () => {
      signOut();
      showSignIn('Signed out.');
    } }, 'Sign out'));
  clear(root, h('div', { class: 'shell' }, header, content));
  workspace = { close: () => Object.values(views).forEach((v) => v.close()) };
  const start = location.hash.slice(1);
  select(views[start] ? start : 'agents');
}

window.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  toast(e.reason && e.reason.message ? e.reason.message : String(e.reason), 'error');
});

if (restoreSession()) {
  showWorkspace();
} else {
  showSignIn('');
}
