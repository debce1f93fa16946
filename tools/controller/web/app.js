// SPDX-License-Identifier: GPL-2.0
/*
 * The controller's web console: plain JS over the REST API (/v1), no build step.
 *
 * The operator's API token lives in sessionStorage (this tab only) and goes out as a Bearer
 * header; only the console WebSocket carries it as ?token=, since browsers cannot set headers
 * on one. Events arrive live from the Server-Sent Events stream (/v1/events/stream), read
 * with fetch() rather than EventSource so the token stays in a header; when the controller
 * has no stream the page polls /v1/events?after=N instead and says so. Hosts, partitions and
 * tasks are re-read on every poll tick and after each event (partition states come from
 * events). Every value from the API is put in the page as text, never as markup.
 */
'use strict';

(function () {
	const TOKEN_KEY = 'plinth-token';
	const POLL_MS = 2000;
	const TASK_POLL_MS = 1000;
	const EVENTS_SHOWN = 200;
	const TASKS_SHOWN = 50;
	const EVENTS_PAGE = 1000;	/* the controller's page size for GET /v1/events */
	const STREAM_RETRY_MS = 1000;

	const st = {
		token: null,
		lastEvent: 0,
		timer: null,
		refreshSoon: null,
		streamAbort: null,
		polling: false,
		ws: null,
		term: null,
		fit: null,
		generation: 0,	/* bumped at log-out: stale async work checks it and stops */
	};

	const $ = (id) => document.getElementById(id);

	class ApiError extends Error {
		constructor(status, message) {
			super(status ? 'HTTP ' + status + ': ' + message : message);
			this.status = status;
		}
	}

	/* An element with text or child nodes; never innerHTML. */
	function el(tag, attrs, ...children) {
		const e = document.createElement(tag);

		for (const [k, v] of Object.entries(attrs || {})) {
			if (k === 'class')
				e.className = v;
			else if (k.startsWith('data-'))
				e.setAttribute(k, v);
			else
				e[k] = v;
		}
		for (const c of children)
			e.append(c instanceof Node ? c : document.createTextNode(c === null ||
				c === undefined ? '' : String(c)));
		return e;
	}

	async function api(method, path) {
		let resp, text;

		try {
			resp = await fetch(path, {
				method,
				headers: { Authorization: 'Bearer ' + st.token },
				cache: 'no-store',
			});
			text = await resp.text();
		} catch (e) {
			throw new ApiError(0, 'controller unreachable (' + e.message + ')');
		}
		let j = null;
		try {
			j = text ? JSON.parse(text) : null;
		} catch (e) {
			j = null;
		}
		if (!resp.ok) {
			const err = j && j.error;
			const msg = err && err.message ? (err.field ? err.field + ': ' : '') + err.message
				: (text || resp.statusText).trim();
			if (resp.status === 401 && path !== '/v1/hosts')
				logout('The controller refused the token: ' + msg);
			throw new ApiError(resp.status, msg);
		}
		return j;
	}

	function fmtBytes(n) {
		if (n === null || n === undefined)
			return '';
		const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
		let i = 0;
		while (n >= 1024 && i < units.length - 1) {
			n /= 1024;
			i++;
		}
		return (i ? n.toFixed(n < 10 ? 1 : 0) : n) + ' ' + units[i];
	}

	function fmtTime(unix) {
		if (!unix)
			return '';
		const d = new Date(unix * 1000);
		const today = new Date().toDateString() === d.toDateString();
		return today ? d.toLocaleTimeString() : d.toLocaleString();
	}

	function fmtRtt(us) {
		return us === null || us === undefined ? '' : (us / 1000).toFixed(us < 10000 ? 2 : 0) +
			' ms';
	}

	/* A task's error: a string today; {kind, message} once operations run on agents. */
	function fmtTaskError(err) {
		if (!err)
			return '';
		if (typeof err === 'string')
			return err;
		return (err.kind ? err.kind + ': ' : '') + (err.message || '');
	}

	function taskTarget(t) {
		return t.target || [t.host, t.partition].filter(Boolean).join('/');
	}

	function stateCell(s) {
		return el('td', { class: 'state state-' + s, 'data-state': s }, s);
	}

	function setBanner(msg) {
		$('banner').textContent = msg || '';
	}

	function setLive(msg) {
		$('live').textContent = msg;
	}

	function renderHosts(hosts) {
		const rows = hosts.map((h) => {
			const f = h.facts || {};
			return el('tr', { 'data-host': h.id },
				el('td', {}, h.id), stateCell(h.state), el('td', {}, f.version),
				el('td', {}, f.cpus_free !== undefined ? f.cpus_free + ' / ' + f.cpus
					: f.cpus),
				el('td', {}, f.memory_free !== undefined ? fmtBytes(f.memory_free) +
					' / ' + fmtBytes(f.memory) : fmtBytes(f.memory)),
				el('td', {}, f.nics), el('td', { class: 'rtt' }, fmtRtt(h.rtt_us)),
				el('td', {}, fmtTime(h.last_seen)));
		});
		if (!rows.length)
			rows.push(el('tr', {}, el('td', { colSpan: 8, class: 'muted' },
				'No hosts enrolled yet (plinthctl token create, then give the token ' +
				'to the agent).')));
		$('hosts').tBodies[0].replaceChildren(...rows);
	}

	function actionButton(label, host, name, verb, enabled) {
		const b = el('button', { type: 'button', disabled: !enabled, 'data-verb': verb },
			label);
		b.addEventListener('click', () => partAction(b, host, name, verb));
		return b;
	}

	function renderPartitions(parts) {
		parts.sort((a, b) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name));
		const rows = parts.map((p) => {
			const cons = el('button', { type: 'button', 'data-verb': 'console' }, 'Console');
			cons.addEventListener('click', () => openConsole(p.host, p.name));
			return el('tr', { 'data-part': p.host + '/' + p.name },
				el('td', {}, p.host), el('td', {}, p.name), stateCell(p.state),
				el('td', {}, p.vcpus), el('td', {}, fmtBytes(p.memory)),
				el('td', {},
					actionButton('Start', p.host, p.name, 'start',
						p.state !== 'running' && p.state !== 'stopping'),
					actionButton('Stop', p.host, p.name, 'stop',
						p.state !== 'stopped' && p.state !== 'created'),
					cons));
		});
		if (!rows.length)
			rows.push(el('tr', {}, el('td', { colSpan: 6, class: 'muted' },
				'No partitions reported.')));
		$('partitions').tBodies[0].replaceChildren(...rows);
	}

	function renderTasks(tasks) {
		tasks.sort((a, b) => b.id - a.id);
		const rows = tasks.slice(0, TASKS_SHOWN).map((t) => el('tr', { 'data-task': t.id },
			el('td', {}, t.id), el('td', {}, t.kind), el('td', {}, taskTarget(t)),
			stateCell(t.state), el('td', { class: 'text error' }, fmtTaskError(t.error)),
			el('td', {}, fmtTime(t.created_at))));
		$('tasks').tBodies[0].replaceChildren(...rows);
	}

	function addEvents(events, fresh) {
		const body = $('events').tBodies[0];
		let added = 0;

		for (const e of events) {
			if (e.seq <= st.lastEvent)
				continue;	/* a resent one (stream resumed, poll overlap) */
			st.lastEvent = e.seq;
			body.prepend(el('tr', { 'data-seq': e.seq, class: fresh ? 'fresh' : '' },
				el('td', {}, e.seq), el('td', {}, fmtTime(e.time)), el('td', {}, e.host),
				el('td', {}, e.partition), stateCell(e.state),
				el('td', { class: 'text' }, e.text)));
			added++;
		}
		while (body.rows.length > EVENTS_SHOWN)
			body.deleteRow(body.rows.length - 1);
		if (added && fresh)
			scheduleRefresh();
	}

	async function refresh() {
		const gen = st.generation;

		try {
			const [h, p, t] = await Promise.all([api('GET', '/v1/hosts'),
				api('GET', '/v1/partitions'), api('GET', '/v1/tasks')]);
			if (gen !== st.generation)
				return;
			renderHosts(h.hosts || []);
			renderPartitions(p.partitions || []);
			renderTasks(t.tasks || []);
			setBanner('');
		} catch (e) {
			if (gen === st.generation)
				setBanner(e.message);
		}
	}

	function scheduleRefresh() {
		if (st.refreshSoon)
			return;
		st.refreshSoon = setTimeout(() => {
			st.refreshSoon = null;
			refresh();
		}, 200);
	}

	/* Reads every event after st.lastEvent, a page at a time. */
	async function pollEvents(fresh) {
		for (;;) {
			const j = await api('GET', '/v1/events?after=' + st.lastEvent);
			const evs = j.events || [];
			addEvents(evs, fresh);
			if (evs.length < EVENTS_PAGE)
				return;
		}
	}

	function startPolling(why) {
		st.polling = true;
		setLive('live: polling every ' + POLL_MS / 1000 + ' s (' + why + ')');
	}

	/* Parses one SSE block ("id:", "data:" lines); comments (":") are keep-alives. */
	function sseBlock(block) {
		const data = [];

		for (const line of block.split(/\r?\n/)) {
			if (line.startsWith('data:'))
				data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
		}
		if (!data.length)
			return;
		try {
			addEvents([JSON.parse(data.join('\n'))], true);
		} catch (e) {
			setBanner('event stream: an event that is not JSON (' + e.message + ')');
		}
	}

	async function streamEvents() {
		const gen = st.generation;
		const ctl = new AbortController();
		let resp;

		st.streamAbort = ctl;
		try {
			resp = await fetch('/v1/events/stream?after=' + st.lastEvent, {
				headers: { Authorization: 'Bearer ' + st.token, Accept: 'text/event-stream' },
				cache: 'no-store',
				signal: ctl.signal,
			});
		} catch (e) {
			if (gen === st.generation)
				startPolling('event stream unreachable: ' + e.message);
			return;
		}
		const type = resp.headers.get('Content-Type') || '';
		if (!resp.ok || !type.startsWith('text/event-stream') || !resp.body) {
			resp.body && resp.body.cancel().catch(() => {});
			if (gen === st.generation)
				startPolling('event stream not available: HTTP ' + resp.status);
			return;
		}
		setLive('live: event stream');
		const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
		let buf = '';
		try {
			for (;;) {
				const { value, done } = await reader.read();
				if (done)
					break;
				buf += value;
				const blocks = buf.split(/\r?\n\r?\n/);
				buf = blocks.pop();
				blocks.forEach(sseBlock);
			}
		} catch (e) {
			/* aborted at log-out, or the connection broke: resumed below */
		}
		if (gen !== st.generation)
			return;
		setLive('live: event stream ended; resuming after #' + st.lastEvent);
		setTimeout(() => gen === st.generation && streamEvents(), STREAM_RETRY_MS);
	}

	async function tick() {
		const gen = st.generation;

		await refresh();
		if (st.polling && gen === st.generation) {
			try {
				await pollEvents(true);
			} catch (e) {
				setBanner(e.message);
			}
		}
		if (gen === st.generation)
			st.timer = setTimeout(tick, POLL_MS);
	}

	function setAction(msg, isError) {
		const a = $('action');
		a.textContent = msg;
		a.className = isError ? 'error' : '';
	}

	/* Shows task t of an action, re-reading it until it has finished. */
	async function watchTask(label, t) {
		const gen = st.generation;

		for (;;) {
			const err = fmtTaskError(t.error);
			const a = $('action');
			a.replaceChildren(label + ': task ', el('span', { class: 'task-id' }, t.id), ' ',
				el('span', { class: 'task-state state-' + t.state }, t.state),
				err ? el('span', { class: 'task-error error' }, ': ' + err) : '');
			a.className = '';
			a.setAttribute('data-task', t.id);
			a.setAttribute('data-state', t.state);
			if (t.state === 'succeeded' || t.state === 'failed')
				break;
			await new Promise((r) => setTimeout(r, TASK_POLL_MS));
			if (gen !== st.generation)
				return;
			try {
				t = (await api('GET', '/v1/tasks/' + t.id)).task;
			} catch (e) {
				setAction(label + ': task ' + t.id + ': ' + e.message, true);
				return;
			}
		}
		scheduleRefresh();
	}

	async function partAction(button, host, name, verb) {
		const label = verb + ' ' + host + '/' + name;

		button.disabled = true;
		setAction(label + ': sending...');
		$('action').removeAttribute('data-task');
		$('action').removeAttribute('data-state');
		try {
			const j = await api('POST', '/v1/partitions/' + encodeURIComponent(host) + '/' +
				encodeURIComponent(name) + '/' + verb);
			if (!j || !j.task)
				throw new ApiError(0, 'the controller answered without a task');
			scheduleRefresh();
			await watchTask(label, j.task);
		} catch (e) {
			setAction(label + ': ' + e.message, true);
		} finally {
			button.disabled = false;
		}
	}

	function consoleStatus(msg) {
		$('console-status').textContent = msg;
	}

	function closeConsole() {
		const ws = st.ws;

		st.ws = null;
		if (ws)
			ws.close();
		$('terminal').hidden = true;
	}

	function ensureTerminal() {
		if (st.term)
			return st.term;
		st.term = new window.Terminal({ convertEol: false, scrollback: 5000, fontSize: 13 });
		if (window.FitAddon) {
			st.fit = new window.FitAddon.FitAddon();
			st.term.loadAddon(st.fit);
		}
		$('terminal').hidden = false;
		st.term.open($('terminal'));
		st.term.onData((d) => {
			if (st.ws && st.ws.readyState === WebSocket.OPEN)
				st.ws.send(d);
		});
		window.addEventListener('resize', () => st.fit && !$('terminal').hidden &&
			st.fit.fit());
		return st.term;
	}

	function openConsole(host, name) {
		closeConsole();
		$('console-title').textContent = host + '/' + name;
		if (typeof window.Terminal !== 'function') {
			consoleStatus('console not available: xterm.js is not installed on the ' +
				'controller (tools/fetch-web.sh)');
			return;
		}
		const proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
		const url = proto + location.host + '/v1/partitions/' + encodeURIComponent(host) +
			'/' + encodeURIComponent(name) + '/console?token=' +
			encodeURIComponent(st.token);
		let ws;
		try {
			ws = new WebSocket(url);
		} catch (e) {
			consoleStatus('console not available: ' + e.message);
			return;
		}
		let opened = false;
		ws.binaryType = 'arraybuffer';
		st.ws = ws;
		consoleStatus('connecting...');
		ws.onopen = () => {
			if (st.ws !== ws)
				return;
			opened = true;
			const term = ensureTerminal();
			$('terminal').hidden = false;
			term.reset();
			if (st.fit)
				st.fit.fit();
			term.focus();
			consoleStatus('connected (typing needs an admin token)');
		};
		ws.onmessage = (m) => {
			if (st.ws === ws && st.term)
				st.term.write(typeof m.data === 'string' ? m.data : new Uint8Array(m.data));
		};
		ws.onclose = (ev) => {
			if (st.ws !== ws)
				return;
			st.ws = null;
			const why = ev.code + (ev.reason ? ' ' + ev.reason : '');
			consoleStatus(opened ? 'console closed (' + why + ')'
				: 'console not available (the controller refused the WebSocket, code ' +
				  why + ')');
		};
	}

	function stopAll() {
		st.generation++;
		clearTimeout(st.timer);
		clearTimeout(st.refreshSoon);
		st.refreshSoon = null;
		if (st.streamAbort)
			st.streamAbort.abort();
		st.streamAbort = null;
		st.polling = false;
		closeConsole();
	}

	function logout(msg) {
		stopAll();
		st.token = null;
		sessionStorage.removeItem(TOKEN_KEY);
		$('app').hidden = true;
		$('logout').hidden = true;
		$('login').hidden = false;
		$('login-error').textContent = msg || '';
		setLive('');
	}

	async function login(token) {
		stopAll();
		st.token = token;
		$('login-error').textContent = '';
		try {
			await api('GET', '/v1/hosts');
		} catch (e) {
			st.token = null;
			sessionStorage.removeItem(TOKEN_KEY);
			$('login-error').textContent = e.status === 401 ? 'The controller refused this ' +
				'token (' + e.message + ').' : e.message;
			return;
		}
		sessionStorage.setItem(TOKEN_KEY, token);
		$('login').hidden = true;
		$('app').hidden = false;
		$('logout').hidden = false;
		st.lastEvent = 0;
		$('events').tBodies[0].replaceChildren();
		setLive('live: connecting');
		try {
			await pollEvents(false);
		} catch (e) {
			setBanner(e.message);
		}
		streamEvents();
		tick();
	}

	$('login-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const t = $('token').value.trim();
		$('token').value = '';
		if (t)
			login(t);
	});
	$('logout').addEventListener('click', () => logout(''));
	const saved = sessionStorage.getItem(TOKEN_KEY);
	if (saved)
		login(saved);
})();
