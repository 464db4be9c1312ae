// The official Letta SDK calling methods Engram does not implement: each fails at once with a 501 APIError whose
// message names the method, and is not retried (the SDK resends a 5xx unless told not to).
// Env: LETTA_BASE_URL, LETTA_API_KEY, LETTA_AGENT_ID, LETTA_RUN_ID.
const assert = require('node:assert/strict');
const { Letta, APIError } = require('@letta-ai/letta-client');

async function main() {
  let requests = 0;
  const client = new Letta({
    baseURL: process.env.LETTA_BASE_URL,
    apiKey: process.env.LETTA_API_KEY,
    fetch: (url, init) => {
      requests++;
      return fetch(url, init);
    },
  });
  const agent = process.env.LETTA_AGENT_ID;
  const run = process.env.LETTA_RUN_ID;
  const calls = {
    'tools.search': () => client.tools.search({ query: 'memory' }),
    'messages.list': () => client.messages.list(),
    'agents.messages.compact': () => client.agents.messages.compact(agent),
    'agents.files.list': () => client.agents.files.list(agent),
    'runs.steps.list': () => client.runs.steps.list(run),
    'archives.create': () => client.archives.create({ name: 'notes' }),
    'passages.search': () => client.passages.search({ query: 'tea' }),
    'tags.list': () => client.tags.list(),
  };
  for (const [name, call] of Object.entries(calls)) {
    const before = requests;
    await assert.rejects(call(), (e) => {
      assert.ok(e instanceof APIError, `${name}: ${e}`);
      assert.equal(e.status, 501, `${name}: ${e.message}`);
      assert.ok(e.message.includes(name), `${name}: ${e.message}`);
      assert.ok(e.message.includes('Not implemented'), `${name}: ${e.message}`);
      return true;
    });
    assert.equal(requests - before, 1, `${name} was sent once, not retried`);
  }
  console.log(`ok: ${Object.keys(calls).length} methods answered 501 once each`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
