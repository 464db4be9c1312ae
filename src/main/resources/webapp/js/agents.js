// The agents screen: the list (create, select), and for the selected agent its chat and its memory side panel.
import { h, clear, dialog, confirmAction, field, toast, busy } from './dom.js';
import { api } from './api.js';
import { Chat } from './chat.js';
import { SidePanel } from './memory.js';

export class AgentsView {
  constructor() {
    this.agents = [];
    this.selected = null;
    this.chat = null;
    this.panel = null;
    this.list = h('ul', { class: 'agent-list', 'aria-label': 'Agents' });
    const create = h('button', { class: 'primary', id: 'new-agent' }, '+ New agent');
    create.addEventListener('click', busy(create, () => this.create()));
    this.sidebar = h('aside', { class: 'agents-pane' },
      h('div', { class: 'pane-head' }, h('h2', {}, 'Agents'), create), this.list);
    this.main = h('section', { class: 'chat-pane' }, empty());
    this.side = h('aside', { class: 'side-pane', id: 'side-pane' });
    this.element = h('div', { class: 'agents-view no-agent' }, this.sidebar, this.main, this.side);
  }

  async show() {
    await this.reload();
  }

  close() {
    if (this.chat) this.chat.close();
    this.chat = null;
  }

  async reload() {
    try {
      const answer = await api('GET', '/api/agents');
      this.agents = answer.agents.sort((a, b) => a.name.localeCompare(b.name));
    } catch (e) {
      clear(this.list, h('li', { class: 'form-error' }, e.message));
      return;
    }
    this.renderList();
    if (this.selected && !this.agents.some((a) => a.id === this.selected.id)) this.select(null);
  }

  renderList() {
    if (this.agents.length === 0) {
      clear(this.list, h('li', { class: 'muted empty-note' }, 'No agents yet. Create one to start chatting.'));
      return;
    }
    clear(this.list, this.agents.map((a) => h('li', {},
      h('button', { class: `agent-item${this.selected && this.selected.id === a.id ? ' active' : ''}`,
        dataset: { agentId: a.id }, onclick: () => this.select(a) },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, a.name.slice(0, 1).toUpperCase()),
      h('span', { class: 'agent-name' }, a.name)))));
  }

  select(agent) {
    if (this.chat) this.chat.close();
    this.chat = null;
    this.selected = agent;
    this.renderList();
    this.element.classList.toggle('no-agent', !agent);
    this.element.classList.remove('side-open');
    if (!agent) {
      clear(this.main, empty());
      clear(this.side);
      return;
    }
    this.panel = new SidePanel(agent);
    this.chat = new Chat(agent, {
      onRename: () => this.rename(agent),
      onDelete: () => this.remove(agent),
      onBack: () => this.select(null),
      onToggleSide: () => this.element.classList.toggle('side-open'),
      onMemoryTool: () => this.panel.blocksChanged(),
      onRunDone: () => this.panel.blocksChanged(),
    });
    clear(this.main, this.chat.element);
    clear(this.side, this.panel.element);
    this.panel.onClose = () => this.element.classList.remove('side-open');
    this.chat.start();
    this.panel.start();
  }

  async create() {
    const [personas, humans, models] = await Promise.all([
      api('GET', '/api/personas').then((r) => r.personas),
      api('GET', '/api/humans').then((r) => r.humans),
      api('GET', '/v1/models').catch(() => []),
    ]);
    const persona = templatePicker('persona', personas, 'sam_pov');
    const human = templatePicker('human', humans, 'basic');
    const model = h('select', { name: 'model' }, models.map((m) => h('option', { value: m.handle }, m.handle)));
    const name = h('input', { name: 'name', required: true, maxlength: 50, placeholder: 'e.g. research-buddy',
      autocomplete: 'off' });
    const body = h('div', { class: 'stack' },
      field('Name', name),
      field('Model', model, models.length ? null : 'No model is configured on the server: sends will fail.'),
      persona.element, human.element);
    for (;;) {
      const values = await dialog('New agent', body, { submit: 'Create agent', onOpen: () => name.focus() });
      if (!values) return;
      try {
        const created = await api('POST', '/v1/agents', {
          name: values.name.trim(),
          model: values.model || undefined,
          memory_blocks: [
            { label: 'persona', value: persona.text() },
            { label: 'human', value: human.text() },
          ],
        });
        await this.reload();
        const id = created.id.replace(/^agent-/, '');
        this.select(this.agents.find((a) => a.id === id) || null);
        toast(`Agent ${values.name.trim()} created`);
        return;
      } catch (e) {
        toast(e.message, 'error');
      }
    }
  }

  async rename(agent) {
    const input = h('input', { name: 'name', required: true, maxlength: 50, value: agent.name });
    const values = await dialog('Rename agent', field('New name', input),
      { submit: 'Rename', onOpen: () => input.select() });
    if (!values || values.name.trim() === agent.name) return;
    try {
      await api('PATCH', `/v1/agents/${agent.id}`, { name: values.name.trim() });
      agent.name = values.name.trim();
      await this.reload();
      if (this.chat) this.chat.renamed(agent.name);
      toast('Renamed');
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  async remove(agent) {
    const ok = await confirmAction('Delete agent',
      `Delete ${agent.name} with its messages and memory? This cannot be undone.`, 'Delete agent');
    if (!ok) return;
    try {
      await api('DELETE', `/api/agents/${agent.id}`);
      this.select(null);
      await this.reload();
      toast(`Deleted ${agent.name}`);
    } catch (e) {
      toast(e.message, 'error');
    }
  }
}

function empty() {
  return h('div', { class: 'empty-chat' },
    h('p', { class: 'logo huge', 'aria-hidden': 'true' }, '◆'),
    h('p', {}, 'Pick an agent, or create one, to start a conversation.'));
}

/** A template list (built in and the user's own) plus "write your own", with the text editable either way. */
function templatePicker(label, templates, preferred) {
  const text = h('textarea', { rows: 4, name: `${label}_text` });
  const options = templates.map((t, i) => h('option', { value: String(i) }, t.name));
  options.push(h('option', { value: 'custom' }, 'Write my own…'));
  const select = h('select', { name: `${label}_template`, onchange: () => {
    text.value = select.value === 'custom' ? '' : templates[Number(select.value)].text;
    if (select.value === 'custom') text.focus();
  } }, options);
  const start = Math.max(0, templates.findIndex((t) => t.name === preferred));
  if (templates.length) {
    select.value = String(start);
    text.value = templates[start].text;
  } else {
    select.value = 'custom';
  }
  const title = label === 'persona' ? 'Persona (who the agent is)' : 'Human (what it knows about you)';
  return { element: h('div', { class: 'template' }, field(title, select), text), text: () => text.value };
}
