// 端到端：wx.request / wx.uploadFile 换成真实 HTTP，发往 RISKMON_BASE_URL 指向的平台服务器（make test 会启动一个）。
const h = require('./helpers');
const config = require('../config');
const api = require('../utils/api');
const drafts = require('../utils/drafts');

const BASE = process.env.RISKMON_BASE_URL;
const PASSWORD = process.env.RISKMON_PASSWORD || 'Demo#2026';
const DEACTIVATED = process.env.RISKMON_DEACTIVATED_USER;
const WECHAT = process.env.RISKMON_WECHAT_STUB === '1';
const REASON = '未设置 RISKMON_BASE_URL，跳过端到端测试（make test 会启动服务器并设置它）';

if (!BASE) {
  // eslint-disable-next-line no-console
  console.warn(REASON);
}
const e2e = BASE ? describe : describe.skip;
const when = (flag, reason) => (flag ? test : (name, fn) => test.skip(name + '（' + reason + '）', fn));

let env;
let originalBase;
beforeAll(() => { originalBase = config.baseUrl; config.baseUrl = (BASE || '').replace(/\/$/, ''); });
afterAll(() => { config.baseUrl = originalBase; });
beforeEach(() => {
  env = h.installWx({ photos: [h.photoFile('现场照片.jpg')] });
  h.httpShim(env);
});

async function signIn(username) {
  api.signOut();
  const page = await h.openPage('login');
  await h.type(page, '.username', username);
  await h.type(page, '.password', PASSWORD);
  await page.instance.signIn();
  await h.settle();
  return page;
}

async function fillAndSubmit(title, beforeSubmit = () => {}) {
  const page = await h.openPage('submit');
  const levels = page.data.levels;
  expect(levels[0].length).toBeGreaterThan(5);
  await h.change(page, '.kind-picker', 1);
  await h.change(page, '.domain-picker', 3);
  await h.change(page, '.level-0', levels[0].findIndex((r) => r.code === '3000'));
  await h.change(page, '.level-1', page.data.levels[1].findIndex((r) => r.code === '3100'));
  await h.change(page, '.level-2', page.data.levels[2].findIndex((r) => r.code === '3110'));
  await h.type(page, '.title', title);
  await h.type(page, '.content', '小程序现场报送：3 号电梯层门门锁回路被短接，已停梯。');
  await h.tap(page, '.add-photo');
  expect(page.data.photos.length).toBe(1);
  beforeSubmit();
  const sent = await page.instance.submit();
  await h.settle();
  return { page, sent };
}

async function attachments(reportId) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: config.baseUrl + config.apiPrefix + '/reports/' + reportId + '/attachments', method: 'GET',
      header: { Authorization: 'Bearer ' + api.getToken() },
      success: (res) => resolve(res.data), fail: reject,
    });
  });
}

async function myReportTitles() {
  const page = await h.openPage('reports');
  return h.all(page, '.report-title');
}

async function waitFor(check, ms = 45000) {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return true; // eslint-disable-line no-await-in-loop
    await new Promise((r) => setTimeout(r, 100)); // eslint-disable-line no-await-in-loop
  }
  return false;
}

e2e('端到端：真实服务器 ' + (BASE || ''), () => {
  const stamp = Date.now();
  const title = '【小程序】电梯层门门锁失效 ' + stamp;
  let reportId;

  test('reporter.unit 登录、报送一条带照片的信息，并在“我的报送”中看到它', async () => {
    await signIn('reporter.unit');
    expect(env.calls.switchTab).toEqual(['/pages/submit/index']);
    const { sent } = await fillAndSubmit(title);
    expect(sent && sent.id).toBeTruthy();
    reportId = sent.id;
    expect(env.calls.navigateTo).toEqual(['/pages/report/index?id=' + reportId + '&submitted=1']);
    const files = await attachments(reportId);
    expect(files.total).toBe(1);
    expect(files.items[0].content_type).toBe('image/jpeg');
    expect(await myReportTitles()).toContain(title);
    const detail = await h.openPage('report', { id: String(reportId), submitted: '1' });
    expect(h.text(detail, '.report-title')).toBe(title);
    expect(h.all(detail, '.step-text')).toContain('您的信息已报送成功');
  });

  test('director.unit 在待办中确认这条报送并安排处置', async () => {
    expect(reportId).toBeTruthy();
    await signIn('director.unit');
    expect(env.calls.switchTab).toEqual(['/pages/inbox/index']);
    const inbox = await h.openPage('inbox');
    const index = inbox.data.items.findIndex((t) => t.report_id === reportId && t.element_id === 'director_acknowledge');
    expect(index).toBeGreaterThanOrEqual(0);
    const taskId = inbox.data.items[index].id;
    const page = await h.openPage('task', { id: taskId });
    expect(h.text(page, '.task-name')).toBe('安全总监确认并安排处置');
    expect(await page.instance.complete()).toBe(false); // 必填项未填
    await h.type(page, '.field-handling_arrangement .field-input', '立即停梯，通知维保单位今日更换门锁');
    await h.type(page, '.field-responsible_person .field-input', '设备科 赵工');
    await h.change(page, '.field-handling_deadline', '2026-12-31');
    expect(await page.instance.complete()).toBe(true);
    const after = await h.openPage('inbox');
    expect(after.data.items.some((t) => t.id === taskId)).toBe(false);
    await signIn('reporter.unit');
    const detail = await h.openPage('report', { id: String(reportId) });
    expect(h.all(detail, '.step-text')).toContain('单位安全总监已确认，并安排了处置');
  });

  when(DEACTIVATED, '未设置 RISKMON_DEACTIVATED_USER')('停用的账号不能登录', async () => {
    const page = await signIn(DEACTIVATED);
    expect(h.text(page, '.login-error')).toBeTruthy();
    expect(api.getToken()).toBe('');
    expect(env.calls.switchTab).toEqual([]);
  });

  test('断网时报送保存为草稿，联网后自动发送（含照片）', async () => {
    await signIn('reporter.unit');
    drafts.watch();
    const offlineTitle = '【小程序】断网草稿 ' + stamp;
    const { page, sent } = await fillAndSubmit(offlineTitle, () => { env.state.online = false; });
    expect(sent).toBeNull();
    expect(env.calls.modals.map((m) => m.title)).toEqual(['网络不可用']);
    expect(drafts.list().length).toBe(1);
    expect(h.text(page, '.drafts')).toContain(offlineTitle);
    env.state.online = true;
    expect(await myReportTitles()).not.toContain(offlineTitle); // 断网期间没有发出去
    env.setNetwork(true);
    expect(await waitFor(() => drafts.list().length === 0)).toBe(true);
    const titles = await myReportTitles();
    expect(titles).toContain(offlineTitle);
    const list = await h.openPage('reports');
    const row = list.data.items.find((r) => r.title === offlineTitle);
    expect((await attachments(row.id)).total).toBe(1);
  });

  when(WECHAT, '服务器未接微信接口桩（RISKMON_WECHAT_STUB）')('绑定微信后可微信一键登录', async () => {
    await signIn('reporter.unit');
    env.state.loginCodes.push('stub:openid-e2e-' + stamp, 'stub:openid-e2e-' + stamp);
    const mine = await h.openPage('mine');
    await mine.instance.bind();
    await h.settle();
    expect(h.text(mine, '.binding-state')).toContain('已绑定微信');
    await h.tap(mine, '.sign-out');
    env.calls.switchTab.length = 0;
    const login = await h.openPage('login');
    await login.instance.wechatSignIn();
    expect(api.getToken()).not.toBe('');
    expect(api.currentUser().username).toBe('reporter.unit');
    expect(env.calls.switchTab).toEqual(['/pages/submit/index']);
  });
});

if (!BASE) {
  test.skip(REASON, () => {});
}
