// 平台 JSON 接口（/api/v1）的小客户端：wx.request / wx.uploadFile，令牌保存在本地存储。
// 每个接口都在 ENDPOINTS 里写成“方法 路径”，路径与 /api/v1/openapi.json 中的写法一致（测试逐条核对）。
const config = require('../config');

const TOKEN_KEY = 'riskmon.token';
const USER_KEY = 'riskmon.user';

const ENDPOINTS = {
  signIn: 'POST /auth/token',
  wechatSignIn: 'POST /auth/wechat',
  me: 'GET /me',
  wechatBinding: 'GET /me/wechat-binding',
  bindWechat: 'POST /me/wechat-binding',
  unbindWechat: 'DELETE /me/wechat-binding',
  wechatConfig: 'GET /wechat/config',
  equipmentTypes: 'GET /equipment-types',
  createReport: 'POST /reports',
  reports: 'GET /reports',
  report: 'GET /reports/{report_id}',
  uploadAttachment: 'POST /reports/{report_id}/attachments',
  tasks: 'GET /tasks',
  task: 'GET /tasks/{task_id}',
  completeTask: 'POST /tasks/{task_id}/complete',
  notifications: 'GET /me/notifications',
  readNotification: 'POST /me/notifications/{notification_id}/read',
};
const PUBLIC = ['signIn', 'wechatSignIn'];
const NETWORK_MESSAGE = '网络连接失败，请检查网络后重试';

class ApiError extends Error {
  constructor(message, { status = 0, code = 'network', details = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.network = status === 0;
  }
}

function getToken() {
  return wx.getStorageSync(TOKEN_KEY) || '';
}

function setSession(token, user) {
  wx.setStorageSync(TOKEN_KEY, token);
  if (user) wx.setStorageSync(USER_KEY, user);
}

function currentUser() {
  return wx.getStorageSync(USER_KEY) || null;
}

function signOut() {
  wx.removeStorageSync(TOKEN_KEY);
  wx.removeStorageSync(USER_KEY);
}

function hasRole(user, role) {
  return !!(user && (user.roles || []).indexOf(role) >= 0);
}

function encodeQuery(query) {
  const parts = Object.keys(query || {})
    .filter((k) => query[k] !== undefined && query[k] !== null && query[k] !== '')
    .map((k) => encodeURIComponent(k) + '=' + encodeURIComponent(query[k]));
  return parts.length ? '?' + parts.join('&') : '';
}

function resolve(name, params, query) {
  const spec = ENDPOINTS[name];
  if (!spec) throw new Error('未知接口：' + name);
  const [method, template] = spec.split(' ');
  const path = template.replace(/\{(\w+)\}/g, (_, key) => {
    if (params === undefined || params[key] === undefined) throw new Error('缺少路径参数：' + key);
    return encodeURIComponent(params[key]);
  });
  return { method, url: config.baseUrl + config.apiPrefix + path + encodeQuery(query) };
}

function headers(name) {
  const token = getToken();
  const result = { 'Content-Type': 'application/json' };
  if (token && PUBLIC.indexOf(name) < 0) result.Authorization = 'Bearer ' + token;
  return result;
}

function errorFrom(statusCode, body) {
  const error = (body && body.error) || {};
  const message = error.message || '服务器暂时无法处理请求（' + statusCode + '），请稍后重试';
  return new ApiError(message, { status: statusCode, code: error.code || 'http_' + statusCode, details: error.details });
}

function onExpired(name, status) {
  // 令牌失效（过期、改密、账号停用）：清除本地登录状态，回到登录页。
  if (status === 401 && PUBLIC.indexOf(name) < 0) {
    signOut();
    wx.reLaunch({ url: '/pages/login/index' });
  }
}

function settle(name, statusCode, body, resolvePromise, reject) {
  if (statusCode >= 200 && statusCode < 300) return resolvePromise(body);
  onExpired(name, statusCode);
  return reject(errorFrom(statusCode, body));
}

function call(name, { params, query, data } = {}) {
  const { method, url } = resolve(name, params, query);
  return new Promise((resolvePromise, reject) => {
    wx.request({
      url, method, data, header: headers(name), timeout: 15000,
      success: (res) => settle(name, res.statusCode, res.data, resolvePromise, reject),
      fail: () => reject(new ApiError(NETWORK_MESSAGE)),
    });
  });
}

function upload(name, params, filePath) {
  const { url } = resolve(name, params);
  const header = headers(name);
  delete header['Content-Type'];
  return new Promise((resolvePromise, reject) => {
    wx.uploadFile({
      url, filePath, name: 'file', header, timeout: 60000,
      success: (res) => {
        let body = null;
        try { body = typeof res.data === 'string' ? JSON.parse(res.data) : res.data; } catch (e) { body = null; }
        settle(name, res.statusCode, body, resolvePromise, reject);
      },
      fail: () => reject(new ApiError(NETWORK_MESSAGE)),
    });
  });
}

function showError(error) {
  wx.showToast({ title: (error && error.message) || '操作失败', icon: 'none', duration: 3000 });
}

module.exports = {
  ENDPOINTS, ApiError, call, upload, getToken, setSession, currentUser, signOut, hasRole, showError,
  TOKEN_KEY, USER_KEY, resolve,
};
