// The official Mem0 platform client (npm mem0ai, MemoryClient with a host) against Engram: ping, add with and
// without inference, asynchronous add (async_mode, its event polled), getAll with filters and pages, get, update, history, search with filters, users, batch update
// and delete, export, delete, deleteUsers, deleteAll, errors, another user's memory (404).
// Env: MEM0_HOST, MEM0_API_KEY, MEM0_OTHER_KEY, MEM0_USER (a fresh Mem0 user id); MEM0_TELEMETRY=false.
const assert = require('node:assert/strict');

// Nothing may leave for anywhere but the server under test (the client's telemetry goes to PostHog when on).
const host = process.env.MEM0_HOST;
const realFetch = globalThis.fetch;
const strays = [];
globalThis.fetch = (url, options) => {
  const target = String(url instanceof Request ? url.url : url);
  if (!target.startsWith(host + '/')) {
    strays.push(target);
    return Promise.reject(new Error('test: no request may leave for ' + target));
  }
  return realFetch(url, options);
};

const { MemoryClient, AuthenticationError, MemoryNotFoundError, ValidationError } = require('mem0ai');

function byText(list, text) {
  const found = list.find((m) => m.memory === text);
  assert.ok(found, `no memory "${text}" in ${JSON.stringify(list)}`);
  return found;
}

async function main() {
  assert.equal(process.env.MEM0_TELEMETRY, 'false');
  const user = process.env.MEM0_USER;
  const other = user + '-other';
  const client = new MemoryClient({ apiKey: process.env.MEM0_API_KEY, host });
  await client.ping();

  // a wrong key: the client's own check fails with its AuthenticationError
  const stranger = new MemoryClient({ apiKey: 'sk-not-a-key', host });
  await assert.rejects(stranger.ping(), AuthenticationError);

  // add with inference (the scripted model extracts two facts and adds them), then without
  const inferred = await client.add([{ role: 'user', content: 'I love green tea and I live in Lisbon.' }],
    { userId: user });
  assert.equal(inferred.status, 'SUCCEEDED');
  assert.equal(typeof inferred.eventId, 'string');
  assert.deepEqual(inferred.results.map((r) => r.event), ['ADD', 'ADD']);
  const tea = byText(inferred.results, 'Loves green tea');
  assert.equal(tea.data.memory, 'Loves green tea');
  const lisbon = byText(inferred.results, 'Lives in Lisbon');

  // async_mode: the platform's queued answer, the raw message searchable at once, the event polled to SUCCEEDED
  const asyncUser = user + '-async';
  const queued = await client.add([{ role: 'user', content: 'I play the cello on Sundays.' }],
    { userId: asyncUser, asyncMode: true });
  assert.equal(queued.status, 'PENDING');
  assert.equal(queued.message, 'Memory processing has been queued for background execution');
  assert.equal(typeof queued.eventId, 'string');
  const early = await client.search('cello', { filters: { user_id: asyncUser }, threshold: 0 });
  assert.ok(early.results.some((m) => m.memory === 'I play the cello on Sundays.'), JSON.stringify(early));
  let event;
  for (let i = 0; i < 400; i++) {
    const answer = await fetch(`${host}/v1/event/${queued.eventId}/`,
      { headers: { Authorization: `Token ${process.env.MEM0_API_KEY}` } });
    assert.equal(answer.status, 200);
    event = await answer.json();
    if (event.status === 'SUCCEEDED' || event.status === 'FAILED') break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.equal(event.status, 'SUCCEEDED', JSON.stringify(event));
  assert.deepEqual(event.results.map((r) => r.data.memory), ['Plays the cello on Sundays']);
  const settled = await client.getAll({ filters: { user_id: asyncUser } });
  assert.deepEqual(settled.results.map((m) => m.memory), ['Plays the cello on Sundays']);

  const verbatim = await client.add([{ role: 'user', content: 'My dog is called Rex' }],
    { userId: user, agentId: 'helper', infer: false, metadata: { topic: 'pets', Level: 2 } });
  assert.equal(verbatim.results.length, 1);
  const dogId = verbatim.results[0].id;
  await client.add([{ role: 'user', content: 'I collect stamps' }], { userId: other, infer: false });

  // getAll: filters in the body, numbered pages in an envelope
  const first = await client.getAll({ filters: { user_id: user }, page: 1, pageSize: 2 });
  assert.equal(first.count, 3);
  assert.equal(first.results.length, 2);
  assert.ok(first.next && first.next.includes('page=2'), `next: ${first.next}`);
  assert.equal(first.previous, null);
  const second = await client.getAll({ filters: { user_id: user }, page: 2, pageSize: 2 });
  assert.equal(second.results.length, 1);
  assert.equal(second.next, null);
  const everyId = [...first.results, ...second.results].map((m) => m.id).sort();
  assert.deepEqual(everyId, [tea.id, lisbon.id, dogId].sort());
  const pets = await client.getAll({ filters: { AND: [{ user_id: user }, { topic: 'pets' }] } });
  assert.equal(pets.count, 1);
  assert.equal(pets.results[0].id, dogId);
  assert.deepEqual(pets.results[0].metadata, { topic: 'pets', Level: 2 }, 'metadata keys come back as they were');
  assert.equal(pets.results[0].agentId, 'helper');

  // get, update (answers the memory), history
  const dog = await client.get(dogId);
  assert.equal(dog.memory, 'My dog is called Rex');
  assert.equal(dog.userId, user);
  const updated = await client.update(dogId, { text: 'My dog is called Max', metadata: { vet: 'Dr. Lee' } });
  assert.equal(updated.memory, 'My dog is called Max');
  assert.equal(updated.metadata.vet, 'Dr. Lee');
  assert.equal(updated.metadata.topic, 'pets', 'metadata not sent is kept');
  const history = await client.history(dogId);
  assert.deepEqual(history.map((h) => h.event), ['ADD', 'UPDATE']);
  assert.equal(history[1].oldMemory, 'My dog is called Rex');
  assert.equal(history[1].newMemory, 'My dog is called Max');

  // search: filters in the body (ids inside them), top_k, threshold
  const found = await client.search('what is my dog called', { filters: { user_id: user }, topK: 5, threshold: 0 });
  assert.ok(Array.isArray(found.results));
  assert.ok(found.results.length >= 1 && found.results.length <= 3, JSON.stringify(found));
  const hit = byText(found.results, 'My dog is called Max');
  assert.equal(typeof hit.score, 'number');
  // Engram's provenance comes through the client: where each memory came from, with when
  assert.equal(hit.provenance.kind, 'edit', `the text was edited by hand: ${JSON.stringify(hit)}`);
  const teaHit = (await client.search('green tea', { filters: { user_id: user }, threshold: 0 })).results
    .find((m) => m.id === tea.id);
  assert.equal(teaHit.provenance.kind, 'add', JSON.stringify(teaHit));
  assert.deepEqual(teaHit.provenance.messages, [{ role: 'user', content: 'I love green tea and I live in Lisbon.' }]);
  assert.equal(typeof teaHit.provenance.timestamp, 'string');
  const narrowed = await client.search('tea', { filters: { AND: [{ user_id: user }, { agent_id: 'helper' }] },
    threshold: 0 });
  assert.deepEqual(narrowed.results.map((m) => m.id), [dogId]);
  const none = await client.search('stamps', { filters: { user_id: user }, threshold: 0 });
  assert.ok(!none.results.some((m) => m.memory === 'I collect stamps'), 'another Mem0 user is another scope');
  await assert.rejects(client.search('tea', { filters: { topic: 'pets' } }),
    (e) => e instanceof ValidationError && e.message.includes('at least one of user_id'));
  await assert.rejects(client.search('tea', { userId: user }), /Top-level entity parameters/);

  // users: the Mem0 ids holding memories
  const users = await client.users();
  const mine = users.results.find((u) => u.type === 'user' && u.name === user);
  assert.ok(mine, JSON.stringify(users));
  assert.equal(mine.totalMemories, 3);
  assert.ok(users.results.some((u) => u.type === 'agent' && u.name === 'helper'));
  assert.equal(users.count, users.results.length);

  // batch update and delete
  const batchUpdated = await client.batchUpdate([{ memoryId: tea.id, text: 'Loves jasmine tea' }]);
  assert.match(batchUpdated.message, /updated 1 memories/);
  assert.equal((await client.get(tea.id)).memory, 'Loves jasmine tea');
  const batchDeleted = await client.batchDelete([lisbon.id]);
  assert.match(batchDeleted.message, /deleted 1 memories/);
  await assert.rejects(client.get(lisbon.id), MemoryNotFoundError);
  // a batch naming an unknown memory changes nothing
  await assert.rejects(client.batchDelete([tea.id, '00000000-0000-4000-8000-000000000000']), MemoryNotFoundError);
  assert.equal((await client.get(tea.id)).memory, 'Loves jasmine tea');

  // export: a snapshot of the scope, found again by id or by the same filters
  const created = await client.createMemoryExport({ schema: { type: 'object' }, filters: { user_id: user } });
  assert.equal(typeof created.id, 'string');
  const exported = await client.getMemoryExport({ memoryExportId: created.id });
  assert.equal(exported.id, created.id);
  assert.deepEqual(exported.memories.map((m) => m.memory).sort(), ['Loves jasmine tea', 'My dog is called Max']);
  assert.equal((await client.getMemoryExport({ filters: { user_id: user } })).id, created.id);
  await assert.rejects(client.createMemoryExport({ schema: { type: 'object' }, filters: { topic: 'pets' } }),
    ValidationError);

  // errors come back as the client's exceptions, with the server's detail in the message
  await assert.rejects(client.add([{ role: 'user', content: 'no scope' }], { infer: false }),
    (e) => e instanceof ValidationError && e.message.includes('At least one identifier'));
  await assert.rejects(client.update(tea.id, { text: '' }), ValidationError);

  // another user's memory is not there at all
  const outsider = new MemoryClient({ apiKey: process.env.MEM0_OTHER_KEY, host });
  await assert.rejects(outsider.get(tea.id), MemoryNotFoundError);
  await assert.rejects(outsider.delete(tea.id), MemoryNotFoundError);
  assert.equal((await outsider.getAll({ filters: { user_id: user } })).count, 0);

  // delete one, delete a Mem0 user, delete all of a user
  assert.equal((await client.delete(dogId)).message, 'Memory deleted successfully!');
  await assert.rejects(client.get(dogId), MemoryNotFoundError);
  await client.deleteUsers({ userId: other });
  assert.equal((await client.getAll({ filters: { user_id: other } })).count, 0);
  await client.deleteAll({ userId: user });
  assert.equal((await client.getAll({ filters: { user_id: user } })).count, 0);

  assert.deepEqual(strays, [], 'requests to other hosts');
  console.log('ok: ping, add (infer on and off, async), getAll pages and filters, get, update, history, search, users,'
    + ' batch update/delete, delete, deleteUsers, deleteAll, errors, isolation');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
