// tests/web/browser.mjs - drives kc-web's page in Debian's chromium through
// playwright-core and writes what it saw as one JSON object on stdout; the
// TAP test tests/t/92-web-browser.t makes the assertions.
//
//   node browser.mjs BASE_URL MEDIA_FILE OUT_DIR [ELSEWHERE_ID [LIVE_URL]]
//
// ELSEWHERE_ID is a clip stored outside kc-web's --clips (Browse plays it);
// LIVE_URL a live channel (of the tests' Kick imitation) that Generate
// follows last, with 9:16 copies.
//
// OUT_DIR gets the screenshots of each step (OUT_DIR/screenshots/STEP.png)
// and the browser profile (a fresh OUT_DIR/profile).  Only BASE_URL
// (loopback) is ever contacted.  Every wait is on an event (a selector, a
// response, a state of the page), never on wall time.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, media, out, elsewhere, liveUrl] = process.argv.slice(2);
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

  // ---- Analyse, then pick 3 of 6, nudge them, cut only those --------------
  facts.generate_job = await (await page.request.get(base + '/api/jobs')).json()
    .then(r => r.jobs.find(j => j.kind === 'generate'));
  await page.fill('#g-clip-duration', '8');
  await page.fill('#g-min-gap', '5');
  await page.fill('#g-max-audio', '3');
  await page.fill('#g-max-video', '3');
  await page.click('#g-analyse');
  await page.waitForSelector('#g-pick:not([hidden]) #g-picks tbody tr', { timeout: T });
  facts.analyse_status = await page.getAttribute('#g-status', 'class');
  facts.pick_rows = await page.locator('#g-picks tbody tr').count();
  facts.pick_cut_disabled = await page.isDisabled('#g-cut');
  await shot('analyse');
  const row = i => page.locator(`#g-picks tbody tr[data-i="${i}"]`);
  const times = async i => ({ i, t0: Number(await row(i).getAttribute('data-t0')),
                              t1: Number(await row(i).getAttribute('data-t1')) });
  const chosen = [1, 3, 4];
  facts.pick_before = [];
  for (const i of chosen) {
    facts.pick_before.push(await times(i));
    await row(i).locator('input[type=checkbox]').check();
  }
  facts.pick_count_text = await page.textContent('#g-pick-count');
  facts.pick_handles = await page.locator('#pick-timeline .handle').count();
  // a start one second later with its button
  await row(1).locator('[data-nudge="t0+"]').click();
  await page.waitForFunction(([i, t]) => Number(document.querySelector(
    `#g-picks tr[data-i="${i}"]`).dataset.t0) === t, [1, facts.pick_before[0].t0 + 1]);
  // an end one second earlier with the keyboard, on its timeline handle
  const endHandle = page.locator('#pick-timeline g.pick[data-i="3"] .handle.t1');
  await endHandle.focus();
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(([i, t]) => Number(document.querySelector(
    `#g-picks tr[data-i="${i}"]`).dataset.t1) === t, [3, facts.pick_before[1].t1 - 1]);
  facts.handle_valuetext = await endHandle.getAttribute('aria-valuetext');
  // a start dragged earlier on the timeline
  const startHandle = page.locator('#pick-timeline g.pick[data-i="4"] .handle.t0');
  const box = await startHandle.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 15, box.y + box.height / 2, { steps: 3 });
  await page.mouse.move(box.x + box.width / 2 - 30, box.y + box.height / 2, { steps: 3 });
  await page.mouse.up();
  await page.waitForFunction(([i, t]) => Number(document.querySelector(
    `#g-picks tr[data-i="${i}"]`).dataset.t0) < t, [4, facts.pick_before[2].t0]);
  facts.picked = [];
  for (const i of chosen) facts.picked.push(await times(i));
  await shot('pick');
  const cutDone = page.waitForResponse(r => /\/api\/jobs\/\d+\/cut$/.test(r.url()));
  await page.evaluate(() => { window.kcStatusTexts = []; });
  await page.click('#g-cut');
  facts.cut_post_status = (await cutDone).status();
  await page.waitForFunction(() => /Done|Failed|Partly|Cancelled/.test(
    document.querySelector('#g-status').textContent) &&
    !document.querySelector('#g-status').classList.contains('running'), null, { timeout: T });
  facts.cut_status = await page.getAttribute('#g-status', 'class');
  facts.cut_text = await page.textContent('#g-status');
  facts.cut_status_texts = [...new Set(await page.evaluate(() => window.kcStatusTexts))]
    .filter(t => /^Cutting/.test(t));
  await page.waitForSelector('#g-results:not([hidden]) #g-table tbody tr');
  facts.cut_table_rows = await page.locator('#g-table tbody tr').count();
  const jobs = (await (await page.request.get(base + '/api/jobs')).json()).jobs;
  const cutJob = await (await page.request.get(base + '/api/jobs/' + jobs.find(j => j.kind === 'cut').id)).json();
  facts.cut_clips = cutJob.clips.map(c => ({ id: c.id, want_t0: c.want_t0, want_t1: c.want_t1,
    poster_src: c.poster_src, t0: c.t0, t1: c.t1 }));
  facts.generate_poster = await page.getAttribute('#g-video', 'poster');
  await shot('cut');

  // ---- Rate: five clips with the keyboard ----------------------------------
  const before = await (await page.request.get(base + '/api/stats')).json();
  const gens = st => Array.isArray(st.models) ? st.models.length :
    Array.isArray(st.generations) ? st.generations.length : null;
  facts.generations_before = gens(before);
  await page.click('#tab-rate');
  await page.waitForSelector('#r-main:not([hidden])');
  // the poster frame, and that it is an image the page can load
  facts.rate_poster = await page.getAttribute('#r-video', 'poster');
  facts.rate_poster_loaded = facts.rate_poster ? await page.evaluate(src => new Promise(res => {
    const i = new Image();
    i.onload = () => res(i.naturalWidth);
    i.onerror = () => res(0);
    i.src = src;
  }), facts.rate_poster) : 0;
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

  // ---- Browse: posters, the hover strip, filters, re-rate and undo, a 9:16
  // export, download link, delete -----------------------------------------
  await page.click('#tab-browse');
  await page.waitForSelector('#b-grid .card');
  facts.browse_cards = await page.locator('#b-grid .card').count();
  // every poster loaded (an <img> says when: complete, with a size)
  await page.waitForFunction(() => [...document.querySelectorAll('#b-grid img.poster')]
    .every(i => i.complete), null, { timeout: T });
  facts.posters = await page.$$eval('#b-grid img.poster', is => is.map(i => i.naturalWidth));
  await shot('browse');
  // the strip: the pointer across the first card shows its tiles in turn
  const first = page.locator('#b-grid .card').first();
  const thumb = first.locator('.thumb');
  const stripSrc = await page.evaluate(id => fetch('/api/clips/' + id).then(r => r.json())
    .then(c => c.strip_src), Number(await first.getAttribute('data-id')));
  facts.strip_src = stripSrc;
  const tb = await thumb.boundingBox();
  if (!stripSrc) throw new Error('the first card has no strip_src');
  const stripLoaded = page.waitForResponse(r => r.url().endsWith(stripSrc));
  await page.mouse.move(tb.x + 2, tb.y + tb.height / 4);
  facts.strip_status = (await stripLoaded).status();
  await page.waitForFunction(el => el.kcImage && el.kcImage.complete,
    await first.locator('.strip').elementHandle());
  facts.strip_natural = await first.locator('.strip').evaluate(e => [e.kcImage.naturalWidth, e.kcImage.naturalHeight]);
  facts.strip_tiles = [];
  const strip = await first.locator('.strip').elementHandle();
  for (const fx of [0.05, 0.5, 0.95]) {
    await page.mouse.move(tb.x + tb.width * fx, tb.y + tb.height / 4);
    // the tile under the pointer: as many tiles as the background is wide
    await page.waitForFunction(([el, f]) => {
      const k = parseFloat(el.style.backgroundSize) / 100;
      return !el.hidden && k >= 1 && Number(el.dataset.tile) === Math.min(k - 1, Math.floor(f * k));
    }, [strip, fx]);
    facts.strip_tiles.push(await first.locator('.strip').evaluate(e => ({
      tile: Number(e.dataset.tile), position: e.style.backgroundPosition, size: e.style.backgroundSize })));
    if (fx === 0.5) await shot('browse-strip');
  }
  await page.mouse.move(0, 0);
  facts.strip_hidden_after = await first.locator('.strip').evaluate(e => e.hidden);

  // a clip stored outside --clips plays like the others
  if (elsewhere) {
    const ec = page.locator(`#b-grid .card[data-id="${elsewhere}"]`);
    await ec.locator('button.play').click();
    await page.waitForFunction(id => {
      const v = document.querySelector(`#b-grid .card[data-id="${id}"] video`);
      return v && v.readyState >= 1;
    }, elsewhere, { timeout: T });
    facts.elsewhere_player = await ec.locator('video').evaluate(v => ({
      src: v.getAttribute('src'), duration: v.duration, width: v.videoWidth }));
    await shot('browse-elsewhere');
  }

  await page.selectOption('#b-kind', 'audio');
  await page.waitForFunction(() => [...document.querySelectorAll('#b-grid .card .kind')]
    .every(k => k.textContent === 'audio'));
  facts.browse_audio = await page.$$eval('#b-grid .card .kind', ks => ks.map(k => k.textContent));
  await page.selectOption('#b-kind', '');
  await page.selectOption('#b-rating', 'unrated');
  await page.waitForFunction(() => !document.querySelector('#b-grid .card .stars-text') ||
    [...document.querySelectorAll('#b-grid .card .stars-text')].every(s => s.textContent === 'unrated'));
  facts.browse_unrated = await page.locator('#b-grid .card').count();
  await page.selectOption('#b-rating', '');
  await page.waitForFunction(n => document.querySelectorAll('#b-grid .card').length === n,
    facts.browse_cards);

  // re-rate a clip rated in Rate, then take that back
  const rr = facts.rated[0];
  const rcard = () => page.locator(`#b-grid .card[data-id="${rr.id}"]`);
  const newStars = rr.stars === 2 ? 4 : 2;
  await rcard().locator(`.star[data-stars="${newStars}"]`).click();
  await page.waitForFunction(([id, n]) => {
    const c = document.querySelector(`#b-grid .card[data-id="${id}"] .stars-text`);
    return c && c.textContent === '★'.repeat(n) + '☆'.repeat(5 - n);
  }, [rr.id, newStars]);
  facts.rerate = { id: rr.id, from: rr.stars, to: newStars,
    api: (await (await page.request.get(base + '/api/clips/' + rr.id)).json()).rating,
    pressed: await rcard().locator('.star[aria-pressed="true"]').getAttribute('data-stars') };
  await shot('browse-rerate');
  await rcard().locator('button.undo').click();
  await page.waitForFunction(([id, n]) => {
    const c = document.querySelector(`#b-grid .card[data-id="${id}"] .stars-text`);
    return c && c.textContent === '★'.repeat(n) + '☆'.repeat(5 - n);
  }, [rr.id, rr.stars]);
  facts.undo = { api: (await (await page.request.get(base + '/api/clips/' + rr.id)).json()).rating,
    note: await rcard().locator('.vstatus').textContent() };
  await shot('browse-undo');

  // a 9:16 copy of one of the clips just cut (8 s or so: quick to encode)
  const vid = facts.cut_clips[0].id;
  const vcard = () => page.locator(`#b-grid .card[data-id="${vid}"]`);
  await page.selectOption('#b-vmode', 'fit');
  const vpost = page.waitForResponse(r => r.url().endsWith(`/api/clips/${vid}/vertical`));
  await vcard().locator('button.v-make').click();
  facts.vertical_post_status = (await vpost).status();
  await page.waitForSelector(`#b-grid .card[data-id="${vid}"] button.v-play, ` +
    `#b-grid .card[data-id="${vid}"] .vstatus.error`, { timeout: T });
  facts.vertical_note = await vcard().locator('.vstatus').textContent();
  facts.vertical_src = (await (await page.request.get(base + '/api/clips/' + vid)).json()).vertical_src;
  facts.vertical_id = vid;
  await vcard().locator('button.v-play').click();
  await page.waitForFunction(id => {
    const v = document.querySelector(`#b-grid .card[data-id="${id}"] video.vertical`);
    return v && v.readyState >= 1;
  }, vid, { timeout: T });
  facts.vertical_player = await vcard().locator('video.vertical').evaluate(v => ({
    width: v.videoWidth, height: v.videoHeight, src: v.getAttribute('src') }));
  facts.vertical_download = await vcard().locator('a.v-dl').getAttribute('href');
  await shot('vertical');

  // download and delete: an unrated clip
  await page.selectOption('#b-rating', 'unrated');
  await page.waitForFunction(() => !document.querySelector('#b-grid .card .stars-text') ||
    [...document.querySelectorAll('#b-grid .card .stars-text')].every(s => s.textContent === 'unrated'));
  // (one of Generate's: the picked ones and the one from elsewhere stay)
  const keep = [...facts.cut_clips.map(c => c.id), elsewhere].map(i => `:not([data-id="${i}"])`).join('');
  const delId = await page.locator(`#b-grid .card${keep}`).first().getAttribute('data-id');
  const card = page.locator(`#b-grid .card[data-id="${delId}"]`);
  facts.download_href = await card.locator('a.button').first().getAttribute('href');
  const delSrc = facts.download_href.replace(/\?download=1$/, '');
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

  // ---- Generate on a live channel, with 9:16 copies: each clip is listed as
  // it is stored, while the stream still airs ------------------------------
  if (liveUrl) {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(base + '/#generate');
    await page.waitForSelector('#generate:not([hidden])');
    await page.fill('#g-url', liveUrl);
    await page.fill('#g-clip-duration', '6');
    await page.fill('#g-min-gap', '5');
    await page.selectOption('#g-format', 'vertical');
    await page.selectOption('#g-vmode', 'crop');
    facts.live_vmode_enabled = await page.isEnabled('#g-vmode');
    // each change of the status line or of the table, as the page makes it
    await page.$eval('#g-status', s => {
      const tb = document.querySelector('#g-table tbody');
      window.kcLive = [];
      const hidden = () => document.querySelector('#g-results').hidden;
      const look = () => window.kcLive.push({ status: s.className, text: s.textContent,
        rows: hidden() ? 0 : tb.querySelectorAll('tr').length,
        curves: hidden() ? 0 : document.querySelectorAll('#timeline path.curve').length });
      new MutationObserver(look).observe(s, { childList: true, characterData: true, subtree: true });
      new MutationObserver(look).observe(tb, { childList: true });
    });
    const posted = page.waitForResponse(r => /\/api\/jobs$/.test(r.url()) && r.request().method() === 'POST');
    await page.click('#g-start');
    const lj = await (await posted).json();
    facts.live_post_options = lj.options || null;
    await page.waitForFunction(() => window.kcLive.some(l => /running/.test(l.status)));
    await page.waitForFunction(() => !document.querySelector('#g-status').classList.contains('running'),
      null, { timeout: 480000 });
    facts.live_looks = await page.evaluate(() => window.kcLive);
    facts.live_status = await page.getAttribute('#g-status', 'class');
    facts.live_job = await (await page.request.get(base + '/api/jobs/' + lj.id)).json();
    facts.live_table_rows = await page.locator('#g-table tbody tr').count();
    facts.live_curve_kinds = await page.$$eval('#timeline path.curve', ps => ps.map(p => p.classList[1]));
    facts.live_curve_points = await page.$$eval('#timeline path.curve', ps => ps.map(p => p.getAttribute('d').split('L').length));
    facts.live_vplay = await page.locator('#g-table tbody button.v-play').count();
    await page.locator('#g-table tbody button.v-play').first().click();
    await page.waitForFunction(() => {
      const v = document.querySelector('#g-video');
      return v.classList.contains('vertical') && v.readyState >= 1;
    }, null, { timeout: T });
    facts.live_player = await page.$eval('#g-video', v => ({ src: v.getAttribute('src'),
      width: v.videoWidth, height: v.videoHeight }));
    await shot('live');
  }
} catch (e) {
  facts.error = String(e && e.stack || e);
} finally {
  if (ctx) await ctx.close().catch(() => {});
}
process.stdout.write(JSON.stringify(facts) + '\n');
