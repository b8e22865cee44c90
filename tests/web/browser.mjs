// tests/web/browser.mjs - drives kc-web's page in Debian's chromium through
// playwright-core and writes what it saw as one JSON object on stdout; the
// TAP test tests/t/92-web-browser.t makes the assertions.
//
//   node browser.mjs BASE_URL MEDIA_FILE OUT_DIR
//
// OUT_DIR gets the screenshots (OUT_DIR/screenshots/TAB.png) and the
// browser profile (a fresh --user-data-dir).  Only BASE_URL (loopback) is
// ever contacted.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, media, out] = process.argv.slice(2);
const shots = join(out, 'screenshots');
mkdirSync(shots, { recursive: true });
const facts = { screenshots: [], console_errors: [], requests_elsewhere: [] };
const T = 120000;

let ctx;
try {
  ctx = await chromium.launchPersistentContext(join(out, 'profile'), {
    executablePath: process.env.KC_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
           '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync',
           '--autoplay-policy=no-user-gesture-required'],
    viewport: { width: 1280, height: 860 },
    timeout: 60000,
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(30000);
  page.on('console', m => { if (m.type() === 'error') facts.console_errors.push(m.text()); });
  page.on('pageerror', e => facts.console_errors.push(String(e)));
  page.on('request', r => { if (!r.url().startsWith(base) && !r.url().startsWith('data:'))
    facts.requests_elsewhere.push(r.url()); });
  page.on('dialog', d => d.accept());
  const shot = async name => {
    const f = join(shots, name + '.png');
    await page.screenshot({ path: f, fullPage: true });
    facts.screenshots.push(f);
  };

  // ---- Generate: a job through the form, progress, results --------------
  await page.goto(base + '/#generate');
  // the defaults, before anything is typed: kc-clip's own
  facts.form_defaults = await page.$eval('#g-form', f => Object.fromEntries(
    ['clip_duration', 'min_gap', 'max_audio_clips', 'max_video_clips', 'max_chat_clips', 'type']
      .map(k => [k, f[k].value])));
  await page.fill('#g-url', media);
  await page.fill('#g-clip-duration', '20');
  await page.fill('#g-min-gap', '5');
  await page.fill('#g-max-audio', '4');
  await page.fill('#g-max-video', '4');
  // every text the status line shows, as the page sets it (an observer in
  // the page: sampling from here can miss a short one on a loaded machine)
  await page.$eval('#g-status', s => {
    window.kcStatusTexts = [];
    new MutationObserver(() => window.kcStatusTexts.push(s.textContent))
      .observe(s, { childList: true, characterData: true, subtree: true });
  });
  await page.click('#g-start');
  await page.waitForSelector('#g-status.done, #g-status.failed, #g-status.cancelled', { timeout: T });
  facts.status_texts = [...new Set((await page.evaluate(() => window.kcStatusTexts))
    .map(t => t.replace(/[0-9.]+/g, 'N')))];
  facts.generate_status = await page.getAttribute('#g-status', 'class');
  facts.generate_text = await page.textContent('#g-status');
  await page.waitForSelector('#g-results:not([hidden])');
  facts.table_rows = await page.locator('#g-table tbody tr').count();
  facts.curve_kinds = await page.$$eval('#timeline path.curve', ps => ps.map(p => p.classList[1]));
  facts.curve_points = await page.$$eval('#timeline path.curve', ps => ps.map(p => p.getAttribute('d').split('L').length));
  facts.timeline_marks = await page.locator('#timeline g.hl').count();
  facts.timeline_axis_title = await page.textContent('#timeline text.axis-title');
  facts.timeline_y_ticks = await page.$$eval('#timeline text.ytick', ts => ts.map(t => t.textContent));
  await shot('generate');

  // ---- play a clip and seek -----------------------------------------------
  await page.click('#g-table tbody tr:nth-child(1) button');
  const v = '#g-video';
  facts.can_play_h264 = await page.$eval(v, e => e.canPlayType('video/mp4; codecs="avc1.42E01E"'));
  await page.waitForFunction(s => document.querySelector(s).readyState >= 1, v, { timeout: T });
  facts.video_duration = await page.$eval(v, e => e.duration);
  await page.$eval(v, e => { e.muted = true; e.currentTime = 8; return e.play(); });
  await page.waitForFunction(s => !document.querySelector(s).seeking, v);
  facts.time_after_seek = await page.$eval(v, e => e.currentTime);
  await page.waitForFunction(([s, t]) => document.querySelector(s).currentTime > t + 0.5,
    [v, facts.time_after_seek], { timeout: 20000 });
  facts.time_later = await page.$eval(v, e => e.currentTime);
  await page.$eval(v, e => e.pause());

  // ---- Rate: five clips with the keyboard ----------------------------------
  const before = await (await page.request.get(base + '/api/stats')).json();
  const gens = st => Array.isArray(st.models) ? st.models.length :
    Array.isArray(st.generations) ? st.generations.length : null;
  facts.generations_before = gens(before);
  await page.click('#tab-rate');
  await page.waitForSelector('#r-main:not([hidden])');
  await shot('rate');
  facts.rated = [];
  facts.notes = [];
  for (let i = 0; i < 5; i++) {
    const id = await page.getAttribute('#r-main', 'data-id');
    const stars = (i % 5) + 1;
    await page.keyboard.press(String(stars));
    await page.waitForFunction(old => {
      const m = document.querySelector('#r-main');
      return m.hidden || m.dataset.id !== old;
    }, id);
    facts.rated.push({ id: Number(id), stars });
    const n = await page.$('#r-note:not([hidden])');
    if (n) facts.notes.push(await n.textContent());
  }
  facts.retrain_note_visible = facts.notes.some(t => /retrain/i.test(t));
  const rated = await (await page.request.get(base + '/api/clips?rating=rated')).json();
  facts.api_rated = rated.clips.map(c => ({ id: c.id, stars: c.rating }));
  await shot('rate-after');

  // ---- Stats ----------------------------------------------------------------
  await page.click('#tab-stats');
  await page.waitForSelector('#s-cards .stat');
  facts.stats_cards = await page.$$eval('#s-cards .stat', cs => Object.fromEntries(
    cs.map(c => [c.querySelector('span').textContent, c.querySelector('b').textContent])));
  facts.hist_bars = await page.locator('#s-hist rect.bar').count();
  const after = await (await page.request.get(base + '/api/stats')).json();
  facts.generations_after = gens(after);
  facts.stats_generation_rows = await page.locator('#s-gens tr').count();  // header + one per generation
  facts.stats_generation_chart = await page.locator('#s-model svg.gens path.series').count();
  facts.stats_generation_headers = await page.$$eval('#s-gens th', ts => ts.map(t => t.textContent));
  facts.stats_legend = await page.$$eval('#s-model .legend li', ls => ls.map(l => l.textContent));
  // what a reader sees (innerText leaves out the closed raw-JSON box)
  facts.stats_snake_case = await page.$eval('#stats', e =>
    e.innerText.match(/\b[A-Za-z0-9]+(_[A-Za-z0-9]+)+\b/g) || []);
  await shot('stats');

  // ---- Browse: filter, download link, delete ------------------------------
  await page.click('#tab-browse');
  await page.waitForSelector('#b-grid .card');
  facts.browse_cards = await page.locator('#b-grid .card').count();
  await shot('browse');
  await page.selectOption('#b-kind', 'audio');
  await page.waitForFunction(() => [...document.querySelectorAll('#b-grid .card .kind')]
    .every(k => k.textContent === 'audio'));
  facts.browse_audio = await page.$$eval('#b-grid .card .kind', ks => ks.map(k => k.textContent));
  await page.selectOption('#b-kind', '');
  await page.selectOption('#b-rating', 'unrated');
  await page.waitForFunction(() => !document.querySelector('#b-grid .card .stars-text') ||
    [...document.querySelectorAll('#b-grid .card .stars-text')].every(s => s.textContent === 'unrated'));
  facts.browse_unrated = await page.locator('#b-grid .card').count();
  const delId = await page.locator('#b-grid .card').first().getAttribute('data-id');
  const card = page.locator(`#b-grid .card[data-id="${delId}"]`);
  const delSrc = await card.locator('video').getAttribute('src');
  facts.download_href = await card.locator('a.button').getAttribute('href');
  const dl = await page.request.get(base + facts.download_href);
  facts.download_status = dl.status();
  facts.download_disposition = dl.headers()['content-disposition'] || null;
  await card.locator('button.danger').click();
  await page.waitForFunction(id => !document.querySelector(`#b-grid .card[data-id="${id}"]`), delId);
  facts.deleted_id = Number(delId);
  facts.deleted_src_status = (await page.request.get(base + delSrc)).status();
  const all = await (await page.request.get(base + '/api/clips')).json();
  facts.deleted_still_listed = all.clips.some(c => c.id === Number(delId));

  // ---- 420 px wide: each tab loaded afresh (a query of its own, so the
  // page really loads), once its content is drawn nothing may be wider than
  // the window ----------------------------------------------------------------
  await page.setViewportSize({ width: 420, height: 860 });
  const drawn = {
    generate: '#g-results:not([hidden]) #timeline svg',
    rate: '#r-main:not([hidden]), #r-empty:not([hidden])',
    browse: '#b-grid .card',
    stats: '#s-model h2, #s-model p',
  };
  facts.narrow = {};
  for (const [tab, sel] of Object.entries(drawn)) {
    await page.goto(`${base}/?width=420&tab=${tab}#${tab}`);
    await page.waitForSelector(`#${tab}:not([hidden])`);
    await page.waitForSelector(sel);
    facts.narrow[tab] = await page.evaluate(() => ({
      scroll_width: document.documentElement.scrollWidth,
      client_width: document.documentElement.clientWidth,
      nav_in_view: [...document.querySelectorAll('nav [data-tab]')]
        .every(b => b.getBoundingClientRect().right <= document.documentElement.clientWidth),
    }));
    await shot(tab + '-420');
  }
} catch (e) {
  facts.error = String(e && e.stack || e);
} finally {
  if (ctx) await ctx.close().catch(() => {});
}
process.stdout.write(JSON.stringify(facts) + '\n');
