// The official Letta SDK drives conversations on Engram: create on an agent, retrieve, list and page, update, send
// (streamed, the default), history paged both ways, two conversations kept apart, the thread's last run replayed,
// fork, recompile, compact, cancel, delete, the agent's own thread as "default", and the errors the SDK raises.
// Env: LETTA_BASE_URL, LETTA_API_KEY, AGENT_ID (an agent-<uuid> of that user; the scripted model answers every step
// with send_message("Hello from a conversation.") and the monologue "Thinking it over.").
const assert = require('node:assert/strict');
const { Letta, NotFoundError, UnprocessableEntityError } = require('@letta-ai/letta-client');

const ANSWER = 'Hello from a conversation.';

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

  // create, retrieve, list, update
  const first = await client.conversations.create({ agent_id: agentId, summary: 'Support chat' });
  assert.ok(first.id.startsWith('conv-'), first.id);
  assert.equal(first.agent_id, agentId);
  assert.equal(first.in_context_message_ids.length, 1);
  const second = await client.conversations.create({ agent_id: agentId });
  assert.equal((await client.conversations.retrieve(first.id)).summary, 'Support chat');
  const listed = await client.conversations.list({ agent_id: agentId });
  assert.deepEqual(listed.map((c) => c.id), [second.id, first.id]);
  const page = await client.conversations.list({ agent_id: agentId, order: 'asc', limit: 1, after: first.id });
  assert.deepEqual(page.map((c) => c.id), [second.id]);
  const updated = await client.conversations.update(first.id, { summary: 'Renamed', description: 'about tea' });
  assert.equal(updated.summary, 'Renamed');
  console.log('ok: create, retrieve, list, update');

  // a send streams by default; the iterator ends by itself after [DONE]
  const streamed = await collect(await client.conversations.messages.create(first.id, user('Only in the first')));
  assert.deepEqual(streamed.map((c) => c.message_type),
    ['ping', 'reasoning_message', 'assistant_message', 'stop_reason', 'usage_statistics']);
  assert.equal(streamed[2].content, ANSWER);
  const tokens = await collect(await client.conversations.messages.create(first.id,
    { ...user('Tokens please'), stream_tokens: true }));
  assert.equal(tokens.filter((c) => c.message_type === 'assistant_message').map((c) => c.content).join(''), ANSWER);
  await collect(await client.conversations.messages.create(second.id, user('Only in the second')));
  console.log('ok: streamed sends');

  // each conversation has its own history, paged both ways
  const asc = await collect(client.conversations.messages.list(first.id, { order: 'asc', limit: 2 }));
  const desc = await collect(client.conversations.messages.list(first.id, { limit: 2 }));
  assert.equal(asc[0].message_type, 'system_message');
  assert.deepEqual(desc.map((m) => m.id).reverse(), asc.map((m) => m.id));
  const firstTexts = asc.filter((m) => m.message_type === 'user_message').map((m) => m.content);
  assert.deepEqual(firstTexts, ['Only in the first', 'Tokens please']);
  const secondTexts = (await collect(client.conversations.messages.list(second.id)))
    .filter((m) => m.message_type === 'user_message').map((m) => m.content);
  assert.deepEqual(secondTexts, ['Only in the second']);
  const own = await collect(client.conversations.messages.list('default', { agent_id: agentId }));
  assert.ok(!own.some((m) => m.content === 'Only in the first'), "the agent's own thread is apart");
  console.log('ok: separate histories,', asc.length, 'messages in the first');

  // the thread's last run, replayed
  const replay = await collect(await client.conversations.messages.stream(first.id, { starting_after: 0 }));
  assert.equal(replay[replay.length - 1].message_type, 'usage_statistics');
  assert.ok(replay.some((c) => c.message_type === 'assistant_message'));
  const runs = await collect(client.runs.list({ conversation_id: first.id }));
  assert.equal(runs.length, 2);
  assert.equal(runs[0].conversation_id, first.id);
  console.log('ok: stream replayed, runs listed by conversation');

  // fork, recompile, compact, cancel
  const fork = await client.conversations.fork(first.id);
  assert.equal(fork.agent_id, agentId);
  const context = (await client.conversations.retrieve(first.id)).in_context_message_ids;
  assert.equal(fork.in_context_message_ids.length, context.length);
  const system = await client.conversations.recompile(first.id, { dry_run: true });
  assert.equal(typeof system, 'string');
  assert.ok(system.includes('The human is unknown.'), system);
  const compacted = await client.conversations.messages.compact(first.id);
  assert.ok(compacted.num_messages_after < compacted.num_messages_before, JSON.stringify(compacted));
  assert.equal(typeof compacted.summary, 'string');
  assert.deepEqual(await client.conversations.cancel(first.id), {});
  console.log('ok: fork, recompile, compact, cancel');

  // delete, and the errors
  await client.conversations.delete(second.id);
  await assert.rejects(client.conversations.retrieve(second.id), NotFoundError);
  await assert.rejects(client.conversations.create({ agent_id: 'agent-00000000-0000-4000-8000-000000000000' }),
    NotFoundError);
  await assert.rejects(client.conversations.create({ agent_id: agentId, context_window_limit: 0 }),
    UnprocessableEntityError);
  await assert.rejects(client.conversations.messages.create(first.id, { messages: [] }), UnprocessableEntityError);
  const remaining = await client.conversations.list({ agent_id: agentId });
  assert.deepEqual(remaining.map((c) => c.id).sort(), [first.id, fork.id].sort());
  console.log('ok: delete, errors');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
