// 测试工具：模拟 wx 接口（存储、导航、相机、网络），渲染页面；请求可交给内存中的假服务器，或用 httpShim 发往真实服务器。
const fs = require('fs');
const http = require('http');
const path = require('path');
const simulate = require('miniprogram-simulate');

const ROOT = path.resolve(__dirname, '..');
const config = require('../config');

function installWx(options = {}) {
  const storage = new Map();
  const calls = { navigateTo: [], switchTab: [], reLaunch: [], navigateBack: [], toasts: [], modals: [], badges: [], subscribed: [] };
  const networkListeners = [];
  const state = { online: true, chosen: options.photos || [], loginCodes: (options.loginCodes || []).slice() };
  Object.assign(wx, {
    getStorageSync: (k) => (storage.has(k) ? JSON.parse(storage.get(k)) : ''),
    setStorageSync: (k, v) => { storage.set(k, JSON.stringify(v)); },
    removeStorageSync: (k) => { storage.delete(k); },
    navigateTo: (o) => calls.navigateTo.push(o.url),
    switchTab: (o) => calls.switchTab.push(o.url),
    reLaunch: (o) => calls.reLaunch.push(o.url),
    navigateBack: (o) => calls.navigateBack.push(o || {}),
    showToast: (o) => calls.toasts.push(o.title),
    showModal: (o) => calls.modals.push(o),
    stopPullDownRefresh: () => { calls.stoppedRefresh = (calls.stoppedRefresh || 0) + 1; },
    setTabBarBadge: (o) => calls.badges.push(o.text),
    removeTabBarBadge: () => calls.badges.push(''),
    chooseMedia: (o) => { calls.chooseMedia = o; o.success({ tempFiles: state.chosen.map((p) => ({ tempFilePath: p, fileType: 'image' })) }); },
    login: (o) => { const code = state.loginCodes.shift(); if (code) o.success({ code, errMsg: 'login:ok' }); else o.fail({ errMsg: 'login:fail' }); },
    requestSubscribeMessage: (o) => { calls.subscribed.push(o.tmplIds); o.success(Object.fromEntries(o.tmplIds.map((id) => [id, 'accept']))); },
    getFileSystemManager: () => ({ saveFileSync: (p) => p }),
    onNetworkStatusChange: (fn) => networkListeners.push(fn),
    getNetworkType: (o) => o.success({ networkType: state.online ? 'wifi' : 'none' }),
  });
  return {
    storage, calls, state,
    setNetwork(online) {
      state.online = online;
      networkListeners.forEach((fn) => fn({ isConnected: online, networkType: online ? 'wifi' : 'none' }));
    },
    networkListeners,
  };
}

// 内存中的假服务器：routes 为 {"GET /reports/{report_id}": (req) => [status, body]}；离线时请求失败（request:fail）。
function fakeServer(env, routes) {
  const seen = [];
  function match(method, url) {
    const [pathname, search] = url.replace(config.baseUrl + config.apiPrefix, '').split('?');
    for (const key of Object.keys(routes)) {
      const [m, template] = key.split(' ');
      const pattern = new RegExp('^' + template.replace(/\{\w+\}/g, '([^/]+)') + '$');
      const found = m === method && pathname.match(pattern);
      if (found) return { handler: routes[key], params: found.slice(1), query: new URLSearchParams(search || '') };
    }
    return null;
  }
  function handle(method, opts, body) {
    seen.push({ method, url: opts.url, data: body, header: opts.header });
    if (!env.state.online) return opts.fail({ errMsg: 'request:fail' });
    const route = match(method, opts.url);
    const [statusCode, data] = route ? route.handler({ params: route.params, query: route.query, data: body, header: opts.header })
      : [404, { error: { code: 'not_found', message: '接口不存在' } }];
    return opts.success({ statusCode, data: method === 'UPLOAD' ? JSON.stringify(data) : data });
  }
  wx.request = (opts) => setTimeout(() => handle(opts.method || 'GET', opts, opts.data), 0);
  wx.uploadFile = (opts) => setTimeout(() => handle('POST', opts, { filePath: opts.filePath, name: opts.name }), 0);
  return seen;
}

function send(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ statusCode: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

// 真实 HTTP：把 wx.request / wx.uploadFile 换成发往 RISKMON_BASE_URL 的请求（multipart 自己拼装）。
function httpShim(env) {
  const log = [];
  wx.request = (opts) => {
    const method = opts.method || 'GET';
    const body = opts.data !== undefined && method !== 'GET' ? Buffer.from(JSON.stringify(opts.data)) : null;
    log.push({ method, url: opts.url });
    if (!env.state.online) { setTimeout(() => opts.fail({ errMsg: 'request:fail' }), 0); return; }
    send(method, opts.url, Object.assign({}, opts.header, body ? { 'Content-Length': body.length } : {}), body)
      .then((res) => {
        let data = res.text;
        try { data = JSON.parse(res.text); } catch (e) { /* 非 JSON 原样返回 */ }
        opts.success({ statusCode: res.statusCode, data, header: {} });
      })
      .catch(() => opts.fail({ errMsg: 'request:fail' }));
  };
  wx.uploadFile = (opts) => {
    log.push({ method: 'UPLOAD', url: opts.url });
    if (!env.state.online) { setTimeout(() => opts.fail({ errMsg: 'uploadFile:fail' }), 0); return; }
    const boundary = '----riskmon' + Date.now();
    const head = Buffer.from('--' + boundary + '\r\nContent-Disposition: form-data; name="' + opts.name + '"; filename="'
      + path.basename(opts.filePath) + '"\r\nContent-Type: application/octet-stream\r\n\r\n');
    const body = Buffer.concat([head, fs.readFileSync(opts.filePath), Buffer.from('\r\n--' + boundary + '--\r\n')]);
    send('POST', opts.url, Object.assign({}, opts.header, {
      'Content-Type': 'multipart/form-data; boundary=' + boundary, 'Content-Length': body.length,
    }), body)
      .then((res) => opts.success({ statusCode: res.statusCode, data: res.text }))
      .catch(() => opts.fail({ errMsg: 'uploadFile:fail' }));
  };
  return log;
}

async function settle(ms = 0) {
  for (let i = 0; i < 5; i += 1) await simulate.sleep(ms); // eslint-disable-line no-await-in-loop
}

const loaded = {};

async function openPage(name, query = {}) {
  const id = loaded[name] || (loaded[name] = simulate.load(path.join(ROOT, 'pages', name, 'index'), { rootPath: ROOT }));
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  await page.instance.onLoad(query);
  await settle();
  return page;
}

function text(page, selector) {
  const node = page.querySelector(selector);
  return node ? node.dom.textContent : null;
}

function all(page, selector) {
  return page.querySelectorAll(selector).map((n) => n.dom.textContent);
}

async function tap(page, selector) {
  const node = page.querySelector(selector);
  if (!node) throw new Error('找不到 ' + selector);
  node.dispatchEvent('tap');
  await settle();
}

async function type(page, selector, value) {
  page.querySelector(selector).dispatchEvent('input', { detail: { value } });
  await settle();
}

async function change(page, selector, value) {
  page.querySelector(selector).dispatchEvent('change', { detail: { value } });
  await settle();
}

// 一张真实的最小 JPEG（1×1 像素）。
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////'
  + '////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=', 'base64');

function photoFile(name = '现场照片.jpg') {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'riskmon-mp-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, JPEG);
  return file;
}

module.exports = { installWx, fakeServer, httpShim, openPage, text, all, tap, type, change, settle, photoFile, ROOT, JPEG };
