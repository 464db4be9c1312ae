// The web app in headless Chromium (driven by playwright-core) against a live Engram with the scripted model:
// sign-in, agents, a chat streaming monologue -> tool call -> return -> answer, core memory edited in place and updated
// live, archival and recall search, sources with uploads (completed and failed), Mem0 memories, reconnection after a
// server restart without duplicates, a model failure, paged history, the admin's dashboard moving with steps (and
// hidden from a user), an expired session, and a phone-sized screen.
// Env: ENGRAM_URL, ENGRAM_ADMIN, CONTROL_URL (POST /restart restarts the server on the same port), CHROMIUM,
// SCREENSHOTS (a folder). Exits non-zero on the first failed check, printing it.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE = process.env.ENGRAM_URL;
const ADMIN = process.env.ENGRAM_ADMIN;
const SHOTS = process.env.SCREENSHOTS;
const TIMEOUT = 20_000;

/** Console errors, each with the phase it happened in; network refusals are expected only in some phases. */
const consoleErrors = [];
let phase = 'start';
const NETWORK_PHASES = {
  'wrong-password': /status of 403/,
  restart: /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|WebSocket connection .* failed|status of 50\d/,
  expired: /status of 403/,
  'rename-delete': /status of 409/,
  'not-admin': /status of 403/,
};

function watch(page, label) {
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push({ phase, page: label, text: m.text() });
  });
  page.on('pageerror', (e) => consoleErrors.push({ phase, page: label, text: `uncaught: ${e.message}`, fatal: true }));
}

async function adminApi(method, p, body) {
  const res = await fetch(BASE + p, { method, headers: { Authorization: `Bearer ${ADMIN}`,
    ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${p} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
  console.log(`screenshot ${name}.png`);
}

async function signIn(page, secret) {
  await page.goto(BASE + '/');
  await page.locator('#secret').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function itemKinds(page) {
  return page.locator('.log .item').evaluateAll((els) => els.map((el) => {
    const kind = ['user', 'assistant', 'monologue', 'tool', 'notice'].find((k) => el.classList.contains(k));
    return kind;
  }));
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    context.setDefaultTimeout(TIMEOUT);
    const page = await context.newPage();
    watch(page, 'desktop');

    // sign-in: a wrong key is refused in words, the admin password gets in
    phase = 'wrong-password';
    await signIn(page, 'not-the-password');
    await page.getByText('That key or password is not valid.').waitFor();
    await shot(page, '01-sign-in');
    phase = 'sign-in';
    await page.locator('#secret').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage));
    assert.ok(!stored.includes(ADMIN), 'the password is not kept in the browser');
    console.log('ok: sign-in (wrong password refused, the password not stored)');

    // create an agent with a template persona and a human written by hand
    phase = 'create';
    await page.locator('#new-agent').click();
    const dialog = page.locator('dialog.modal');
    await dialog.locator('input[name="name"]').fill('Ada');
    await dialog.locator('select[name="human_template"]').selectOption('custom');
    await dialog.locator('textarea[name="human_text"]').fill('Name: Sam. Likes hiking.');
    await shot(page, '02-new-agent');
    await dialog.getByRole('button', { name: 'Create agent' }).click();
    await page.locator('.chat-title', { hasText: 'Ada' }).waitFor();
    await page.locator('.conn', { hasText: 'Connected' }).waitFor();
    const agents = (await adminApi('GET', '/api/agents')).agents;
    const ada = agents.find((a) => a.name === 'Ada');
    assert.ok(ada, 'the agent exists on the server');
    console.log('ok: agent created and connected');

    // a message: shown at once, then monologue, the tool call with its return, monologue, the answer, in order
    phase = 'chat';
    // a new agent's history opens with MemGPT's first exchange (a login notice, a greeting)
    const opening = await itemKinds(page);
    console.log(`the new agent's history: ${opening.join(', ')}`);
    const assistantsBefore = await page.locator('.item.assistant').count();
    await page.locator('#composer').fill('Please remember that my favourite colour is teal.');
    await page.locator('#composer').press('Enter');
    await page.locator('.item.user', { hasText: 'favourite colour is teal' }).waitFor();
    assert.equal(await page.locator('.item.assistant').count(), assistantsBefore,
      'the user message shows before any answer');
    await page.locator('.item.assistant', { hasText: 'your favourite colour is teal' }).waitFor();
    await page.locator('.thinking').waitFor({ state: 'hidden' });
    assert.deepEqual((await itemKinds(page)).slice(opening.length),
      ['user', 'monologue', 'tool', 'monologue', 'assistant']);
    const tool = page.locator('.item.tool');
    assert.match(await tool.locator('.call-name').innerText(), /core_memory_append/);
    assert.equal(await tool.locator('.badge').innerText(), 'success');
    await tool.locator('summary').click();
    assert.match(await tool.locator('.args').innerText(), /teal/);
    assert.equal(await page.locator('.item.assistant .streaming').count(), 0, 'streamed text is final');
    // the agent's memory edit shows in the side panel without a reload
    await page.waitForFunction(() => document.querySelector('textarea[data-label="human"]').value.includes('teal'));
    await shot(page, '03-chat');
    console.log('ok: chat events in order, tool call collapsible with arguments and success, block updated live');

    // edit a block in place: count against the limit, over the limit refused, saved to the server
    phase = 'edit-block';
    const persona = page.locator('textarea[data-label="persona"]');
    const limit = Number((await page.locator('.block[data-label="persona"] .count').innerText()).split('/')[1]
      .replace(/\D/g, ''));
    await persona.fill('x'.repeat(limit + 1));
    assert.ok(await page.locator('.block[data-label="persona"] .count.over').isVisible(), 'over the limit is marked');
    assert.ok(await page.locator('.block[data-label="persona"]').getByRole('button', { name: 'Save' }).isDisabled());
    await persona.fill('I am Ada, a careful assistant who writes short answers.');
    await page.locator('.block[data-label="persona"] .count', { hasText: '55 /' }).waitFor();
    await page.locator('.block[data-label="persona"]').getByRole('button', { name: 'Save' }).click();
    await page.locator('.block[data-label="persona"] .note', { hasText: 'Saved' }).waitFor();
    const saved = await adminApi('GET', `/v1/agents/${ada.id}/core-memory/blocks/persona`);
    assert.equal(saved.value, 'I am Ada, a careful assistant who writes short answers.');
    console.log('ok: block edited in place (count, limit, saved)');

    // archival memory: insert, search with scores, delete
    phase = 'archival';
    await page.locator('[data-side="archival"]').click();
    await page.locator('#archival-new').fill('The office wifi password is written on the fridge magnet.');
    await page.locator('#archival-add').click();
    await page.locator('.passage', { hasText: 'fridge magnet' }).waitFor();
    await page.locator('#archival-new').fill('Our team lunch is every Friday at noon.');
    await page.locator('#archival-add').click();
    await page.locator('.passage', { hasText: 'team lunch' }).waitFor();
    await page.locator('#archival-query').fill('wifi password');
    await page.locator('#archival-query').press('Enter');
    await page.locator('.list-head', { hasText: 'best matches' }).waitFor();
    const first = page.locator('.passages .passage').first();
    assert.match(await first.innerText(), /fridge magnet/);
    assert.match(await first.locator('.score').innerText(), /^\d+\.\d{3}$/);
    await shot(page, '04-archival');
    await page.locator('.passage', { hasText: 'team lunch' }).getByRole('button', { name: 'Delete passage' }).click();
    await page.locator('dialog.modal').getByRole('button', { name: 'Delete' }).click();
    await page.locator('.passage', { hasText: 'team lunch' }).waitFor({ state: 'detached' });
    const left = await adminApi('GET', `/api/agents/${ada.id}/archival/all`);
    assert.equal(left.archival_memory.length, 1, 'one passage left on the server');
    console.log('ok: archival insert, search with scores, delete');

    // recall search
    phase = 'recall';
    await page.locator('[data-side="recall"]').click();
    await page.locator('#recall-query').fill('teal');
    await page.locator('#recall-query').press('Enter');
    await page.locator('.recall .passage', { hasText: 'teal' }).first().waitFor();
    console.log('ok: recall search');

    // sources: create, upload (progress until completed), a bad file fails with its reason
    phase = 'sources';
    await page.locator('[data-view="sources"]').click();
    await page.locator('#source-name').fill('handbook');
    await page.getByRole('button', { name: 'Create source' }).click();
    const card = page.locator('.source[data-source="handbook"]');
    await card.waitFor();
    await card.locator('input[type="file"]').setInputFiles({ name: 'handbook.txt', mimeType: 'text/plain',
      buffer: Buffer.from('Holidays are booked in the HR portal.\n\nExpenses are filed within thirty days.\n') });
    await card.locator('.job.done', { hasText: 'completed' }).waitFor();
    await card.locator('input[type="file"]').setInputFiles({ name: 'empty.txt', mimeType: 'text/plain',
      buffer: Buffer.alloc(0) });
    await card.locator('.job.failed', { hasText: 'failed:' }).waitFor();
    assert.match(await card.locator('.source-stats').innerText(), /1 document\b/);
    await shot(page, '05-sources');
    console.log(`ok: upload completed; bad file: ${await card.locator('.job.failed .job-state').innerText()}`);

    // attach the source to the agent from its side panel
    phase = 'attach';
    await page.locator('[data-view="agents"]').click();
    await page.locator(`[data-agent-id="${ada.id}"]`).click();
    await page.locator('.conn', { hasText: 'Connected' }).waitFor();
    await page.locator('[data-side="sources"]').click();
    await page.locator('input[data-source="handbook"]').check();
    await page.locator('.toast', { hasText: 'Attached handbook' }).waitFor();
    const sources = (await adminApi('GET', '/api/sources')).sources;
    assert.ok(sources.find((s) => s.name === 'handbook').metadata_.attached_agents.some((a) => a.id === ada.id));
    console.log('ok: source attached');

    // history survives a reload of the page, without duplicates
    phase = 'reload';
    await page.reload();
    await page.locator(`[data-agent-id="${ada.id}"]`).click();
    await page.locator('.item.assistant', { hasText: 'your favourite colour is teal' }).waitFor();
    assert.deepEqual(await itemKinds(page), [...opening, 'user', 'monologue', 'tool', 'monologue', 'assistant']);
    assert.equal(await page.locator('.item.tool .badge').innerText(), 'success');
    console.log('ok: the session survives a reload, and history renders as the live chat did');

    // the server restarts: the socket reconnects by itself, nothing is lost or shown twice
    phase = 'restart';
    const restarted = await fetch(process.env.CONTROL_URL + '/restart', { method: 'POST' });
    assert.equal(restarted.status, 200, await restarted.text());
    await page.locator('.conn', { hasText: 'Connected' }).waitFor({ timeout: 60_000 });
    phase = 'after-restart';
    await page.locator('#composer').fill('Are you still there?');
    await page.locator('#send').click();
    await page.locator('.item.assistant', { hasText: 'Still here' }).waitFor();
    assert.deepEqual(await itemKinds(page),
      [...opening, 'user', 'monologue', 'tool', 'monologue', 'assistant', 'user', 'monologue', 'assistant']);
    console.log('ok: reconnected after the restart, conversation neither lost nor duplicated');

    // the model fails: the server's words are shown
    phase = 'model-error';
    await page.locator('#composer').fill('And now?');
    await page.locator('#composer').press('Enter');
    const failure = page.locator('.item.notice.error');
    await failure.waitFor();
    const failureText = await failure.innerText();
    assert.match(failureText, /\(50\d\)/);
    await page.locator('.thinking').waitFor({ state: 'hidden' });
    await shot(page, '06-model-error');
    console.log(`ok: model failure shown: ${failureText}`);

    // Mem0 memories: browse a scope, search with scores, a memory's history
    phase = 'memories';
    await adminApi('POST', '/memories', { messages: [{ role: 'user', content: 'I love green tea in the morning' }],
      user_id: 'alice', infer: false });
    await adminApi('POST', '/memories', { messages: [{ role: 'user', content: 'My bike is a red road bike' }],
      user_id: 'alice', infer: false });
    await page.locator('[data-view="memories"]').click();
    await page.locator('#scope-id').fill('alice');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('.memory', { hasText: 'green tea' }).waitFor();
    assert.equal(await page.locator('.memory').count(), 2);
    await page.locator('#memory-query').fill('what does alice drink');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('.list-head', { hasText: 'matches' }).waitFor();
    assert.match(await page.locator('.memory').first().innerText(), /green tea/);
    assert.match(await page.locator('.memory .score').first().innerText(), /^\d+\.\d{3}$/);
    await page.locator('.memory').first().getByRole('button', { name: 'History' }).click();
    await page.locator('.memory .history li', { hasText: 'ADD' }).waitFor();
    await shot(page, '07-memories');
    console.log('ok: memories browsed, searched with scores, history shown');

    // paged history: a long conversation loads page by page when scrolling up
    phase = 'paging';
    const long = await adminApi('POST', '/api/agents', { config: { name: 'Chatty' } });
    const chattyId = long.agent_state.id;
    for (let i = 1; i <= 20; i++) {
      await adminApi('POST', `/api/agents/${chattyId}/messages`, { message: `numbered message ${i}` });
    }
    await page.locator('[data-view="agents"]').click();
    await page.locator(`[data-agent-id="${chattyId}"]`).click();
    await page.locator('.item.user', { hasText: 'numbered message 20' }).waitFor();
    const firstPage = await page.locator('.log .item').count();
    const oldest = page.locator('.item.user .text').filter({ hasText: /^numbered message 1$/ });
    console.log(`first page: ${firstPage} items, oldest shown: ${await oldest.count()}, older: ${await page.locator('.older').innerText()}`);
    assert.equal(await oldest.count(), 0, 'the oldest messages are not on the first page');
    for (let i = 0; i < 10 && await page.locator('.older', { hasText: 'Beginning' }).count() === 0; i++) {
      await page.locator('.log').evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
      await page.waitForTimeout(300);
    }
    await page.locator('.older', { hasText: 'Beginning of the conversation' }).waitFor();
    assert.ok(await page.locator('.log .item').count() > firstPage, 'earlier pages loaded');
    for (let i = 1; i <= 20; i++) {
      const n = await page.locator('.item.user .text').filter({ hasText: new RegExp(`^numbered message ${i}$`) }).count();
      assert.equal(n, 1, `message ${i} shown once`);
    }
    console.log(`ok: history paged (${firstPage} items first, all ${await page.locator('.log .item').count()} after scrolling up)`);

    // rename (a taken name is refused in the server's words), delete after a confirm (cancel keeps the agent)
    phase = 'rename-delete';
    await page.locator('#rename-agent').click();
    await page.locator('dialog.modal input[name="name"]').fill('Ada');
    await page.locator('dialog.modal').getByRole('button', { name: 'Rename' }).click();
    const refusal = page.locator('.toast.error', { hasText: 'already exists' });
    await refusal.waitFor();
    console.log(`ok: a taken name is refused: ${await refusal.innerText()}`);
    await page.locator('#rename-agent').click();
    await page.locator('dialog.modal input[name="name"]').fill('Chatty Cathy');
    await page.locator('dialog.modal').getByRole('button', { name: 'Rename' }).click();
    await page.locator('.chat-title', { hasText: 'Chatty Cathy' }).waitFor();
    await page.locator(`[data-agent-id="${chattyId}"]`, { hasText: 'Chatty Cathy' }).waitFor();
    await page.locator('#delete-agent').click();
    await page.locator('dialog.modal').getByRole('button', { name: 'Cancel' }).click();
    await page.locator('dialog.modal').waitFor({ state: 'detached' });
    assert.ok((await adminApi('GET', '/api/agents')).agents.some((a) => a.id === chattyId), 'cancel keeps the agent');
    await page.locator('#delete-agent').click();
    await page.locator('dialog.modal').getByRole('button', { name: 'Delete agent' }).click();
    await page.locator(`[data-agent-id="${chattyId}"]`).waitFor({ state: 'detached' });
    assert.ok(!(await adminApi('GET', '/api/agents')).agents.some((a) => a.id === chattyId), 'the agent is deleted');
    console.log('ok: rename and delete with a confirm');

    // the admin's dashboard: live figures that move when steps run, small charts, readable on a phone
    phase = 'dashboard';
    assert.equal((await adminApi('POST', '/api/auth/token')).admin, true, 'a token of the admin password is admin');
    // a chat open in the agents view keeps its WebSocket while the dashboard is shown
    await page.locator(`[data-agent-id="${ada.id}"]`).click();
    await page.locator('.conn', { hasText: 'Connected' }).waitFor();
    await page.locator('[data-view="dashboard"]').click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('.dash-status', { hasText: 'Updated' }).waitFor();
    await page.waitForFunction(() => Number.parseInt(
      document.querySelector('[data-chart="streams"] .value[data-field="websockets"]').textContent, 10) >= 1);
    for (let i = 1; i <= 4; i++) {
      await adminApi('POST', `/api/agents/${ada.id}/messages`, { message: `dashboard step ${i}` });
    }
    const figure = (chart, field) => page.locator(`[data-chart="${chart}"] .value[data-field="${field}"]`);
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-chart="steps"] .value[data-field="steps_per_second"]');
      return v && Number.parseFloat(v.textContent) > 0;
    });
    const stepsPerSecond = await figure('steps', 'steps_per_second').innerText();
    const p50 = await figure('step-latency', 'step_p50_ms').innerText();
    const p99 = await figure('step-latency', 'step_p99_ms').innerText();
    const llm = await figure('llm-latency', 'llm_p50_ms').innerText();
    assert.match(p50, /^\d[\d.,]* (ms|s)$/, `step p50 shown: ${p50}`);
    assert.match(p99, /^\d[\d.,]* (ms|s)$/, `step p99 shown: ${p99}`);
    assert.match(llm, /^\d[\d.,]* (ms|s)$/, `LLM p50 shown: ${llm}`);
    // the steps chart has a line through at least two samples
    await page.waitForFunction(() => {
      const path = document.querySelector('[data-chart="steps"] path.series');
      return path && path.getAttribute('d').includes('L');
    });
    await page.locator('[data-chart="runs"] li[data-reason="end_turn"]').waitFor();

    await shot(page, '11-dashboard');
    console.log(`ok: dashboard live (steps/s ${stepsPerSecond}, step p50 ${p50}, p99 ${p99}, LLM p50 ${llm})`);
    // the dashboard stops asking once another view is shown
    await page.locator('[data-view="agents"]').click();
    const quiet = [];
    const listen = (r) => { if (r.url().includes('/admin/dashboard')) quiet.push(r.url()); };
    page.on('request', listen);
    await page.waitForTimeout(2500);
    page.off('request', listen);
    assert.deepEqual(quiet, [], 'no polling while the dashboard is not shown');

    // a user's key signs in to the same app without the dashboard, and cannot read it
    phase = 'not-admin';
    const someone = await adminApi('POST', '/admin/users', {});
    const userContext = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    userContext.setDefaultTimeout(TIMEOUT);
    const userPage = await userContext.newPage();
    watch(userPage, 'user');
    await signIn(userPage, someone.api_key);
    await userPage.getByRole('heading', { name: 'Agents' }).waitFor();
    assert.equal(await userPage.locator('[data-view="dashboard"]').count(), 0, 'no dashboard tab for a user');
    await userPage.goto(BASE + '/#dashboard');
    await userPage.reload();
    await userPage.getByRole('heading', { name: 'Agents' }).waitFor();
    assert.equal(await userPage.getByRole('heading', { name: 'Dashboard' }).count(), 0, 'no dashboard by its URL');
    const refused = await userPage.evaluate(async () => {
      const s = JSON.parse(sessionStorage.getItem('engram.session'));
      const res = await fetch('/admin/dashboard', { headers: { Authorization: `Bearer ${s.token}` } });
      return res.status;
    });
    assert.equal(refused, 403, "a user's token is refused on /admin/dashboard");
    await userContext.close();
    console.log('ok: a user sees no dashboard, and the server refuses their token (403)');

    // an expired token leads back to sign-in
    phase = 'expired';
    await page.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('engram.session'));
      s.token = `${s.token.slice(0, -4)}AAAA`;
      sessionStorage.setItem('engram.session', JSON.stringify(s));
    });
    await page.reload();
    await page.getByText('Your session has expired. Sign in again.').waitFor();
    console.log('ok: an expired token returns to sign-in');

    // a phone-sized screen: one pane at a time, nothing wider than the screen
    phase = 'phone';
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    phone.setDefaultTimeout(TIMEOUT);
    const small = await phone.newPage();
    watch(small, 'phone');
    await signIn(small, ADMIN);
    await small.locator(`[data-agent-id="${ada.id}"]`).waitFor();
    await shot(small, '08-phone-agents');
    await small.locator(`[data-agent-id="${ada.id}"]`).click();
    await small.locator('.item.assistant', { hasText: 'Still here' }).waitFor();
    assert.ok(!(await small.locator('.agents-pane').isVisible()), 'the agent list gives way to the chat');
    assert.ok(await small.locator('#composer').isVisible());
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
    await shot(small, '09-phone-chat');
    await small.locator('#toggle-side').click();
    await small.locator('textarea[data-label="human"]').waitFor();
    await shot(small, '10-phone-memory');
    await small.locator('.close-side').click();
    await small.locator('.back').click();
    await small.locator('.agents-pane').waitFor();
    await small.locator('[data-view="dashboard"]').click();
    await small.locator('[data-chart="steps"] path.series').first().waitFor();
    const dashOverflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(dashOverflow <= 0, `the dashboard fits the phone (${dashOverflow}px too wide)`);
    await shot(small, '12-phone-dashboard');
    console.log('ok: phone-sized layout, the dashboard included');

    const unexpected = consoleErrors.filter((e) => e.fatal || !(NETWORK_PHASES[e.phase] && NETWORK_PHASES[e.phase].test(e.text)));
    assert.deepEqual(unexpected, [], 'no console errors');
    console.log(`ok: no console errors (${consoleErrors.length} expected network refusals during sign-in, restart and expiry)`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  console.error('console errors so far:', JSON.stringify(consoleErrors, null, 2));
  process.exit(1);
});
