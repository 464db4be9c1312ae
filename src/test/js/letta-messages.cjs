// The official Letta SDK sends messages and follows runs on Engram: blocking, streamed and token-streamed sends,
// history paged both ways with for await, an async run polled to completion and replayed, runs listed, an idempotent
// send, cancel, and the errors the SDK raises.
// Env: LETTA_BASE_URL, LETTA_API_KEY, AGENT_ID (an agent-<uuid> of that user; the scripted model answers every step
// with send_message("Hello from Engram, streamed in pieces.") and the monologue "Thinking it over.").
const assert = require('node:assert/strict');
const { Letta, NotFoundError, UnprocessableEntityError } = require('@letta-ai/letta-client');

const ANSWER = 'Hello from Engram, streamed in pieces.';
const THOUGHT = 'Thinking it over.';

async function collect(iterable) {
  const out = [];
  for await (const item of iterable) {
    out.push(item);
  }
  return out;
}

async function main() {
  const client = new Letta({ baseURL: process.env.LETTA_BASE_URL, apiKey: process.env.LETTA_API_KEY });
  const agentId = process.env.AGENT_ID;
  const user = (text) => ({ messages: [{ role: 'user', content: text }] });

  // blocking
  const reply = await client.agents.messages.create(agentId, user('Hello from the SDK'));
  assert.equal(reply.stop_reason.stop_reason, 'end_turn');
  assert.equal(reply.usage.message_type, 'usage_statistics');
  assert.deepEqual(reply.messages.map((m) => m.message_type), ['reasoning_message', 'assistant_message']);
  assert.equal(reply.messages[1].content, ANSWER);
  const runId = reply.usage.run_ids[0];
  console.log('ok: blocking send', runId);

  // streamed: the iterator ends by itself after [DONE]
  const streamed = await collect(await client.agents.messages.create(agentId, { ...user('Stream it'), streaming: true }));
  assert.deepEqual(streamed.map((c) => c.message_type),
    ['ping', 'reasoning_message', 'assistant_message', 'stop_reason', 'usage_statistics']);
  const deprecated = await collect(await client.agents.messages.stream(agentId, { input: 'the old route' }));
  assert.equal(deprecated[deprecated.length - 1].message_type, 'usage_statistics');
  console.log('ok: streamed sends');

  // token streaming: fragments concatenated by otid give the whole answer
  const tokens = await collect(await client.agents.messages.create(agentId,
    { ...user('Tokens please'), streaming: true, stream_tokens: true }));
  const answer = tokens.filter((c) => c.message_type === 'assistant_message');
  const thought = tokens.filter((c) => c.message_type === 'reasoning_message');
  assert.ok(answer.length > 1, `the answer came in ${answer.length} fragment(s)`);
  assert.equal(new Set(answer.map((c) => c.otid)).size, 1);
  assert.equal(answer.map((c) => c.content).join(''), ANSWER);
  assert.equal(thought.map((c) => c.reasoning).join(''), THOUGHT);
  console.log('ok: token streaming,', answer.length, 'fragments');

  // history: both orders walk the same messages, and for await ends
  const desc = await collect(client.agents.messages.list(agentId, { limit: 3 }));
  const asc = await collect(client.agents.messages.list(agentId, { limit: 3, order: 'asc' }));
  assert.ok(asc.length >= 10, `history has ${asc.length} messages`);
  assert.equal(asc[0].message_type, 'system_message');
  const storedIds = (list) => list.map((m) => m.id).filter((id, i, all) => i === 0 || all[i - 1] !== id);
  assert.deepEqual(storedIds(desc), storedIds(asc).reverse());
  assert.equal(desc.length, asc.length);
  console.log('ok: history paged both ways,', asc.length, 'messages');

  // async: a Run at once, polled to completion, its messages and its replay
  const run = await client.agents.messages.createAsync(agentId, user('In the background'));
  assert.equal(run.status, 'created');
  let polled = run;
  for (let i = 0; i < 200 && polled.status !== 'completed'; i++) {
    await new Promise((r) => setTimeout(r, 25));
    polled = await client.runs.retrieve(run.id);
  }
  assert.equal(polled.status, 'completed');
  assert.equal(polled.stop_reason, 'end_turn');
  const runMessages = await collect(client.runs.messages.list(run.id));
  assert.equal(runMessages[runMessages.length - 1].content, ANSWER);
  const replay = await collect(await client.runs.messages.stream(run.id, { starting_after: 0 }));
  assert.deepEqual(replay.map((c) => c.message_type),
    ['ping', 'reasoning_message', 'assistant_message', 'stop_reason', 'usage_statistics']);
  const tail = await collect(await client.runs.messages.stream(run.id,
    { starting_after: replay[1].seq_id, include_pings: false }));
  assert.deepEqual(tail.map((c) => c.message_type), ['assistant_message', 'stop_reason', 'usage_statistics']);
  console.log('ok: async run polled and replayed');

  // runs of the agent, newest first
  const runs = await collect(client.runs.list({ agent_id: agentId, limit: 2 }));
  assert.equal(runs.length, 5, 'blocking, streamed, stream(), tokens, async');
  assert.equal(runs[0].id, run.id);

  // an idempotent send (the SDK has no idempotency option: a header does it) runs once
  const headers = { 'Idempotency-Key': `sdk-${Date.now()}` };
  const once = await client.agents.messages.create(agentId, user('Exactly once'), { headers });
  const twice = await client.agents.messages.create(agentId, user('Exactly once'), { headers });
  assert.deepEqual(twice, once);
  const sent = (await collect(client.agents.messages.list(agentId, { limit: 1000 })))
    .filter((m) => m.message_type === 'user_message' && m.content === 'Exactly once');
  assert.equal(sent.length, 1);
  console.log('ok: idempotent send');

  const cancelled = await client.agents.messages.cancel(agentId, { run_ids: [run.id] });
  assert.equal(cancelled[run.id], 'completed');

  await assert.rejects(client.agents.messages.create(agentId, { ...user('x'), input: 'y' }), UnprocessableEntityError);
  await assert.rejects(client.agents.messages.create('agent-00000000-0000-4000-8000-000000000000', user('x')),
    NotFoundError);
  await assert.rejects(client.runs.retrieve('run-00000000-0000-4000-8000-000000000000'), NotFoundError);
  console.log('ok: errors');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
