// tests/web/play.mjs - does Debian's chromium play these clips?  Opens each
// file as a file:// URL (chromium shows a media file in a <video> element
// of its own), plays it muted and waits for the `timeupdate` event that
// takes currentTime past 0.5 s, or for the element's `error` event.
// Writes one JSON object per file on stdout; the TAP test
// (tests/t/51-cut-reencode.t) makes the assertions.
//
//   node play.mjs PROFILE_DIR FILE...
//
// Only the files are loaded; no server is contacted.
import { chromium } from 'playwright-core';

const [profile, ...files] = process.argv.slice(2);
const T = 60000;	// per clip: a loaded machine decodes slowly

const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.KC_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  timeout: 60000,
});
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  for (const f of files) {
    const fact = { file: f };
    try {
      await page.goto('file://' + f, { timeout: T });
      await page.waitForSelector('video', { timeout: T });
      fact.can_play_h264_aac = await page.$eval('video', v =>
        v.canPlayType('video/mp4; codecs="avc1.64001E, mp4a.40.2"'));
      // resolves on the first timeupdate past 0.5 s, rejects on error
      Object.assign(fact, await page.$eval('video', (v, t) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(
            'no playback within ' + t + ' ms, currentTime ' + v.currentTime +
            ', readyState ' + v.readyState)), t);
          const done = () => {
            if (v.currentTime <= 0.5) return;
            clearTimeout(timer);
            v.pause();
            resolve({ current_time: v.currentTime, duration: v.duration,
                      width: v.videoWidth, height: v.videoHeight });
          };
          v.addEventListener('timeupdate', done);
          v.addEventListener('error', () => {
            clearTimeout(timer);
            reject(new Error('media error ' + (v.error && v.error.code) +
              ': ' + (v.error && v.error.message)));
          });
          v.muted = true;
          v.play().catch(e => { clearTimeout(timer); reject(e); });
        }), T - 5000));
      fact.played = true;
    } catch (e) {
      fact.played = false;
      fact.error = String(e.message || e).split('\n')[0];
    }
    process.stdout.write(JSON.stringify(fact) + '\n');
  }
} finally {
  await ctx.close();
}
