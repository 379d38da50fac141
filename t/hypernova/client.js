// Posts one batch with the real hypernova-client and prints what it made of
// the answer as JSON, for the t/07x tests and `make run-hypernova`:
//
//   node t/hypernova/client.js URL JOBS [TIMEOUT_MS]
//
// JOBS is a JSON object {VIEW: data}, as Renderer.render() takes it, or
// @FILE for one in a file (a big batch does not fit in argv). The
// output: {"html": what render() resolves to without plugins (the page's
// markup, client-side fallbacks included), "failed": the batch-level
// error that made the client fall back for every job, or null, "results":
// {VIEW: {"html", "statusCode", "success", "error": message or null}}}.

'use strict';

const fs = require('fs');
const Renderer = require('hypernova-client');

const [url, jobsText, timeout] = process.argv.slice(2);
const jobs = JSON.parse(jobsText[0] === '@'
  ? fs.readFileSync(jobsText.slice(1), 'utf8') : jobsText);

let failed = null;
let results = null;

const capture = {
  onError(error, res) {
    // a batch-level failure comes without results; a job's with its own
    if (res === undefined || res === null || !('job' in res)) {
      failed = error && error.message ? error.message : String(error);
    }
  },
  afterResponse(next, res) {
    results = res;
    return next;
  },
};

const config = timeout ? { timeout: Number(timeout) } : {};

// one request; the markup is what render() resolves to without plugins,
// the views' html in order (the client's toHTML)
new Renderer({ url, plugins: [capture], config }).render(jobs)
  .then(() => {
    const out = {};
    const html = Object.keys(results || {})
      .reduce((page, view) => page + results[view].html, '');

    Object.keys(results || {}).forEach((view) => {
      const r = results[view];
      out[view] = {
        html: r.html,
        statusCode: r.statusCode === undefined ? null : r.statusCode,
        success: r.success === undefined ? null : r.success,
        error: r.error ? (r.error.message || String(r.error)) : null,
      };
    });

    process.stdout.write(`${JSON.stringify({ html, failed, results: out })}\n`);
  })
  .catch((err) => {
    process.stdout.write(`${JSON.stringify({ crashed: String(err) })}\n`);
    process.exitCode = 1;
  });
