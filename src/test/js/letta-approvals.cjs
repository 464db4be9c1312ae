// The official Letta SDK holds a tool call for approval on Engram: updateApproval switches it on, a send pauses with
// an approval_request_message (stop reason requires_approval, pending_approval on the agent), a message meanwhile is
// a ConflictError, an approval runs the call once and the loop goes on, a second approval is refused, a streamed
// pause is denied with a reason, and the history shows the answers.
// Env: LETTA_BASE_URL, LETTA_API_KEY, AGENT_ID (an agent-<uuid> with archival_memory_insert; the scripted model calls
// archival_memory_insert when the user speaks, and answers with send_message("Done.") after anything else).
const assert = require('node:assert/strict');
const { Letta, APIError, ConflictError } = require('@letta-ai/letta-client');

const TOOL = 'archival_memory_insert';

async function collect(iterable) {
  const out = [];
  for await (const item of iterable) {
    out.push(item);
  }
  return out;
}

async function main() {
  const client = new Letta({ baseURL: process.env.LETTA_BASE_URL, apiKey: process.env.LETTA_API_KEY, maxRetries: 0 });
  const agentId = process.env.AGENT_ID;
  const user = (text) => ({ messages: [{ role: 'user', content: text }] });
  const approval = (id, approve, reason) => ({
    messages: [{ type: 'approval', approvals: [{ type: 'approval', tool_call_id: id, approve, reason }] }],
  });

  const state = await client.agents.tools.updateApproval(TOOL, { agent_id: agentId, body_requires_approval: true });
  assert.ok(state.tool_rules.some((r) => r.type === 'requires_approval' && r.tool_name === TOOL),
    JSON.stringify(state.tool_rules));
  console.log('ok: approval switched on');

  const paused = await client.agents.messages.create(agentId, user('Remember that I like tea'));
  assert.equal(paused.stop_reason.stop_reason, 'requires_approval');
  const request = paused.messages.find((m) => m.message_type === 'approval_request_message');
  assert.ok(request, JSON.stringify(paused.messages));
  assert.equal(request.tool_call.name, TOOL);
  const callId = request.tool_call.tool_call_id;
  const agent = await client.agents.retrieve(agentId, { include: ['agent.pending_approval'] });
  assert.equal(agent.pending_approval.tool_call.tool_call_id, callId);
  console.log('ok: paused on', callId);

  await assert.rejects(client.agents.messages.create(agentId, user('Hello?')), (e) => e instanceof ConflictError);
  console.log('ok: a message while waiting is a ConflictError');

  const resumed = await client.agents.messages.create(agentId, approval(callId, true));
  assert.equal(resumed.stop_reason.stop_reason, 'end_turn');
  const ret = resumed.messages.find((m) => m.message_type === 'tool_return_message');
  assert.equal(ret.status, 'success');
  assert.equal(ret.tool_call_id, callId);
  assert.equal(resumed.messages.find((m) => m.message_type === 'assistant_message').content, 'Done.');
  await assert.rejects(client.agents.messages.create(agentId, approval(callId, true)),
    (e) => e instanceof APIError && e.status >= 400 && e.status < 500);
  const passages = await client.agents.passages.list(agentId);
  assert.equal(passages.length, 1, 'the approved call ran once');
  console.log('ok: approved, ran once, a second approval refused');

  const streamed = await collect(await client.agents.messages.create(agentId,
    { ...user('Remember that I like coffee'), streaming: true }));
  const types = streamed.map((c) => c.message_type);
  assert.ok(types.includes('approval_request_message'), types.join());
  assert.equal(streamed.find((c) => c.message_type === 'stop_reason').stop_reason, 'requires_approval');
  const second = streamed.find((c) => c.message_type === 'approval_request_message').tool_call.tool_call_id;
  const denied = await collect(await client.agents.messages.create(agentId,
    { ...approval(second, false, 'not coffee'), streaming: true }));
  const deniedReturn = denied.find((c) => c.message_type === 'tool_return_message');
  assert.equal(deniedReturn.status, 'error');
  assert.match(deniedReturn.tool_return, /not coffee/);
  assert.equal((await client.agents.passages.list(agentId)).length, 1, 'the denied call never ran');
  console.log('ok: streamed pause denied');

  const history = await collect(client.agents.messages.list(agentId, { order: 'asc', limit: 100 }));
  const answers = history.filter((m) => m.message_type === 'approval_response_message');
  assert.deepEqual(answers.map((m) => m.approvals[0].approve), [true, false]);
  console.log('ok: history shows both answers');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
