// The official Letta SDK against Engram: an agent's archival memory (create, list, search, delete), and a folder with
// an uploaded file polled to completed, listed, attached to the agent (then found by its archival search), deleted.
// Env: LETTA_BASE_URL, LETTA_API_KEY, AGENT_ID (an agent of that user, created over /api).
const assert = require('node:assert/strict');
const { Letta, NotFoundError, toFile } = require('@letta-ai/letta-client');

const GUIDE = 'The north gate closes at ten in the evening.\n\n'
  + 'Night visitors ring the bell by the blue door and wait for the porter.';

async function poll(client, fileId, folderId) {
  for (let i = 0; i < 600; i++) {
    const file = await client.folders.files.retrieve(fileId, { folder_id: folderId });
    assert.ok(['pending', 'parsing', 'embedding', 'completed', 'error'].includes(file.processing_status),
      `status ${file.processing_status}`);
    if (file.processing_status === 'completed' || file.processing_status === 'error') {
      return file;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`file ${fileId} was not processed`);
}

async function main() {
  const client = new Letta({ baseURL: process.env.LETTA_BASE_URL, apiKey: process.env.LETTA_API_KEY });
  const agentId = process.env.AGENT_ID;

  // archival memory
  const created = await client.agents.passages.create(agentId, {
    text: 'The spare key to the boathouse hangs behind the calendar.', tags: ['house'],
  });
  assert.ok(Array.isArray(created) && created.length === 1, 'create answers an array of passages');
  assert.ok(created[0].id.startsWith('passage-'), created[0].id);
  assert.deepEqual(created[0].tags, ['house']);
  const listed = await client.agents.passages.list(agentId, { limit: 10 });
  assert.ok(listed.some((p) => p.id === created[0].id), 'listed');
  const found = await client.agents.passages.search(agentId, { query: 'where is the boathouse key', top_k: 3, tags: ['house'] });
  assert.equal(found.count, 1);
  assert.equal(found.results[0].id, created[0].id);
  assert.equal(typeof found.results[0].timestamp, 'string');
  await client.agents.passages.delete(created[0].id, { agent_id: agentId });
  assert.equal((await client.agents.passages.list(agentId)).length, 0, 'deleted');

  // a folder and a file
  const folder = await client.folders.create({ name: 'sdk-guide', description: 'gate rules' });
  assert.ok(folder.id.startsWith('source-'), folder.id);
  assert.equal(typeof folder.embedding_config.embedding_dim, 'number');
  const uploaded = await client.folders.files.upload(folder.id, { file: await toFile(Buffer.from(GUIDE), 'gate.md') });
  assert.ok(uploaded.id.startsWith('file-'), uploaded.id);
  assert.equal(uploaded.source_id, folder.id);
  const done = await poll(client, uploaded.id, folder.id);
  assert.equal(done.processing_status, 'completed', JSON.stringify(done));
  assert.equal(done.chunks_embedded, done.total_chunks);

  const files = [];
  for await (const file of client.folders.files.list(folder.id)) {
    files.push(file);
  }
  assert.deepEqual(files.map((f) => f.id), [uploaded.id]);
  const folders = [];
  for await (const f of client.folders.list()) {
    folders.push(f.id);
  }
  assert.deepEqual(folders, [folder.id]);

  await client.agents.folders.attach(folder.id, { agent_id: agentId });
  assert.deepEqual(await client.folders.agents.list(folder.id), [agentId]);
  const attached = await client.agents.folders.list(agentId);
  assert.deepEqual(attached.items.map((f) => f.id), [folder.id]);
  const gate = await client.agents.passages.search(agentId, { query: 'when does the north gate close' });
  assert.ok(gate.count >= 1 && gate.results[0].content.includes('north gate'), JSON.stringify(gate));
  await client.agents.folders.detach(folder.id, { agent_id: agentId });

  await client.folders.files.delete(uploaded.id, { folder_id: folder.id });
  await assert.rejects(client.folders.files.retrieve(uploaded.id, { folder_id: folder.id }), NotFoundError);
  await client.folders.delete(folder.id);
  await assert.rejects(client.folders.retrieve(folder.id), NotFoundError);
  console.log('ok: archival create/list/search/delete, folder, upload polled to completed, files, attach, delete');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
