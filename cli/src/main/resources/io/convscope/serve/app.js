'use strict';
// convscope explorer: plain JavaScript over the server's /api (no build step, no external asset).
const $ = (id) => document.getElementById(id);
const S = { model: null, image: null, layer: null, unit: 0, fvJob: null, exJob: null, top: [] };

function showError(text) { const m = $('message'); m.textContent = text; m.hidden = !text; }
async function api(path, opts) {
  const r = await fetch('/api/' + path, Object.assign({ credentials: 'same-origin' }, opts || {}));
  const type = r.headers.get('Content-Type') || '';
  if (!r.ok) {
    const body = type.startsWith('application/json') ? await r.json() : { error: r.statusText };
    throw new Error(body.error || ('HTTP ' + r.status));
  }
  return type.startsWith('application/json') ? r.json() : r.blob();
}
const enc = encodeURIComponent;
const view = () => '&colormap=' + enc($('colormap').value) + '&norm=' + enc($('norm').value);
const fmt = (x) => (typeof x === 'number' ? (Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(2) : x.toFixed(3)) : x);
function statsText(s) { return 'mean ' + fmt(s.mean) + ' · std ' + fmt(s.std) + ' · min ' + fmt(s.min) + ' · max ' + fmt(s.max) + ' · zeros ' + (100 * s.zeros).toFixed(1) + '%'; }

async function setImg(img, path) {
  try {
    const b = await api(path);
    if (img.src && img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(b);
    img.hidden = false;
    await img.decode().catch(() => {});
    return true;
  } catch (e) { showError(e.message); return false; }
}

async function loadModel() {
  const m = await api('model');
  S.model = m;
  $('model-name').textContent = m.name;
  $('model-summary').textContent = m.layers.length + ' layers · input ' + m.input + ' · ' + m.params.toLocaleString('en') + ' parameters';
  for (const c of m.colormaps) $('colormap').add(new Option(c, c));
  for (const n of m.normalizations) $('norm').add(new Option(n, n));
  for (const x of m.methods) $('ex-method').add(new Option(x + (m.quickMethods.includes(x) ? '' : ' (job)'), x));
  $('ex-method').value = 'gradcam';
  const tb = document.querySelector('#layers tbody');
  m.layers.forEach((l, i) => {
    const tr = tb.insertRow();
    tr.className = l.maps ? 'maps' : 'nomaps';
    tr.dataset.layer = l.name;
    const multi = l.inputs.length > 1 || (i > 0 && l.inputs.length === 1 && l.inputs[0] !== m.layers[i - 1].name);
    for (const t of [i + 1, l.name, l.type, l.shape, l.params.toLocaleString('en'), multi ? l.inputs.join(', ') : (l.inputs.length ? '↑' : '')]) {
      tr.insertCell().textContent = t;
    }
    if (l.maps) tr.addEventListener('click', () => selectLayer(l.name));
  });
}

async function loadImages(select) {
  const r = await api('images');
  const sel = $('image-select');
  sel.textContent = '';
  for (const id of r.images) sel.add(new Option(id, id));
  if (select) sel.value = select;
  return r.images;
}

async function selectImage(id) {
  S.image = id;
  $('image-select').value = id;
  const ok = await setImg($('input-img'), 'image.png?image=' + enc(id));
  if (!ok) return;
  showError('');
  if (S.model.classifies) {
    const p = await api('predict?image=' + enc(id));
    S.top = p.top;
    const ol = $('predictions');
    ol.textContent = '';
    $('ex-class').textContent = '';
    for (const t of p.top) {
      const li = document.createElement('li');
      li.textContent = t.label + ' ' + (100 * t.probability).toFixed(2) + '%';
      li.dataset.index = t.index;
      ol.appendChild(li);
      $('ex-class').add(new Option(t.label + ' (' + t.index + ')', t.index));
    }
  }
  if (S.layer) await showLayer();
}

function selectLayer(name, unit) {
  S.layer = name;
  for (const tr of document.querySelectorAll('#layers tr')) tr.classList.toggle('current', tr.dataset.layer === name);
  if (unit !== undefined) { S.unit = unit; showTab('unit-view'); }
  return showLayer();
}

async function showLayer() {
  if (!S.image || !S.layer) return;
  try {
    const info = await api('layer?image=' + enc(S.image) + '&layer=' + enc(S.layer));
    S.grid = info.grid;
    S.channels = info.shape[0];
    $('layer-name').textContent = S.layer + ' · ' + info.shape[0] + ' channels · ' + info.shape[1] + '×' + info.shape[2];
    $('layer-stats').textContent = statsText(info.stats) + ' · channels zero here ' + info.dead;
    const tc = $('top-channels');
    tc.textContent = '';
    for (const t of info.top) {
      const a = document.createElement('a');
      a.href = '#'; a.textContent = t.channel; a.className = 'topc';
      a.addEventListener('click', (e) => { e.preventDefault(); selectUnit(t.channel); });
      tc.append(a, ' ');
    }
    await setImg($('grid'), 'grid.png?image=' + enc(S.image) + '&layer=' + enc(S.layer) + view());
    if (!$('unit-view').hidden) await showUnit();
  } catch (e) { showError(e.message); }
}

function gridClick(ev) {
  const g = S.grid, img = $('grid');
  if (!g) return;
  const sx = img.naturalWidth / img.clientWidth, sy = img.naturalHeight / img.clientHeight;
  const x = ev.offsetX * sx - g.left, y = ev.offsetY * sy - (img.naturalHeight - g.bottom - g.height);
  const col = Math.floor(x / (g.cellWidth + g.gap)), row = Math.floor(y / (g.cellHeight + g.gap));
  if (x < 0 || y < 0 || col >= g.columns) return;
  const c = row * g.columns + col;
  if (c < g.count) selectUnit(c);
}

function unitPath() { return '/m/' + enc(S.model.name) + '/layer/' + enc(S.layer) + '/unit/' + S.unit; }
function selectUnit(c) {
  S.unit = c;
  history.replaceState(null, '', unitPath());
  showTab('unit-view');
}

async function showUnit() {
  if (!S.layer || !S.image) return;
  $('unit-c').max = S.channels - 1;
  $('unit-c').value = S.unit;
  $('unit-name').textContent = S.layer + ' channel ' + S.unit;
  $('unit-link').href = unitPath();
  try {
    const u = await api('unit?image=' + enc(S.image) + '&layer=' + enc(S.layer) + '&c=' + S.unit);
    $('unit-stats').textContent = statsText(u.stats) + ' · map ' + u.size[0] + '×' + u.size[1];
    $('unit-atlas').hidden = !u.atlas;
    if (u.atlas) $('unit-atlas').href = u.atlas;
    const q = 'image=' + enc(S.image) + '&layer=' + enc(S.layer) + '&c=' + S.unit + view();
    await setImg($('unit-overlay'), 'unit.png?' + q);
    await setImg($('unit-map'), 'unit.png?' + q + '&overlay=0');
    const at = u.strongest;
    $('unit-proj-at').textContent = at.value > 0 ? 'of the strongest activation, ' + fmt(at.value) + ' at row ' + at.y + ', column ' + at.x + ' of the map'
      : 'zero here: the unit\'s pattern at row ' + at.y + ', column ' + at.x;
    await setImg($('unit-proj'), 'projection.png?image=' + enc(S.image) + '&layer=' + enc(S.layer) + '&c=' + S.unit);
    $('fv-img').hidden = true;
    $('fv-state').textContent = '';
    const fv = 'featurevis.png?layer=' + enc(S.layer) + '&c=' + S.unit + '&steps=' + $('fv-steps').value;
    try { const b = await api(fv); $('fv-img').src = URL.createObjectURL(b); $('fv-img').hidden = false; $('fv-state').textContent = 'cached'; } catch (e) { /* not computed yet */ }
  } catch (e) { showError(e.message); }
}

function follow(job, prefix, done) {
  const es = new EventSource('/api/jobs/' + job.id + '/events');
  $(prefix + '-cancel').disabled = false;
  $(prefix + '-cancel').onclick = () => api('jobs/' + job.id + '/cancel', { method: 'POST' }).catch((e) => showError(e.message));
  es.onmessage = (ev) => {
    const j = JSON.parse(ev.data);
    const bar = $(prefix + '-progress');
    if (bar) { bar.max = Math.max(1, j.total); bar.value = j.done; }
    $(prefix + '-state').textContent = j.state + (j.total > 0 ? ' ' + j.done + '/' + j.total : '') + ' · ' + j.seconds.toFixed(1) + ' s' + (j.message ? ' · ' + j.message : '');
    if (['done', 'failed', 'cancelled'].includes(j.state)) {
      es.close();
      $(prefix + '-cancel').disabled = true;
      if (j.state === 'done') done(j);
      if (j.state === 'failed') showError(j.message);
    }
  };
  es.onerror = () => { es.close(); $(prefix + '-cancel').disabled = true; };
}

async function startFeatureVis() {
  try {
    const j = await api('jobs?kind=featurevis&layer=' + enc(S.layer) + '&c=' + S.unit + '&steps=' + enc($('fv-steps').value), { method: 'POST' });
    S.fvJob = j.id;
    follow(j, 'fv', () => setImg($('fv-img'), 'jobs/' + j.id + '/result.png'));
  } catch (e) { showError(e.message); }
}

async function runExplain() {
  const method = $('ex-method').value, target = $('ex-class').value;
  if (!S.image || target === '') return;
  $('ex-state').textContent = '';
  try {
    if (S.model.quickMethods.includes(method)) {
      $('ex-state').textContent = 'computing…';
      if (await setImg($('ex-img'), 'explain.png?image=' + enc(S.image) + '&method=' + enc(method) + '&target=' + enc(target))) {
        $('ex-state').textContent = method;
        showError('');
      }
    } else {
      const j = await api('jobs?kind=explain&image=' + enc(S.image) + '&method=' + enc(method) + '&target=' + enc(target), { method: 'POST' });
      follow(j, 'ex', () => setImg($('ex-img'), 'jobs/' + j.id + '/result.png'));
    }
  } catch (e) { showError(e.message); }
}

async function upload(file) {
  try {
    const r = await api('upload?name=' + enc(file.name), { method: 'POST', body: file });
    await loadImages(r.image);
    await selectImage(r.image);
  } catch (e) { showError(e.message); }
}

function showTab(id) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('on', b.dataset.tab === id);
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== id;
  if (id === 'unit-view') showUnit();
  if (id === 'explain-view' && !$('ex-img').src) runExplain();
}

async function main() {
  // listeners first: a user (or a test) may act while the first views load
  $('image-select').addEventListener('change', (e) => selectImage(e.target.value));
  $('colormap').addEventListener('change', showLayer);
  $('norm').addEventListener('change', showLayer);
  $('grid').addEventListener('click', gridClick);
  $('unit-c').addEventListener('change', (e) => selectUnit(Math.max(0, parseInt(e.target.value, 10) || 0)));
  $('fv-start').addEventListener('click', startFeatureVis);
  $('ex-run').addEventListener('click', runExplain);
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab));
  $('file').addEventListener('change', (e) => { const f = e.target.files[0]; if (f) upload(f).then(() => { e.target.value = ''; }); });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]); });
  try {
    await loadModel();
    const images = await loadImages();
    const m = location.pathname.match(/^\/m\/[^/]+\/layer\/(.+)\/unit\/(\d+)$/);
    if (images.length) await selectImage(images[0]);
    if (m) await selectLayer(decodeURIComponent(m[1]), parseInt(m[2], 10));
    else {
      const first = S.model.layers.find((l) => l.maps);
      if (first) await selectLayer(first.name);
    }
  } catch (e) { showError(e.message); }
  document.body.dataset.ready = '1';
}
main();
