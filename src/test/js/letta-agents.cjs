// The official Letta SDK against Engram's agent model: agents with memory blocks, retrieve with include, the pager
// in both orders, blocks by label (one holding '/'), standalone blocks attached and detached, tools listed, attached
// and detached, an agent file exported and imported, update, reset and delete.
// Env: LETTA_BASE_URL, LETTA_API_KEY.
const assert = require('node:assert/strict');
const { Letta, NotFoundError, UnprocessableEntityError, toFile } = require('@letta-ai/letta-client');

async function collect(page) {
  const out = [];
  for await (const item of page) {
    out.push(item);
    assert.ok(out.length < 1000, 'the pager does not end');
  }
  return out;
}

async function main() {
  const client = new Letta({ baseURL: process.env.LETTA_BASE_URL, apiKey: process.env.LETTA_API_KEY });

  // create with memory blocks, and retrieve with include
  const agent = await client.agents.create({
    name: 'SdkAgent',
    model: 'openai/gpt-4',
    tags: ['sdk'],
    memory_blocks: [
      { label: 'human', value: 'Name: Sam', limit: 2000 },
      { label: 'persona', value: 'I am a helpful agent.' },
      { label: 'notes/work', value: 'Standup at 9' },
    ],
  });
  assert.ok(agent.id.startsWith('agent-'), agent.id);
  assert.deepEqual(agent.blocks.map((b) => b.label), ['human', 'persona', 'notes/work']);
  const got = await client.agents.retrieve(agent.id, { include: ['agent.blocks', 'agent.tools'] });
  assert.equal(got.name, 'SdkAgent');
  assert.ok(got.tools.some((t) => t.name === 'send_message'));
  assert.equal(got.memory.blocks.length, 3);

  // the pager, both orders, ends on an empty page
  const more = [];
  for (let i = 0; i < 4; i++) {
    more.push((await client.agents.create({ name: `Paged ${i}`, model: 'openai/gpt-4' })).id);
  }
  const all = [agent.id, ...more];
  const asc = (await collect(client.agents.list({ limit: 2, order: 'asc' }))).map((a) => a.id);
  assert.deepEqual(asc, all);
  const desc = (await collect(client.agents.list({ limit: 2, order: 'desc' }))).map((a) => a.id);
  assert.deepEqual(desc, [...all].reverse());
  const tagged = await client.agents.list({ tags: ['sdk'] });
  assert.deepEqual(tagged.items.map((a) => a.id), [agent.id]);

  // blocks by label, the label first
  const human = await client.agents.blocks.retrieve('human', { agent_id: agent.id });
  assert.equal(human.value, 'Name: Sam');
  const updated = await client.agents.blocks.update('human', { agent_id: agent.id, value: 'Name: Sam Carter' });
  assert.equal(updated.value, 'Name: Sam Carter');
  const work = await client.agents.blocks.retrieve('notes/work', { agent_id: agent.id });
  assert.equal(work.value, 'Standup at 9');
  await assert.rejects(
    client.agents.blocks.update('human', { agent_id: agent.id, value: 'x'.repeat(2001) }),
    UnprocessableEntityError,
  );
  const agentBlocks = await collect(client.agents.blocks.list(agent.id, { limit: 2 }));
  assert.equal(agentBlocks.length, 3);

  // a standalone block attached and detached
  const block = await client.blocks.create({ label: 'project', value: 'Ship the SDK test' });
  assert.ok(block.id.startsWith('block-'));
  const attached = await client.agents.blocks.attach(block.id, { agent_id: agent.id });
  assert.ok(attached.blocks.some((b) => b.id === block.id));
  const holders = await collect(client.blocks.agents.list(block.id));
  assert.deepEqual(holders.map((a) => a.id), [agent.id]);
  const listed = await collect(client.blocks.list({ label: 'project' }));
  assert.deepEqual(listed.map((b) => b.id), [block.id]);
  const detached = await client.agents.blocks.detach(block.id, { agent_id: agent.id });
  assert.ok(!detached.blocks.some((b) => b.id === block.id));
  await client.blocks.update(block.id, { value: 'Shipped' });
  assert.equal((await client.blocks.retrieve(block.id)).value, 'Shipped');

  // tools: listed, attached, detached
  const tools = await collect(client.tools.list({ limit: 4 }));
  assert.ok(tools.length >= 8, `tools: ${tools.length}`);
  const insert = tools.find((t) => t.name === 'memory_insert');
  const search = tools.find((t) => t.name === 'archival_memory_search');
  const withTool = await client.agents.tools.attach(insert.id, { agent_id: agent.id });
  assert.ok(withTool.tools.some((t) => t.name === 'memory_insert'));
  const withoutTool = await client.agents.tools.detach(search.id, { agent_id: agent.id });
  assert.ok(!withoutTool.tools.some((t) => t.name === 'archival_memory_search'));
  const agentTools = await collect(client.agents.tools.list(agent.id, { limit: 3 }));
  assert.equal(agentTools.length, withoutTool.tools.length);
  assert.equal((await client.tools.retrieve(insert.id)).name, 'memory_insert');

  // export and import: a new agent with the same blocks and tools
  const exported = await client.agents.exportFile(agent.id);
  const text = typeof exported === 'string' ? exported : JSON.stringify(exported);
  const imported = await client.agents.importFile({ file: await toFile(Buffer.from(text), 'agent.af') });
  assert.equal(imported.agent_ids.length, 1);
  const copy = await client.agents.retrieve(imported.agent_ids[0]);
  assert.notEqual(copy.id, agent.id);
  assert.equal(copy.name, 'SdkAgent_copy');
  assert.deepEqual(copy.blocks.map((b) => [b.label, b.value]), (await client.agents.retrieve(agent.id)).blocks
    .map((b) => [b.label, b.value]));
  assert.deepEqual(copy.tools.map((t) => t.name), withoutTool.tools.map((t) => t.name));

  // update, reset, delete
  const renamed = await client.agents.update(agent.id, { name: 'SdkAgentRenamed', description: 'changed' });
  assert.equal(renamed.name, 'SdkAgentRenamed');
  assert.equal(renamed.description, 'changed');
  const reset = await client.agents.messages.reset(agent.id, { add_default_initial_messages: false });
  assert.equal(reset.message_ids.length, 1);
  await client.agents.delete(agent.id);
  await assert.rejects(client.agents.retrieve(agent.id), NotFoundError);
  await client.blocks.delete(block.id);
  await assert.rejects(client.blocks.retrieve(block.id), NotFoundError);
  console.log('ok: agents, blocks, tools, export/import, update, reset, delete');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
