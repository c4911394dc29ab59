// Drives the console in Debian's Chromium against a running ConsoleDemo server (see scripts/console-browser-test).
// Env: CONSOLE_DEMO_INFO (the demo's JSON: url and invocation ids), EXTSVC_ADMIN_TOKEN, SCREENSHOTS (folder).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const info = JSON.parse(readFileSync(process.env.CONSOLE_DEMO_INFO, 'utf8'));
const token = process.env.EXTSVC_ADMIN_TOKEN;
const shots = process.env.SCREENSHOTS ?? 'target/screenshots';
mkdirSync(shots, { recursive: true });

let browser;
let page;
const dialogs = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  page = await context.newPage();
  // Any alert means markup from a callback ran as script.
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
});

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });

test('the console asks for the admin token, refuses a wrong one and accepts the right one', async () => {
  const res = await page.goto(`${info.url}/console`);
  assert.equal(res.status(), 401);
  await page.fill('#token', 'wrong');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.flash-bad'), /not right/);
  await shot('01-login');
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForURL(`${info.url}/console`);
  assert.equal(await page.locator('h1').first().textContent(), 'Overview');
});

test('the overview shows counts, the chart, failures and invocations about to time out', async () => {
  await page.goto(`${info.url}/console`);
  const stats = await page.locator('.stats').textContent();
  for (const status of ['PENDING', 'COMPLETED', 'TIMED_OUT', 'CANCELLED']) {
    assert.match(stats, new RegExp(status));
  }
  assert.ok(await page.locator('svg.chart rect.bar-submitted').count() >= 60);
  assert.match(await page.textContent('body'), /applicationOutcomeApproved/);
  assert.ok(await page.locator(`a[href="/console/invocations/${info.dueSoon}"]`).count() > 0);
  // the handler's error in full, wrapped, without the exception's class in front ("java.lan…")
  const error = (await page.locator('td.error-text').first().textContent()).trim();
  assert.match(error, /failed on applicationOutcomeApproved: database is down$/);
  assert.doesNotMatch(error, /java\.lang/);
  assert.match(await page.locator('td.error-text').first().getAttribute('title'), /: java\.lang\.IllegalStateException: database is down$/);
  assert.match(await page.locator('td[title]').first().getAttribute('title'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  await shot('02-overview');
});

test('the list shows invocations in every status and filters by status', async () => {
  await page.goto(`${info.url}/console/invocations`);
  const statuses = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.status));
  assert.ok(statuses.length >= 15, `rows: ${statuses.length}`);
  for (const s of ['PENDING', 'COMPLETED', 'TIMED_OUT', 'CANCELLED']) {
    assert.ok(statuses.includes(s), `no ${s} in ${statuses}`);
  }
  await shot('03-invocations');

  await page.selectOption('select[name=status]', 'COMPLETED');
  await page.click('.filters button[type=submit]');
  await page.waitForURL(/status=COMPLETED/);
  const filtered = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.status));
  assert.ok(filtered.length > 0);
  assert.deepEqual([...new Set(filtered)], ['COMPLETED']);
  await shot('04-invocations-completed');
});

test('the list shows each invocation\'s business values and its absolute times on hover', async () => {
  await page.goto(`${info.url}/console/invocations`);
  const row = page.locator('tbody tr', { has: page.locator(`a[href="/console/invocations/${info.completed}"]`) });
  assert.match(await row.locator('td.values').textContent(), /applicationNumber\s+A-2001/);
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
  assert.match(await row.locator('span.submitted').getAttribute('title'), iso);
  assert.match(await row.locator('span.submitted').textContent(), /ago$/);
  assert.match(await row.locator('.last-event .ev').getAttribute('title'), iso);
});

// Every page of the list from where the browser is, by its Next links: [{ id, status, deadline }].
const allPages = async () => {
  const rows = [];
  for (;;) {
    rows.push(...await page.locator('tbody tr').evaluateAll((trs) => trs.map((r) => ({ ...r.dataset }))));
    const next = page.locator('#live .pager a.next');
    if (await next.count() === 0) {
      return rows;
    }
    await next.click();
    await page.waitForLoadState('domcontentloaded');
  }
};

test('the columns sort the whole list by a link in their header, across pages, both ways', async () => {
  await page.goto(`${info.url}/console/invocations`);
  assert.equal(await page.getAttribute('th[data-sort=submitted]', 'aria-sort'), 'descending');
  const newestFirst = await allPages();
  assert.ok(newestFirst.length > 50, `rows: ${newestFirst.length}`);

  await page.goto(`${info.url}/console/invocations`);
  await page.click('th[data-sort=deadline] a');
  await page.waitForURL(/sort=deadline&order=asc/);
  assert.equal(await page.getAttribute('th[data-sort=deadline]', 'aria-sort'), 'ascending');
  await shot('04b-invocations-by-deadline');
  const ascending = await allPages();
  assert.match(page.url(), /sort=deadline&order=asc&page=/);
  assert.equal(await page.getAttribute('th[data-sort=deadline]', 'aria-sort'), 'ascending', 'the order is kept by the pager');
  const times = ascending.map((r) => Date.parse(r.deadline));
  assert.deepEqual(times, [...times].sort((a, b) => a - b), 'deadlines ascend across pages');
  assert.equal(new Set(ascending.map((r) => r.id)).size, ascending.length, 'no row twice');
  assert.deepEqual([...ascending.map((r) => r.id)].sort(), [...newestFirst.map((r) => r.id)].sort(), 'every row once');

  // back by Previous: the first page again, as it was
  const firstPage = ascending.slice(0, 50).map((r) => r.id);
  while (await page.locator('#live .pager a.previous').count() > 0) {
    await page.click('#live .pager a.previous');
    await page.waitForLoadState('domcontentloaded');
  }
  assert.deepEqual(await page.locator('tbody tr').evaluateAll((trs) => trs.map((r) => r.dataset.id)), firstPage);

  await page.click('th[data-sort=deadline] a');
  await page.waitForURL(/sort=deadline&order=desc/);
  const descending = await allPages();
  assert.deepEqual(descending.map((r) => r.id), ascending.map((r) => r.id).reverse(), 'descending is ascending reversed (ties by id both ways)');

  await page.goto(`${info.url}/console/invocations`);
  await page.click('th[data-sort=status] a');
  await page.waitForURL(/sort=status&order=asc/);
  const statuses = (await allPages()).map((r) => r.status);
  assert.deepEqual(statuses, [...statuses].sort());
});

test('the list shows an invocation completing without a reload, keeping its order', async () => {
  await page.goto(`${info.url}/console/invocations?sort=deadline&order=asc`);
  const row = () => page.locator(`tbody tr[data-id="${info.liveList}"]`);
  assert.equal(await row().getAttribute('data-status'), 'PENDING');
  await page.evaluate(() => { window.stillTheSamePage = true; });
  const answer = await fetch(info.liveListCallbackUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ applicationNumber: 'A-3002', status: 'approved', approvedAmount: 99000 }),
  });
  assert.equal(answer.status, 200);
  await page.waitForFunction((id) => document.querySelector(`tbody tr[data-id="${id}"]`)?.dataset.status === 'COMPLETED', info.liveList, { timeout: 20000 });
  assert.equal(await page.evaluate(() => window.stillTheSamePage), true, 'the page was reloaded');
  assert.match(page.url(), /sort=deadline&order=asc/);
  assert.equal(await page.getAttribute('th[data-sort=deadline]', 'aria-sort'), 'ascending');
  await shot('04c-invocations-live');
});

test('the nodes view shows this node alive with what it holds', async () => {
  await page.goto(`${info.url}/console/nodes`);
  assert.equal(await page.locator('h1').first().textContent(), 'Nodes');
  const nodes = page.locator('tr.node');
  assert.equal(await nodes.count(), 1, 'SQLite: one node');
  assert.equal(await nodes.first().getAttribute('data-alive'), 'true');
  assert.match(await nodes.first().textContent(), /\(this node\)[\s\S]*ALIVE[\s\S]*\d+\s+leases?/);
  assert.match(await nodes.first().locator('.heartbeat').getAttribute('title'), /^\d{4}-\d\d-\d\dT/);
  await shot('09a-nodes');
});

// The demo's applicant Alice (ConsoleDemo: request body applicant.name) got application number A-2001 in the bank's
// synchronous answer; her invocation is info.completed. Both are found through the list's Search field.
test('the search field finds the demo\'s invocation by its application number and by the applicant\'s name', async () => {
  for (const q of ['A-2001', 'Alice', 'alice']) {
    await page.goto(`${info.url}/console/invocations`);
    await page.fill('input[name=q]', q);
    await page.click('.filters button[type=submit]');
    await page.waitForURL(/[?&]q=/);
    const ids = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.id));
    assert.deepEqual(ids, [info.completed], `search "${q}": ${ids}`);
    assert.equal(await page.inputValue('input[name=q]'), q, 'the field keeps what was searched');
  }
  await shot('04d-invocations-search');
  await page.goto(`${info.url}/console/invocations`);
  await page.fill('input[name=q]', 'Zebedee');
  await page.click('.filters button[type=submit]');
  await page.waitForURL(/[?&]q=Zebedee/);
  assert.equal(await page.locator('tbody tr[data-id]').count(), 0, 'a name nobody sent finds nothing');
});

test('the early callbacks view, linked from the overview, lists held and dead ones and replays a dead one', async () => {
  await page.goto(`${info.url}/console`);
  assert.match(await page.textContent('.early-link'), /1 held[\s\S]*1 dead/);
  await page.click('.early-link a[href="/console/early-callbacks"]');
  await page.waitForURL(`${info.url}/console/early-callbacks`);
  const dead = page.locator(`tr[data-early="${info.earlyDead}"]`);
  assert.equal(await dead.getAttribute('data-status'), 'DEAD');
  assert.match(await dead.textContent(), /Calls[\s\S]*answered[\s\S]*v3:dead-demo[\s\S]*DEAD[\s\S]*dead since/);
  assert.equal(await page.locator(`tr[data-early="${info.earlyHeld}"]`).getAttribute('data-status'), 'HELD');
  assert.doesNotMatch(await page.content(), /call\.answered/, 'a body is shown');
  await shot('09b-early-callbacks');
  await dead.locator('button').click();
  await page.waitForURL(/done=replay-202/);
  assert.equal(await page.locator(`tr[data-early="${info.earlyDead}"]`).getAttribute('data-status'), 'HELD');
  assert.match(await page.textContent('.flash'), /Held again for/);
});

test('searching by id opens the invocation', async () => {
  await page.goto(`${info.url}/console/invocations`);
  await page.fill('input[name=id]', info.completed);
  await page.click('.search button');
  await page.waitForURL(`${info.url}/console/invocations/${info.completed}`);
});

test('the detail shows the request with masked callback URLs, the callback and the timeline', async () => {
  await page.goto(`${info.url}/console/invocations/${info.completed}`);
  assert.equal((await page.textContent('#status')).trim(), 'COMPLETED');
  const request = await page.textContent('#request');
  assert.match(request, /callbacks\/\{token sha256:[0-9a-f]{8}\}/);
  const html = await page.content();
  assert.doesNotMatch(html, /\/callbacks\/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/, 'a live callback token is shown');
  assert.equal(await page.locator('article.callback').count(), 1);
  assert.match(await page.textContent('article.callback'), /applicationOutcomeApproved[\s\S]*HANDLED[\s\S]*350000/);
  const kinds = await page.locator('#timeline .ev').allTextContents();
  assert.ok(kinds.includes('SUBMITTED') || kinds.length > 3, `timeline: ${kinds}`);
  assert.ok(kinds.includes('CALLBACK_RECEIVED') && kinds.includes('COMPLETED'), `timeline: ${kinds}`);
  assert.match(await page.locator('#timeline .delta').nth(1).textContent(), /^\+/);
  await shot('05-invocation-completed');
});

test('markup from a callback is shown as text and never runs', async () => {
  await page.goto(`${info.url}/console/invocations/${info.xss}`);
  const text = await page.textContent('article.callback');
  assert.ok(text.includes('<img src=x onerror=alert(1)>'), 'the markup is shown as text');
  assert.equal(await page.locator('article.callback img').count(), 0);
  assert.equal(await page.locator('article.callback script').count(), 0);
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, []);
  await shot('06-invocation-escaped');
});

test('a failed callback runs again from the detail page', async () => {
  await page.goto(`${info.url}/console/invocations/${info.failed}`);
  assert.match(await page.textContent('article.callback'), /FAILED[\s\S]*database is down/);
  await shot('07-invocation-failed');
  await page.click('button.retry');
  await page.waitForURL(/done=retry-200/);
  assert.equal((await page.textContent('#status')).trim(), 'COMPLETED');
  assert.match(await page.textContent('article.callback'), /HANDLED/);
  assert.ok((await page.locator('#timeline .ev').allTextContents()).includes('CALLBACK_RETRY'));
});

test('a refresh of a pending invocation keeps what is typed in its forms', async () => {
  await page.goto(`${info.url}/console/invocations/${info.pending}`);
  await page.evaluate(() => { document.getElementById('live').beforeTheRefresh = true; });
  await page.fill('input[name=reason]', 'Typed before the refresh');
  const refreshed = page.waitForResponse((r) => r.request().headers()['hx-request'] === 'true');
  await page.evaluate(() => document.dispatchEvent(new CustomEvent('extsvc:visible')));
  await refreshed;
  // the section was replaced by the server's copy, and the form in it was kept as it was
  await page.waitForFunction(() => document.getElementById('live').beforeTheRefresh === undefined);
  assert.equal(await page.inputValue('input[name=reason]'), 'Typed before the refresh');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'reason');
});

test('cancel moves a pending invocation to CANCELLED', async () => {
  await page.goto(`${info.url}/console/invocations/${info.pending}`);
  assert.equal((await page.textContent('#status')).trim(), 'PENDING');
  await page.fill('input[name=reason]', 'Cancelled by the browser test');
  await page.click('#cancel');
  await page.waitForURL(/done=cancelled/);
  assert.equal((await page.textContent('#status')).trim(), 'CANCELLED');
  assert.match(await page.textContent('.facts'), /Cancelled by the browser test/);
  assert.equal(await page.locator('#cancel').count(), 0);
  await shot('08-invocation-cancelled');
});

test('the detail page of a pending invocation shows its completion without a reload', async () => {
  await page.goto(`${info.url}/console/invocations/${info.live}`);
  assert.equal((await page.textContent('#status')).trim(), 'PENDING');
  await page.evaluate(() => { window.stillTheSamePage = true; });
  const answer = await fetch(info.liveCallbackUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ applicationNumber: 'A-3001', status: 'approved', approvedAmount: 420000 }),
  });
  assert.equal(answer.status, 200);
  await page.waitForFunction(() => document.getElementById('status')?.textContent.trim() === 'COMPLETED', null, { timeout: 20000 });
  assert.equal(await page.evaluate(() => window.stillTheSamePage), true, 'the page was reloaded');
  assert.match(await page.textContent('article.callback'), /applicationOutcomeApproved[\s\S]*HANDLED[\s\S]*420000/);
  const kinds = await page.locator('#timeline .ev').allTextContents();
  assert.ok(kinds.includes('CALLBACK_RECEIVED') && kinds.includes('HANDLER_OK') && kinds.includes('COMPLETED'), `timeline: ${kinds}`);
  // final: the page stops asking
  assert.equal(await page.locator('#live[hx-trigger]').count(), 0);
  await shot('08b-invocation-live-completed');
});

test('the services page shows operations, callback keys and where each URL is written', async () => {
  await page.goto(`${info.url}/console/services`);
  const body = await page.textContent('main');
  assert.match(body, /Acme Mortgages/);
  assert.match(body, /applicationOutcomeApproved/);
  assert.match(body, /callbackUrlForErrorCases/);
  assert.match(body, /Registration report/);
  await shot('09-services');
});

test('the services page registers a pasted spec and shows the report of a bad one', async () => {
  await page.goto(`${info.url}/console/services`);
  await page.fill('#document', '{"openapi":"3.0.3","info":{"title":"Broken"');
  await page.click('#register-form button[type=submit]');
  await page.waitForSelector('#refused');
  assert.ok(await page.locator('.report li').count() > 0);
  await shot('10-services-refused');
});
