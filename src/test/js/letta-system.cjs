// The official Letta SDK against Engram: health, models and embedding models, and a foreign id (404).
// Env: LETTA_BASE_URL, LETTA_API_KEY.
const assert = require('node:assert/strict');
const { Letta, NotFoundError } = require('@letta-ai/letta-client');

async function main() {
  const client = new Letta({ baseURL: process.env.LETTA_BASE_URL, apiKey: process.env.LETTA_API_KEY });
  const health = await client.health();
  assert.equal(health.status, 'ok');
  assert.equal(typeof health.version, 'string');

  const models = await client.models.list();
  assert.ok(Array.isArray(models) && models.length >= 1, 'models is a non-empty array');
  assert.ok(models[0].handle.startsWith('openai/'), `handle ${models[0].handle}`);
  assert.equal(typeof models[0].context_window, 'number');

  const embeddings = await client.models.embeddings.list();
  assert.ok(embeddings.length >= 1);
  assert.equal(typeof embeddings[0].embedding_dim, 'number');
  assert.ok(embeddings[0].handle.includes('/'));

  await assert.rejects(client.agents.retrieve('agent-00000000-0000-4000-8000-000000000000'), NotFoundError);
  console.log('ok: health, models, embedding models, 404');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
