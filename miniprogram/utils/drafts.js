// 断网时的报送草稿：保存在本地存储，联网后（wx.onNetworkStatusChange）自动发送。
// 草稿记住已创建的报送编号和已上传的照片，重发时只补做未完成的部分，不会重复报送。
const api = require('./api');

const KEY = 'riskmon.drafts';
let flushing = null;
let listeners = [];

function list() {
  return wx.getStorageSync(KEY) || [];
}

function store(drafts) {
  wx.setStorageSync(KEY, drafts);
  listeners.forEach((fn) => fn(drafts));
}

function update(draft) {
  const drafts = list().filter((d) => d.id !== draft.id);
  drafts.push(draft);
  store(drafts);
}

function remove(id) {
  store(list().filter((d) => d.id !== id));
}

function keepFile(path) {
  // 临时文件在小程序退出后可能被清理：草稿中的照片另存一份。
  try {
    return wx.getFileSystemManager().saveFileSync(path);
  } catch (e) {
    return path;
  }
}

function create(report, photos) {
  return {
    id: 'draft-' + Date.now() + '-' + Math.floor(Math.random() * 1e6),
    report, photos: photos.map((p) => ({ path: p, uploaded: false })),
    report_id: null, tracking_no: null, error: null, saved_at: new Date().toISOString(),
  };
}

function persist(draft) {
  const kept = Object.assign({}, draft, { photos: draft.photos.map((p) => (p.uploaded ? p : { path: keepFile(p.path), uploaded: false })) });
  update(kept);
  return kept;
}

async function send(draft) {
  if (!draft.report_id) {
    const created = await api.call('createReport', { data: draft.report });
    draft.report_id = created.id;
    draft.tracking_no = created.tracking_no;
    if (list().some((d) => d.id === draft.id)) update(draft);
  }
  for (const photo of draft.photos) {
    if (photo.uploaded) continue;
    await api.upload('uploadAttachment', { report_id: draft.report_id }, photo.path);
    photo.uploaded = true;
    if (list().some((d) => d.id === draft.id)) update(draft);
  }
  return { id: draft.report_id, tracking_no: draft.tracking_no };
}

async function sendOne(draft) {
  try {
    const sent = await send(draft);
    remove(draft.id);
    return sent;
  } catch (error) {
    if (!error.network) update(Object.assign({}, draft, { error: error.message }));
    throw error;
  }
}

async function flushAll() {
  const sent = [];
  for (const draft of list()) {
    if (draft.error) continue; // 服务器拒收的草稿留给报送员修改，不反复重发
    try {
      sent.push(await sendOne(draft));
    } catch (error) {
      if (error.network) break;
    }
  }
  if (sent.length) {
    wx.showToast({ title: '网络已恢复，已发送 ' + sent.length + ' 条草稿', icon: 'none', duration: 3000 });
  }
  return sent;
}

function flush() {
  if (!flushing) {
    flushing = flushAll().finally(() => { flushing = null; });
  }
  return flushing;
}

function watch() {
  wx.onNetworkStatusChange((res) => {
    if (res.isConnected && api.getToken()) flush();
  });
}

function subscribe(fn) {
  listeners.push(fn);
  return () => { listeners = listeners.filter((f) => f !== fn); };
}

module.exports = { KEY, list, create, persist, send, sendOne, flush, watch, remove, subscribe };
