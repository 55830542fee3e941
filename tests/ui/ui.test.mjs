// The status page in Debian's chromium, driven by playwright-core; called by
// tests/ui/run with a running `tend run` that serves the example projects.
//   node ui.test.mjs URL TOKEN_FILE TEND_LOG ARTIFACT_DIR CHROMIUM
// One line per check; ends with "N passed, M failed".
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const [url, tokenFile, tendLog, artifacts, executablePath, configRepo] = process.argv.slice(2);
const token = readFileSync(tokenFile, 'utf8').trim();
const projects = ['astro-mixed', 'bio-imaging', 'chem-any', 'hpc-cpu', 'llm-h100', 'platform',
  'vision-a100'];
const XSS_FIELD = '<script>alert("xss")</script>';
let passed = 0, failed = 0;

async function check(name, fn) {
  try {
    await fn();
    console.log(`PASS ${name}`);
    passed++;
  } catch (e) {
    let where = '';
    try {
      where = `\n  at ${page.url()} (${await page.textContent('#live')}), rows ${await rowNames(page)}`;
    } catch (_) { /* the page is gone */ }
    console.log(`FAIL ${name}\n  ${String(e && e.message || e).split('\n').join('\n  ')}${where}`);
    failed++;
  }
}
function expect(cond, msg) { if (!cond) throw new Error(msg); }
function same(actual, expected, what) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}
const rowNames = page => page.$$eval('#projects tbody tr', rs => rs.map(r => r.dataset.name));
const status = async () => (await fetch(`${url}/api/v1/status`)).json();

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const laptop = await browser.newContext({ viewport: { width: 1280, height: 860 } });
const page = await laptop.newPage();
const cspErrors = [];
// the deliberate unauthorised requests below log 401s; anything else is a fault
page.on('console', m => {
  if (m.type() === 'error' && !/status of 401/.test(m.text())) cspErrors.push(m.text());
});
page.on('pageerror', e => cspErrors.push(String(e)));

await check('overview lists every example project as Synced and Healthy', async () => {
  const resp = await page.goto(url + '/');
  same(resp.status(), 200, 'status');
  same(await rowNames(page), projects, 'rows');
  const cells = await page.$$eval('#projects tbody tr', rs => rs.map(r =>
    [r.querySelector('[data-col=status]').textContent, r.querySelector('[data-col=health]').textContent]));
  expect(cells.every(([s, h]) => s === 'Synced' && h === 'Healthy'), `cells: ${JSON.stringify(cells)}`);
  const st = await status();
  const objects = await page.$$eval('#projects [data-col=objects]', cs => cs.map(c => Number(c.textContent)));
  same(objects, projects.map(n => st.projects.find(p => p.name === n).objects.total), 'objects column');
  const source = await page.textContent('.source');
  expect(source.includes(st.source.revision.slice(0, 7)), 'short sha missing');
  expect(source.includes('Six tenant projects and the platform'), 'subject missing');
  expect(source.includes('Ada Admin') && source.includes('leader'), 'author or leader missing');
  expect((await page.textContent('.counts')).includes('Synced 7'), 'count of Synced projects');
  await page.screenshot({ path: `${artifacts}/overview.png`, fullPage: true });
});

await check('security headers: CSP without inline script, nosniff, no framing', async () => {
  const resp = await page.request.get(url + '/');
  const h = resp.headers();
  expect(/script-src 'self'/.test(h['content-security-policy']) &&
    !/unsafe-inline/.test(h['content-security-policy']), `CSP: ${h['content-security-policy']}`);
  expect(/frame-ancestors 'none'/.test(h['content-security-policy']), 'frame-ancestors');
  same(h['x-content-type-options'], 'nosniff', 'X-Content-Type-Options');
});

await check('filter as you type, without a reload', async () => {
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.fill('#filter-q', 'CPU');
  await until('the filtered table', async () =>
    JSON.stringify(await rowNames(page)) === JSON.stringify(['hpc-cpu']));
  expect(page.url().endsWith('/?q=CPU'), `URL ${page.url()}`);
  expect(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
  await page.fill('#filter-q', '');
  await until('all rows back', async () => (await rowNames(page)).length === 7);
});

await check('sort by objects, then descending, from the column headers', async () => {
  await page.click('th[data-sort=objects] a');
  await until('sorted ascending', async () => page.url().includes('sort=objects'));
  const st = await status();
  const count = n => st.projects.find(p => p.name === n).objects.total;
  const asc = [...projects].sort((a, b) => count(a) - count(b) || a.localeCompare(b));
  await until('ascending rows', async () => JSON.stringify(await rowNames(page)) === JSON.stringify(asc));
  await page.click('th[data-sort=objects] a');
  const desc = [...projects].sort((a, b) => count(b) - count(a) || a.localeCompare(b));
  await until('descending rows', async () => JSON.stringify(await rowNames(page)) === JSON.stringify(desc));
  expect(page.url().includes('order=desc'), `URL ${page.url()}`);
  expect(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
});

await check('project view: objects, add-ons and grants from project.yaml', async () => {
  await page.goto(url + '/projects/vision-a100');
  const objects = await page.$$eval('#objects tbody tr', rs => rs.map(r =>
    [...r.querySelectorAll('td')].slice(0, 3).map(td => td.textContent).join(' ')));
  expect(objects.includes('Namespace — vision'), `objects: ${objects}`);
  expect(objects.includes('ResourceQuota vision compute'), `objects: ${objects}`);
  expect(objects.includes('LocalQueue vision gpu-a100'), `objects: ${objects}`);
  const grants = await page.textContent('#grants');
  expect(grants.includes('exec-debug') && grants.includes('2026-12-31') &&
    grants.includes('Nsight profiling'), `grants: ${grants}`);
  expect(grants.includes('gpu-a100') && grants.includes('not needed'), `grants: ${grants}`);
});

await check('drift made with kubectl appears as a reverted event, live, without a reload', async () => {
  await page.evaluate(() => { window.__sameDocument = true; });
  execFileSync('kubectl', ['label', '--overwrite', 'namespace', 'vision',
    'policy.tend.dev/enforce=true'], { stdio: 'pipe' });
  await until('the drift event', async () => {
    const text = await page.textContent('#main');
    return text.includes('drift reverted') && text.includes('Namespace/vision');
  }, 15000);
  const row = await page.$$eval('#events tbody tr', rs => rs.map(r => r.textContent)
    .find(t => t.includes('drift reverted')));
  expect(row.includes('Namespace/vision') && row.includes('field .metadata.labels.policy.tend.dev/enforce') &&
    row.includes('by kubectl-label'), `event row: ${row}`);
  expect(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
  const label = execFileSync('kubectl', ['get', 'namespace', 'vision', '-o',
    'jsonpath={.metadata.labels.policy\\.tend\\.dev/enforce}']).toString();
  same(label, 'false', 'label after the revert');
  await page.screenshot({ path: `${artifacts}/project.png`, fullPage: true });
  await page.goto(url + '/?sort=drift&order=desc');
  same((await rowNames(page))[0], 'vision-a100', 'first row by drift reverts');
  same(await page.textContent('tr[data-name=vision-a100] [data-col=drift]'), '1', 'drift reverts (1 h)');
});

await check('actions are hidden and refused without the token', async () => {
  await page.goto(url + '/projects/vision-a100');
  same(await page.$$eval('button.action', bs => bs.filter(b => !b.hidden).length), 0, 'visible buttons');
  const codes = await page.evaluate(async () => {
    const a = await fetch('/api/v1/projects/vision-a100/sync', { method: 'POST' });
    const b = await fetch('/api/v1/source/refresh', { method: 'POST',
      headers: { Authorization: 'Bearer wrong-token-wrong-token' } });
    return [a.status, b.status];
  });
  same(codes, [401, 401], 'status codes');
  const other = await page.request.post(url + '/api/v1/source/refresh', {
    headers: { Authorization: `Bearer ${token}`, 'Sec-Fetch-Site': 'cross-site' } });
  same(other.status(), 403, 'cross-site request with the token');
  expect(!readFileSync(tendLog, 'utf8').includes('sync requested from the status page'),
    'a refused request reached the daemon');
});

await check('with the token pasted, "Sync now" and "Refresh source" work', async () => {
  await page.click('details.token summary');
  await page.fill('#token', token);
  await page.click('#token-form button[type=submit]');
  const sync = page.locator('#sync-status button.action');
  await sync.waitFor({ state: 'visible' });
  same(await page.evaluate(k => sessionStorage.getItem(k) !== null, 'tend-action-token'), true,
    'token in sessionStorage');
  await sync.click();
  await page.locator('.flash', { hasText: 'sync of vision-a100 scheduled' }).waitFor();
  await until('the daemon log line', async () =>
    /"?project"?[=:]"?vision-a100.*sync requested from the status page|sync requested from the status page/
      .test(readFileSync(tendLog, 'utf8')));
  // A commit that breaks chem-any with a hostile field name; the poll interval
  // is long, so only "Refresh source" brings it in.
  const kfile = `${configRepo}/projects/chem-any/kustomization.yaml`;
  writeFileSync(kfile, readFileSync(kfile, 'utf8') + XSS_FIELD + ': 1\n');
  execFileSync('git', ['-C', configRepo, 'commit', '-qam', 'chem-any: <img src=x onerror=alert(7)>']);
  execFileSync('git', ['-C', configRepo, 'push', '-q', 'origin', 'main']);
  await page.goto(url + '/');
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.locator('button.action', { hasText: 'Refresh source' }).click();
  await page.locator('.flash', { hasText: 'fetch scheduled' }).waitFor();
  await until('chem-any Failed on the overview, live', async () =>
    (await page.textContent('tr[data-name=chem-any] [data-col=status]')).startsWith('Failed'), 10000);
  expect(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
  expect(await page.evaluate(() => document.cookie === ''), 'the page set a cookie');
});

await check('a <script> in a commit and an error is shown as text, never run', async () => {
  const dialogs = [];
  page.on('dialog', d => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(url + '/?status=Failed');
  same(await rowNames(page), ['chem-any'], 'rows filtered by Failed');
  const subject = await page.textContent('.source');
  expect(subject.includes('chem-any: <img src=x onerror=alert(7)>'), `subject: ${subject}`);
  await page.goto(url + '/projects/chem-any');
  const error = await page.textContent('#last-error');
  expect(error.includes(XSS_FIELD), `last error: ${error}`);
  same(await page.$$eval('#main script, #main img[src=x]', els => els.length), 0, 'injected elements');
  await new Promise(r => setTimeout(r, 500));
  same(dialogs, [], 'alerts');
});

await check('an object in the way: a conflict with its live -> Git diff, hostile data as text', async () => {
  const dialogs = [];
  page.on('dialog', d => { dialogs.push(d.message()); d.dismiss(); });
  const ns = (await status()).projects.find(p => p.name === 'hpc-cpu').namespace;
  execFileSync('kubectl', ['create', 'configmap', 'made-by-hand', '-n', ns,
    '--from-literal=mode=<script>alert(9)</script>'], { stdio: 'pipe' });
  const dir = `${configRepo}/projects/hpc-cpu`;
  writeFileSync(`${dir}/made-by-hand.yaml`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: made-by-hand\n  namespace: ${ns}\ndata:\n  mode: ours\n`);
  const kfile = `${dir}/kustomization.yaml`;
  writeFileSync(kfile, readFileSync(kfile, 'utf8').replace('resources:\n', 'resources:\n- made-by-hand.yaml\n'));
  execFileSync('git', ['-C', configRepo, 'add', '-A']);
  execFileSync('git', ['-C', configRepo, 'commit', '-qm', 'hpc-cpu: a ConfigMap someone made by hand']);
  execFileSync('git', ['-C', configRepo, 'push', '-q', 'origin', 'main']);
  const refresh = await page.request.post(url + '/api/v1/source/refresh', {
    headers: { Authorization: `Bearer ${token}` } });
  same(refresh.status(), 202, 'refresh');
  await until('hpc-cpu Failed with a diff in the status', async () => {
    const p = (await status()).projects.find(q => q.name === 'hpc-cpu');
    return p.syncStatus === 'Failed' && (p.resources || []).some(r => r.name === 'made-by-hand' && r.diff);
  }, 20000);
  await page.goto(url + '/projects/hpc-cpu');
  const diff = await page.textContent('#diffs');
  expect(diff.includes(`ConfigMap:${ns}/made-by-hand (live)`) && diff.includes(`ConfigMap:${ns}/made-by-hand (git)`),
    `diff labels: ${diff}`);
  expect(diff.includes('-  mode: <script>alert(9)</script>') && diff.includes('+  mode: ours'), `diff: ${diff}`);
  same(await page.$$eval('#main script', els => els.length), 0, 'injected elements');
  same(await page.textContent('#diffs .del:has-text("mode")'), '-  mode: <script>alert(9)</script>', 'live line');
  await new Promise(r => setTimeout(r, 500));
  same(dialogs, [], 'alerts');
  same(execFileSync('kubectl', ['get', 'configmap', 'made-by-hand', '-n', ns, '-o',
    'jsonpath={.data.mode}']).toString(), '<script>alert(9)</script>', 'the object in the way is left as it is');
  await page.screenshot({ path: `${artifacts}/conflict.png`, fullPage: true });
});

await check('the page renders and filters with JavaScript disabled', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 860 } });
  const p = await ctx.newPage();
  await p.goto(url + '/');
  same(await rowNames(p), projects, 'rows');
  same(await p.$$eval('button.action', bs => bs.filter(b => !b.hidden).length), 0, 'visible action buttons');
  same(await p.isVisible('details.token'), false, 'token form visible');
  await p.fill('#filter-q', 'llm');
  await Promise.all([p.waitForNavigation(), p.click('#filter button[type=submit]')]);
  same(await rowNames(p), ['llm-h100'], 'rows after submitting the filter form');
  await p.click('th[data-sort=name] a');
  same(await rowNames(p), ['llm-h100'], 'the filter is kept when sorting');
  expect(p.url().includes('q=llm') && p.url().includes('order=desc'), `URL ${p.url()}`);
  await p.goto(url + '/projects/llm-h100');
  expect((await p.textContent('#grants')).includes('quota-large'), 'grants of llm-h100');
  await ctx.close();
});

await check('phone-sized viewport: no sideways scrolling, projects as cards', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true,
    hasTouch: true, deviceScaleFactor: 2 });
  const p = await ctx.newPage();
  await p.goto(url + '/');
  const [scroll, inner] = await p.evaluate(() =>
    [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll <= inner, `page is ${scroll} px wide in a ${inner} px viewport`);
  same(await p.isVisible('#projects thead'), false, 'table header shown on a phone');
  const label = await p.$eval('tr[data-name=chem-any] [data-col=status]',
    td => getComputedStyle(td, '::before').content);
  same(label, '"Sync: "', 'card label');
  await p.screenshot({ path: `${artifacts}/phone.png`, fullPage: true });
  await p.goto(url + '/projects/bio-imaging');
  const [s2, i2] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(s2 <= i2, `project page is ${s2} px wide in a ${i2} px viewport`);
  await ctx.close();
});

await check('no script errors or CSP violations in the console', async () => {
  same(cspErrors, [], 'console errors');
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
