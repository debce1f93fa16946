// SPDX-License-Identifier: GPL-2.0
/*
 * The web console in Debian's Chromium, headless, driven by puppeteer-core (pinned in
 * tools/controller/web/package-lock.json, installed into build/web by tools/fetch-web.sh).
 * Run by tests/controller/browser.sh, which starts the controller and the fake agent and
 * passes, in the environment:
 *   WEB_URL          the controller's API address (http://127.0.0.1:PORT)
 *   WEB_ADMIN        an admin API token
 *   WEB_HOST         the fake agent's host id (up, with partitions web and db, 3 events)
 *   WEB_TRIGGER      a script that makes the agent send 3 more events (a new boot's session)
 *   WEB_EXPECT       "current": this controller (no SSE, no partition operations, no console
 *                    WebSocket: the page must poll, show the POST's HTTP error and say the
 *                    console is not available); "contract2": all three exist
 *   CHROMIUM         the browser binary (/usr/bin/chromium)
 *   WEB_SCREENSHOT   optional: a PNG path for a picture of the page after the checks
 * Prints "PASS browser: ..." / "FAIL browser: ..." lines; exits 0 even when checks fail (the
 * shell counts the lines), 3 when Chromium cannot start.
 */
'use strict';

const path = require('path');
const fs = require('fs');
const os = require('os');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '../..');
const puppeteer = require(path.join(root, 'build/web/node_modules/puppeteer-core'));

const env = (name) => {
	const v = process.env[name];
	if (!v) {
		console.log('FAIL browser: environment variable ' + name + ' is not set');
		process.exit(1);
	}
	return v;
};
const URL_BASE = env('WEB_URL');
const ADMIN = env('WEB_ADMIN');
const HOST = env('WEB_HOST');
const TRIGGER = env('WEB_TRIGGER');
const EXPECT = process.env.WEB_EXPECT || 'current';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT_MS = 8000;

let failures = 0;
const pass = (name) => console.log('PASS browser: ' + name);
const fail = (name, why) => {
	failures++;
	console.log('FAIL browser: ' + name + (why ? ' (' + why + ')' : ''));
};

/* Runs check(); a thrown error or false fails it with the reason. */
/*
 * Clicks what sel finds, found and clicked in one step inside the page: the
 * tables are rebuilt by live updates, so a handle taken first may be detached
 * by the time a puppeteer click lands.
 */
async function clickNow(page, sel) {
	await page.waitForSelector(sel);
	const ok = await page.evaluate((s) => {
		const el = document.querySelector(s);
		if (el)
			el.click();
		return !!el;
	}, sel);
	if (!ok)
		throw new Error('nothing matches ' + sel);
}

async function check(name, fn) {
	try {
		const r = await fn();
		if (r === false)
			fail(name);
		else
			pass(name + (typeof r === 'string' ? ': ' + r : ''));
	} catch (e) {
		fail(name, String(e.message || e).split('\n')[0]);
	}
}

/* Waits for fn (run in the page, with args) to return something truthy; returns it. */
async function until(page, fn, ...args) {
	const h = await page.waitForFunction(fn, { timeout: WAIT_MS, polling: 100 }, ...args);
	return h.jsonValue();
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent.trim());

async function main() {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-chromium-'));
	let browser;

	try {
		/*
		 * Without the background-networking flags Chromium tries Google's hosts at every
		 * start, which this machine's closed network refuses; --no-sandbox because the
		 * tests run as root.
		 */
		browser = await puppeteer.launch({
			executablePath: CHROMIUM,
			headless: true,
			userDataDir: profile,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
				'--disable-background-networking', '--disable-component-update',
				'--disable-sync', '--disable-dev-shm-usage'],
			timeout: 20000,
		});
	} catch (e) {
		console.log('FAIL browser: ' + CHROMIUM + ' starts headless (' +
			String(e.message).split('\n')[0] + ')');
		fs.rmSync(profile, { recursive: true, force: true });
		process.exit(3);
	}
	try {
		await run(browser);
	} finally {
		await browser.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

async function run(browser) {
	const page = await browser.newPage();
	await page.setViewport({ width: 1280, height: 900 });
	const jsErrors = [];
	const foreign = [];
	const posts = [];

	/*
	 * The page's own JS must log no error and throw nothing. Chromium's own reports of a
	 * failed load (an HTTP error status, a refused WebSocket) are the expected answers of
	 * a controller without contract 2's endpoints, and are the page's input, not its bugs.
	 */
	page.on('pageerror', (e) => jsErrors.push('uncaught: ' + e.message));
	page.on('console', (m) => {
		const t = m.text();
		if (m.type() !== 'error')
			return;
		if (/^Failed to load resource: the server responded with a status of/.test(t) ||
		    /^WebSocket connection to .* failed/.test(t))
			return;
		jsErrors.push(t);
	});
	page.on('request', (r) => {
		const u = r.url();
		if (!u.startsWith(URL_BASE + '/') && !u.startsWith(URL_BASE.replace('http', 'ws')) &&
		    !u.startsWith('data:'))
			foreign.push(u);
		if (r.method() === 'POST')
			posts.push({ url: u, auth: r.headers().authorization || '' });
	});

	await check('the page is served at / (redirected to /ui/) with a login form', async () => {
		const resp = await page.goto(URL_BASE + '/', { waitUntil: 'load', timeout: WAIT_MS });
		if (!resp.ok())
			throw new Error('HTTP ' + resp.status());
		if (!page.url().endsWith('/ui/'))
			throw new Error('at ' + page.url());
		return page.$eval('#login', (e) => !e.hidden);
	});
	await check('xterm.js is served with the page (no internet)', () =>
		page.evaluate(() => typeof window.Terminal === 'function'));

	await check('a wrong token is refused at login', async () => {
		await page.type('#token', '0000000000000000');
		await page.click('#login-form button');
		return until(page, () => {
			const e = document.getElementById('login-error').textContent;
			return /refused/.test(e) && e;
		});
	});

	await check('the admin token logs in (and is kept in sessionStorage only)', async () => {
		await page.type('#token', ADMIN);
		await page.click('#login-form button');
		await until(page, () => !document.getElementById('app').hidden);
		const kept = await page.evaluate(() => [sessionStorage.getItem('plinth-token'),
			localStorage.length, document.cookie]);
		return kept[0] === ADMIN && kept[1] === 0 && kept[2] === '';
	});

	const hostSel = '#hosts tr[data-host="' + HOST + '"]';
	await check('the host is listed as up', async () => {
		await until(page, (sel) => {
			const td = document.querySelector(sel + ' td.state');
			return td && td.textContent === 'up';
		}, hostSel);
	});
	await check('the host shows its facts and round-trip time', async () => {
		const rtt = await until(page, (sel) => {
			const td = document.querySelector(sel + ' td.rtt');
			return td && td.textContent;
		}, hostSel);
		const row = await text(page, hostSel);
		if (!row.includes('fake-agent') || !row.includes('8.0 GiB'))
			throw new Error('row: ' + row);
		return 'RTT ' + rtt;
	});
	await check('its 2 partitions with state, vCPUs and memory', async () => {
		const parts = await until(page, (host) => {
			const rows = [...document.querySelectorAll('#partitions tr[data-part]')]
				.filter((r) => r.dataset.part.startsWith(host + '/'));
			return rows.length === 2 && rows.map((r) => [...r.cells].slice(1, 5)
				.map((c) => c.textContent).join(' ')).join(', ');
		}, HOST);
		if (parts !== 'db stopped 1 512 MiB, web running 2 1.0 GiB')
			throw new Error(parts);
		return parts;
	});
	await check('the 3 stored events are listed', () =>
		until(page, () => document.querySelectorAll('#events tr[data-seq]').length === 3));

	const live = await text(page, '#live').catch(() => '');
	await check('live updates: ' + (EXPECT === 'contract2' ? 'the SSE stream'
		: 'polling, since this controller has no event stream'), () => {
		const want = EXPECT === 'contract2' ? /^live: event stream$/
			: /^live: polling every 2 s \(event stream not available: HTTP 404\)$/;
		if (!want.test(live))
			throw new Error('"' + live + '"');
		return live;
	});

	await check('a new event appears live (a new boot of the agent)', async () => {
		execFileSync('bash', [TRIGGER], { stdio: 'ignore', timeout: 5000 });
		const t0 = Date.now();
		await until(page, () => document.querySelector('#events tr[data-seq="6"]'));
		const top = await text(page, '#events tbody tr:first-child');
		return 'after ' + (Date.now() - t0) + ' ms: ' + top;
	});
	await check('the host is up again after the new session', () =>
		until(page, (sel) => {
			const td = document.querySelector(sel + ' td.state');
			return td && td.textContent === 'up';
		}, hostSel));

	await check('Start on db sends POST /v1/partitions/' + HOST + '/db/start with the token',
		async () => {
			await clickNow(page, '#partitions tr[data-part="' + HOST + '/db"] ' +
				'button[data-verb="start"]');
			const deadline = Date.now() + WAIT_MS;
			while (!posts.length && Date.now() < deadline)
				await new Promise((r) => setTimeout(r, 50));
			const p = posts.find((x) => x.url === URL_BASE + '/v1/partitions/' + HOST +
				'/db/start');
			if (!p)
				throw new Error('POSTs: ' + JSON.stringify(posts.map((x) => x.url)));
			return p.auth === 'Bearer ' + ADMIN;
		});
	if (EXPECT === 'contract2') {
		/* A task is shown and followed until it ends (the fake agent's RESULT). */
		/* The session-mode fake agent does not answer operations: the task stays queued or running. */
		await check('Start shows the resulting task and its state', async () => {
			const id = await until(page, () =>
				document.getElementById('action').getAttribute('data-task'));
			const st = await until(page, () =>
				document.getElementById('action').getAttribute('data-state'));
			if (!/^(queued|running|succeeded|failed)$/.test(st))
				throw new Error('state "' + st + '"');
			return 'task ' + id + ' ' + st + ': ' + await text(page, '#action');
		});
	} else {
		await check('Start shows the controller\'s error (no such endpoint yet)', async () => {
			const msg = await until(page, () => {
				const a = document.getElementById('action');
				return a.className === 'error' && a.textContent;
			});
			if (msg !== 'start ' + HOST + '/db: HTTP 404: no such endpoint')
				throw new Error('"' + msg + '"');
			return msg;
		});
	}

	await check('the console pane ' + (EXPECT === 'contract2' ? 'opens the WebSocket'
		: 'says the console is not available'), async () => {
		await clickNow(page, '#partitions tr[data-part="' + HOST + '/web"] ' +
			'button[data-verb="console"]');
		const s = await until(page, () => {
			const t = document.getElementById('console-status').textContent;
			return t !== 'connecting...' && !/^Pick/.test(t) && t;
		});
		const want = EXPECT === 'contract2' ? /^(connected|console closed)/
			: /^console not available \(the controller refused the WebSocket/;
		if (!want.test(s))
			throw new Error('"' + s + '"');
		return s;
	});

	/* The serving fake agent's host: an operation answered, a console with output and echo. */
	const SERVE = process.env.WEB_SERVE_HOST;
	if (SERVE && EXPECT === 'contract2') {
		const row = '#partitions tr[data-part="' + SERVE + '/cfg"] ';
		await check('Start on ' + SERVE + '/cfg: the task succeeds and the partition runs',
			async () => {
				await clickNow(page, row + 'button[data-verb="start"]');
				const st = await until(page, () => {
					const s = document.getElementById('action').getAttribute('data-state');
					return (s === 'succeeded' || s === 'failed') && s;
				});
				if (st !== 'succeeded')
					throw new Error('task ' + st + ': ' + await text(page, '#action'));
				await until(page, (sel) => /running/.test(
					document.querySelector(sel)?.textContent || ''), row);
				return await text(page, row);
			});
		await check('the console shows the guest\'s output and echoes what is typed', async () => {
			await clickNow(page, row + 'button[data-verb="console"]');
			await until(page, () => /fake console ready/.test(
				document.querySelector('.xterm-rows')?.textContent || ''));
			await page.focus('.xterm-helper-textarea');
			await page.keyboard.type('hi');
			await until(page, () => /echo: hi/.test(
				document.querySelector('.xterm-rows')?.textContent || ''));
			return (await text(page, '.xterm-rows')).replace(/\s+/g, ' ').trim().slice(0, 80);
		});
	}

	if (process.env.WEB_SCREENSHOT)
		await page.screenshot({ path: process.env.WEB_SCREENSHOT, fullPage: true });
	await check('a reload keeps the session (token in sessionStorage)', async () => {
		await page.reload({ waitUntil: 'load' });
		await until(page, () => !document.getElementById('app').hidden &&
			document.querySelectorAll('#events tr[data-seq]').length >= 6);
	});
	await check('log out forgets the token', async () => {
		await page.click('#logout');
		return page.evaluate(() => sessionStorage.getItem('plinth-token') === null &&
			!document.getElementById('login').hidden);
	});

	await check('the page loads nothing from outside the controller', () => {
		if (foreign.length)
			throw new Error(foreign.join(' '));
	});
	await check('no errors from the page\'s own JS', () => {
		if (jsErrors.length)
			throw new Error(jsErrors.join(' | '));
	});
}

main().catch((e) => {
	console.log('FAIL browser: the driver failed (' + String(e.message || e).split('\n')[0] +
		')');
	process.exit(1);
});
