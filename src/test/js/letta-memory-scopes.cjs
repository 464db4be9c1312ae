// The official Letta SDK against Engram: an agent with a Mem0 scope attached (over HTTP: the SDK has no call for it)
// finds the scope's memory with its archival search and lists it with its passages, marked as a Mem0 memory.
// Env: LETTA_BASE_URL, LETTA_API_KEY, AGENT_ID (agent-…), MEMORY_ID and FACT (the memory added through Mem0).
const assert = require('node:assert/strict');
const { Letta } = require('@letta-ai/letta-client');

async function main() {
  const client = new Letta({ baseURL: process.env.LETTA_BASE_URL, apiKey: process.env.LETTA_API_KEY });
  const agentId = process.env.AGENT_ID;
  const memoryId = process.env.MEMORY_ID;

  const found = await client.agents.passages.search(agentId, { query: 'which tea does Ada like', top_k: 5 });
  const hit = found.results.find((r) => r.id === memoryId);
  assert.ok(hit, `the Mem0 memory is a search result: ${JSON.stringify(found)}`);
  assert.equal(hit.content, process.env.FACT);
  assert.equal(typeof hit.timestamp, 'string');
  assert.equal(hit.provenance.kind, 'mem0');
  assert.equal(hit.provenance.origin.kind, 'add');

  const listed = await client.agents.passages.list(agentId, { limit: 10 });
  const item = listed.find((p) => p.id === memoryId);
  assert.ok(item, `the Mem0 memory is listed: ${JSON.stringify(listed)}`);
  assert.equal(item.text, process.env.FACT);
  assert.deepEqual(item.tags, []);
  console.log('ok: the attached scope\'s memory found by passages.search and listed by passages.list');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
