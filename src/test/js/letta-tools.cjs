// The official Letta SDK with a custom tool: create it from Python source, find it in the list, attach it to an agent,
// let the (scripted) model call it, see its return and stdout in the response, update and delete it.
// Env: LETTA_BASE_URL, LETTA_API_KEY, AGENT_ID (an agent of that user; the model first calls sdk_double(n=21)).
const assert = require('node:assert/strict');
const { Letta } = require('@letta-ai/letta-client');

const SOURCE = `def sdk_double(n: int) -> int:
    """Doubles a number.

    Args:
        n: The number.
    """
    print("doubling", n)
    return n * 2
`;

async function main() {
  const client = new Letta({ baseURL: process.env.LETTA_BASE_URL, apiKey: process.env.LETTA_API_KEY });
  const agentId = process.env.AGENT_ID;
  const tool = await client.tools.create({ source_code: SOURCE, tags: ['sdk'] });
  assert.equal(tool.name, 'sdk_double');
  assert.equal(tool.tool_type, 'custom');
  assert.deepEqual(tool.json_schema.parameters.required, ['n']);
  const listed = [];
  for await (const t of client.tools.list({ tool_types: ['custom'] })) {
    listed.push(t.name);
  }
  assert.deepEqual(listed, ['sdk_double']);
  assert.equal((await client.tools.retrieve(tool.id)).id, tool.id);

  const state = await client.agents.tools.attach(tool.id, { agent_id: agentId });
  assert.ok(state.tools.some((t) => t.name === 'sdk_double'), JSON.stringify(state.tools.map((t) => t.name)));

  const reply = await client.agents.messages.create(agentId, {
    messages: [{ role: 'user', content: 'double 21' }],
  });
  const ret = reply.messages.find((m) => m.message_type === 'tool_return_message');
  assert.ok(ret, JSON.stringify(reply.messages));
  assert.equal(ret.tool_return, '42');
  assert.equal(ret.status, 'success');
  assert.deepEqual(ret.stdout, ['doubling 21\n']);

  const updated = await client.tools.update(tool.id, { description: 'Twice n.' });
  assert.equal(updated.description, 'Twice n.');
  await client.tools.delete(tool.id);
  const after = await client.agents.retrieve(agentId);
  assert.ok(!after.tools.some((t) => t.name === 'sdk_double'), 'deleting detaches');
  console.log('ok: custom tool created, attached, called, updated and deleted through the SDK');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
