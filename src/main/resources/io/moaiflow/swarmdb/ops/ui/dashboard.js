// SwarmDB dashboard: plain JavaScript, no build step. Reads the JSON endpoints under /ui/api and
// the Server-Sent Events stream of the event log; the page's CSP allows only scripts from /ui.
(function () {
  'use strict';

  var REFRESH_MS = 5000;
  var MAX_EVENT_ROWS = 200;
  var STATUSES = ['spawned', 'running', 'complete', 'error', 'cancelled'];
  var lastSeq = 0;
  var eventsSeen = 0;
  var chart = null;
  var opens = 0;

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function getJson(path) {
    return fetch(path, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (!r.ok) { throw new Error(path + ': HTTP ' + r.status); }
      return r.json();
    });
  }

  function utc(ms) {
    return ms === null || ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  }

  function bytes(n) {
    if (n === null || n === undefined) { return ''; }
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  function duration(ms) {
    if (ms < 1000) { return ms + ' ms'; }
    var s = Math.round(ms / 1000);
    if (s < 120) { return s + ' s'; }
    var m = Math.round(s / 60);
    return m < 120 ? m + ' min' : Math.round(m / 60) + ' h';
  }

  // --- agents by status ---------------------------------------------------------------------
  function renderSummary(s) {
    $('database').textContent = s.database;
    $('agents-total').textContent = '(' + s.agentsTotal + ' agents, ' + s.sessions + ' sessions)';
    var list = $('agent-counts');
    list.replaceChildren();
    STATUSES.forEach(function (status) {
      var li = el('li', 'status-' + status);
      li.dataset.status = status;
      li.appendChild(el('span', 'n', s.agents[status] || 0));
      li.appendChild(document.createTextNode(status));
      list.appendChild(li);
    });
  }

  // --- sessions and the timeline --------------------------------------------------------------
  function renderSessions(body) {
    var select = $('session');
    var chosen = select.value;
    select.replaceChildren();
    body.sessions.forEach(function (s) {
      var o = el('option', null, s.sessionId + (s.active ? ' (open)' : ''));
      o.value = s.sessionId;
      select.appendChild(o);
    });
    if (chosen && body.sessions.some(function (s) { return s.sessionId === chosen; })) {
      select.value = chosen;
    }
  }

  function renderTimeline(t) {
    var box = $('timeline');
    box.replaceChildren();
    box.dataset.session = t.sessionId;
    var start = Infinity;
    var end = -Infinity;
    t.agents.forEach(function (a) {
      start = Math.min(start, a.spawnedAt);
      end = Math.max(end, a.completedAt !== null ? a.completedAt : t.now);
    });
    var span = Math.max(1, end - start);
    var lanes = t.agents.slice().sort(function (x, y) {
      return x.spawnedAt - y.spawnedAt || (x.agentId < y.agentId ? -1 : 1);
    });
    lanes.forEach(function (a) {
      var stop = a.completedAt !== null ? a.completedAt : t.now;
      var lane = el('div', 'lane');
      lane.appendChild(el('span', 'lane-label', a.agentId));
      var track = el('div', 'lane-track');
      var bar = el('div', 'bar status-' + a.status);
      bar.dataset.agent = a.agentId;
      bar.dataset.status = a.status;
      // element styles set through the CSSOM, which the CSP's style-src does not restrict
      bar.style.left = ((a.spawnedAt - start) / span * 100) + '%';
      bar.style.width = ((stop - a.spawnedAt) / span * 100) + '%';
      bar.title = a.agentId + ' (' + a.agentType + '): ' + a.status + ', ' + duration(stop - a.spawnedAt)
        + (a.completedAt === null ? ' so far' : '');
      track.appendChild(bar);
      lane.appendChild(track);
      box.appendChild(lane);
    });
    if (t.agents.length === 0) {
      box.appendChild(el('p', 'muted', 'no agents in this session'));
    }
    if (t.more) {
      box.appendChild(el('p', 'muted', 'only the first ' + t.agents.length + ' agents are shown'));
    }
    var axis = $('timeline-axis');
    axis.replaceChildren();
    if (t.agents.length > 0) {
      axis.appendChild(el('span', null, utc(start)));
      axis.appendChild(el('span', null, duration(span)));
      axis.appendChild(el('span', null, utc(end)));
    }
  }

  // --- memory browser -------------------------------------------------------------------------
  function renderMemory(m) {
    var body = $('memory').tBodies[0];
    body.replaceChildren();
    m.entries.forEach(function (e) {
      var tr = el('tr');
      tr.dataset.key = e.key;
      [e.memoryType, e.key, e.value, e.version, utc(e.updatedAt)].forEach(function (v) {
        var td = el('td', null, v);
        td.title = String(v);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    if (m.entries.length === 0) {
      var tr = el('tr');
      var td = el('td', 'muted', 'no memory in ' + m.scope);
      td.colSpan = 5;
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  // --- size and WAL over time -----------------------------------------------------------------
  function renderSize(s) {
    var data = [[], [], []];
    s.samples.forEach(function (p) {
      data[0].push(p[0] / 1000);
      data[1].push(p[1]);
      data[2].push(p[2]);
    });
    var box = $('size-chart');
    if (chart === null) {
      chart = new uPlot({
        width: Math.max(300, box.clientWidth - 10),
        height: 180,
        series: [
          {},
          { label: 'database', stroke: '#2f6fd6', value: function (u, v) { return bytes(v); } },
          { label: 'WAL', stroke: '#c98a16', value: function (u, v) { return bytes(v); } }
        ],
        axes: [{}, { size: 84, values: function (u, vals) { return vals.map(bytes); } }]
      }, data, box);
    } else {
      chart.setData(data);
    }
  }

  // --- the live event stream ------------------------------------------------------------------
  function addEvent(e) {
    var body = $('events').tBodies[0];
    var tr = el('tr', 'new');
    tr.dataset.seq = e.seq;
    tr.dataset.eventId = e.eventId;
    [e.seq, utc(e.timestamp), e.eventType, e.agentId, e.sessionId || '', JSON.stringify(e.metadata)]
      .forEach(function (v) { tr.appendChild(el('td', null, v)); });
    body.insertBefore(tr, body.firstChild);
    while (body.rows.length > MAX_EVENT_ROWS) { body.deleteRow(body.rows.length - 1); }
    lastSeq = e.seq;
    eventsSeen++;
    $('events-count').textContent = '(' + eventsSeen + ' received, last seq ' + lastSeq + ')';
    setTimeout(function () { tr.classList.remove('new'); }, 2000);
  }

  function connect(url) {
    var live = $('live');
    var source = new EventSource(url);
    source.addEventListener('open', function () {
      opens++;
      live.dataset.opens = String(opens);
      live.dataset.state = 'live';
      live.textContent = 'live';
    });
    source.addEventListener('agent', function (m) { addEvent(JSON.parse(m.data)); });
    source.addEventListener('error', function () {
      live.dataset.state = 'reconnecting';
      live.textContent = 'reconnecting';
      // A closed stream (every few seconds) is reopened by the browser with Last-Event-ID. An
      // error status (503: too many streams) ends the EventSource; reopen it after the last seq.
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(function () {
          // with nothing received yet, the newest events again, not the whole log
          connect('/ui/api/events/stream' + (lastSeq > 0 ? '?after=' + lastSeq : ''));
        }, 2000);
      }
    });
  }

  // --- refresh loop ---------------------------------------------------------------------------
  function refreshSession() {
    var id = $('session').value;
    if (!id) { return Promise.resolve(); }
    var q = '?session=' + encodeURIComponent(id);
    return Promise.all([
      getJson('/ui/api/timeline' + q).then(renderTimeline),
      refreshMemory()
    ]);
  }

  // the scope typed in, else the selected session's
  function refreshMemory() {
    var scope = $('scope').value.trim();
    var id = $('session').value;
    if (!scope && !id) { return Promise.resolve(); }
    var q = scope ? '?scope=' + encodeURIComponent(scope) : '?session=' + encodeURIComponent(id);
    return getJson('/ui/api/memory' + q).then(renderMemory);
  }

  function refresh() {
    return Promise.all([
      getJson('/ui/api/summary').then(renderSummary),
      getJson('/ui/api/size').then(renderSize),
      getJson('/ui/api/sessions?limit=500').then(renderSessions).then(refreshSession)
    ]).catch(function (e) { console.warn('dashboard refresh failed: ' + e.message); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('session').addEventListener('change', refreshSession);
    $('scope').addEventListener('change', function () {
      refreshMemory().catch(function (e) { console.warn('memory: ' + e.message); });
    });
    refresh();
    setInterval(refresh, REFRESH_MS);
    connect('/ui/api/events/stream');
  });
})();
