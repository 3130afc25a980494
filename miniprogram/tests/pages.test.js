// 每个页面都渲染并操作一遍（请求交给内存中的假服务器）。
const h = require('./helpers');
const f = require('./fixtures');
const api = require('../utils/api');
const labels = require('../utils/labels');

let env;
beforeEach(() => {
  env = h.installWx({ photos: [h.photoFile('a.jpg'), h.photoFile('b.jpg')], loginCodes: ['wx-code-1'] });
});

function signedIn(user = f.REPORTER) {
  api.setSession('tok-' + user.username, user);
}

describe('登录页', () => {
  test('用户名密码登录后按角色进入首页，令牌存入本地', async () => {
    const seen = h.fakeServer(env, {
      'POST /auth/token': ({ data }) => (data.password === 'Demo#2026' ? [200, { token: 'tok-1' }] : [401, { error: { code: 'unauthorized', message: '用户名或密码错误' } }]),
      'GET /me': ({ header }) => (header.Authorization === 'Bearer tok-1' ? [200, f.DIRECTOR] : [401, {}]),
    });
    const page = await h.openPage('login');
    expect(h.text(page, '.brand-title')).toBe('陕西省特种设备风险监测平台');
    expect(h.text(page, '.sign-in')).toBe('登录');
    await h.tap(page, '.sign-in');
    expect(h.text(page, '.login-error')).toBe('请输入用户名和密码');
    await h.type(page, '.username', 'director.unit');
    await h.type(page, '.password', 'wrong');
    await h.tap(page, '.sign-in');
    expect(h.text(page, '.login-error')).toBe('用户名或密码错误');
    expect(wx.getStorageSync(api.TOKEN_KEY)).toBe('');
    await h.type(page, '.password', 'Demo#2026');
    await h.tap(page, '.sign-in');
    expect(seen[seen.length - 2].data).toEqual({ username: 'director.unit', password: 'Demo#2026' });
    expect(wx.getStorageSync(api.TOKEN_KEY)).toBe('tok-1');
    expect(env.calls.switchTab).toEqual(['/pages/inbox/index']);
  });

  test('微信一键登录：未配置时显示服务器的中文说明', async () => {
    const seen = h.fakeServer(env, {
      'POST /auth/wechat': () => [501, { error: { code: 'wechat_not_configured', message: '本平台未配置微信小程序，请使用用户名和密码登录' } }],
    });
    const page = await h.openPage('login');
    await h.tap(page, '.wechat-sign-in');
    expect(seen[0].data).toEqual({ code: 'wx-code-1' });
    expect(h.text(page, '.login-error')).toContain('未配置微信小程序');
    expect(env.calls.switchTab).toEqual([]);
  });

  test('微信一键登录成功后报送员进入报送页', async () => {
    h.fakeServer(env, { 'POST /auth/wechat': () => [200, { token: 'tok-wx' }], 'GET /me': () => [200, f.REPORTER] });
    const page = await h.openPage('login');
    await h.tap(page, '.wechat-sign-in');
    expect(wx.getStorageSync(api.TOKEN_KEY)).toBe('tok-wx');
    expect(env.calls.switchTab).toEqual(['/pages/submit/index']);
  });
});

function submitRoutes(extra = {}) {
  const created = [];
  const uploads = [];
  const routes = Object.assign({
    'GET /equipment-types': () => [200, { items: f.EQUIPMENT, total: f.EQUIPMENT.length }],
    'POST /reports': ({ data }) => { created.push(data); return [201, f.report(41, { title: data.title })]; },
    'POST /reports/{report_id}/attachments': ({ params, data }) => { uploads.push([params[0], data.filePath]); return [201, { id: uploads.length }]; },
  }, extra);
  return { routes, created, uploads };
}

async function fillReport(page, title = '电梯层门门锁回路被短接') {
  await h.change(page, '.kind-picker', 1);
  await h.change(page, '.domain-picker', 3);
  await h.change(page, '.level-0', 1);
  await h.change(page, '.level-1', 0);
  await h.change(page, '.level-2', 0);
  await h.type(page, '.title', title);
  await h.type(page, '.content', '现场检查发现层门门锁回路被短接。');
  await h.tap(page, '.add-photo');
}

describe('报送页', () => {
  test('显示应急提示和不作处罚依据的说明', async () => {
    signedIn();
    h.fakeServer(env, submitRoutes().routes);
    const page = await h.openPage('submit');
    expect(h.text(page, '.emergency-notice')).toContain('96333');
    expect(h.text(page, '.emergency-notice')).toContain('市场监管部门');
    expect(h.text(page, '.assist-notice')).toContain('仅用于帮扶指导解决问题，不作为行政处罚或其他行政约束的依据');
  });

  test('设备目录三级联动，内容计数，缺项时给出中文提示', async () => {
    signedIn();
    h.fakeServer(env, submitRoutes().routes);
    const page = await h.openPage('submit');
    expect(page.querySelector('.level-1')).toBeFalsy();
    await h.tap(page, '.submit-button');
    expect(h.text(page, '.submit-error')).toBe('请选择报送类型');
    await h.change(page, '.kind-picker', 0);
    await h.change(page, '.domain-picker', 0);
    await h.tap(page, '.submit-button');
    expect(h.text(page, '.submit-error')).toBe('请选择设备种类');
    await h.change(page, '.level-0', 1);
    expect(page.data.levels[1].map((r) => r.name)).toEqual(['曳引与强制驱动电梯', '液压驱动电梯']);
    await h.change(page, '.level-1', 0);
    expect(page.data.levels[2].map((r) => r.code)).toEqual(['3110', '3120']);
    await h.change(page, '.level-0', 0); // 换种类：下级清空
    expect(page.data.chosen).toEqual(['2000', null, null]);
    expect(page.querySelector('.level-1')).toBeFalsy();
    await h.tap(page, '.submit-button');
    expect(h.text(page, '.submit-error')).toBe('请填写报送内容');
    await h.type(page, '.content', '五个字内容');
    expect(h.text(page, '.content-counter')).toBe('5/' + labels.CONTENT_MAX);
  });

  test('提交报送并上传照片，成功后打开详情', async () => {
    signedIn();
    const server = submitRoutes();
    h.fakeServer(env, server.routes);
    const page = await h.openPage('submit');
    await fillReport(page);
    expect(env.calls.chooseMedia.sourceType).toEqual(['camera', 'album']);
    expect(page.querySelectorAll('.photo-img').length).toBe(2);
    page.querySelectorAll('.photo-remove')[1].dispatchEvent('tap');
    await h.settle();
    expect(page.data.photos.length).toBe(1);
    const sent = await page.instance.submit();
    expect(sent.id).toBe(41);
    expect(server.created).toEqual([{ kind: 'risk_hazard', domain: 'use', equipment_type_code: '3110',
      title: '电梯层门门锁回路被短接', content: '现场检查发现层门门锁回路被短接。' }]);
    expect(server.uploads.length).toBe(1);
    expect(server.uploads[0][0]).toBe('41');
    expect(env.calls.navigateTo).toEqual(['/pages/report/index?id=41&submitted=1']);
    expect(page.data.content).toBe('');
  });

  test('服务器拒收时显示原因，不存草稿', async () => {
    signedIn();
    const server = submitRoutes({ 'POST /reports': () => [422, { error: { code: 'invalid', message: '设备类别不在特种设备目录中' } }] });
    h.fakeServer(env, server.routes);
    const page = await h.openPage('submit');
    await fillReport(page);
    await page.instance.submit();
    await h.settle();
    expect(h.text(page, '.submit-error')).toBe('设备类别不在特种设备目录中');
    expect(wx.getStorageSync('riskmon.drafts')).toBe('');
    expect(page.data.content).not.toBe('');
  });

  test('断网时保存草稿，网络恢复后自动发送', async () => {
    signedIn();
    const server = submitRoutes();
    h.fakeServer(env, server.routes);
    global.App = (app) => app.onLaunch();
    require('../app');
    const page = await h.openPage('submit');
    await fillReport(page, '断网时的报送');
    env.state.online = false;
    await page.instance.submit();
    await h.settle();
    expect(env.calls.modals[0].content).toContain('网络恢复后将自动发送');
    expect(wx.getStorageSync('riskmon.drafts').length).toBe(1);
    expect(all(page, '.drafts .cell-body')[0]).toContain('断网时的报送');
    expect(server.created).toEqual([]);
    env.setNetwork(true);
    await h.settle(5);
    expect(server.created.map((r) => r.title)).toEqual(['断网时的报送']);
    expect(server.uploads.length).toBe(2);
    expect(wx.getStorageSync('riskmon.drafts')).toEqual([]);
    expect(page.querySelector('.drafts')).toBeFalsy();
  });

  test('报送已建立但照片因断网未传完：恢复后只补传照片，不重复报送', async () => {
    signedIn();
    const server = submitRoutes();
    server.routes['POST /reports'] = ({ data }) => {
      server.created.push(data);
      env.state.online = false; // 报送刚建立网络就断了
      return [201, f.report(42, { title: data.title })];
    };
    h.fakeServer(env, server.routes);
    require('../utils/drafts').watch();
    const page = await h.openPage('submit');
    await fillReport(page, '半途断网');
    await page.instance.submit();
    await h.settle();
    const [draft] = wx.getStorageSync('riskmon.drafts');
    expect(draft.report_id).toBe(42);
    env.setNetwork(true);
    await h.settle(5);
    expect(server.created.length).toBe(1);
    expect(server.uploads.map((u) => u[0])).toEqual(['42', '42']);
    expect(wx.getStorageSync('riskmon.drafts')).toEqual([]);
  });
});

function all(page, selector) { return h.all(page, selector); }

describe('我的报送', () => {
  test('显示状态、层级和处置结果；下拉刷新；触底分页', async () => {
    signedIn();
    const pages = [];
    const rows = Array.from({ length: 25 }, (_, i) => f.report(100 - i, i === 0
      ? { status: 'closed', status_label: '已办结', resolved_tier_label: '县级', outcome: '已更换门锁并复检合格' } : {}));
    h.fakeServer(env, {
      'GET /reports': ({ query }) => {
        pages.push([query.get('page'), query.get('mine')]);
        const p = Number(query.get('page'));
        const per = Number(query.get('per_page'));
        return [200, { items: rows.slice((p - 1) * per, p * per), total: rows.length, page: p, per_page: per }];
      },
    });
    const page = await h.openPage('reports');
    expect(page.querySelectorAll('.report-item').length).toBe(20);
    expect(all(page, '.report-meta')[0]).toContain('已办结');
    expect(all(page, '.report-meta')[0]).toContain('办结层级：县级');
    expect(all(page, '.report-meta')[1]).toContain('办理层级：县级');
    expect(h.text(page, '.outcome')).toBe('处置结果：已更换门锁并复检合格');
    await page.instance.onReachBottom();
    await h.settle();
    expect(page.querySelectorAll('.report-item').length).toBe(25);
    expect(h.text(page, '.loadmore')).toBe('没有更多了');
    await page.instance.onReachBottom();
    await page.instance.onPullDownRefresh();
    await h.settle();
    expect(pages).toEqual([['1', '1'], ['2', '1'], ['1', '1']]);
    expect(env.calls.stoppedRefresh).toBe(1);
    expect(page.querySelectorAll('.report-item').length).toBe(20);
    await h.tap(page, '.report-item');
    expect(env.calls.navigateTo).toEqual(['/pages/report/index?id=100']);
  });

  test('令牌失效时清除登录状态并回到登录页', async () => {
    signedIn();
    h.fakeServer(env, { 'GET /reports': () => [401, { error: { code: 'unauthorized', message: '访问令牌已失效，请重新登录' } }] });
    const page = await h.openPage('reports');
    expect(h.text(page, '.list-error')).toBe('访问令牌已失效，请重新登录');
    expect(wx.getStorageSync(api.TOKEN_KEY)).toBe('');
    expect(env.calls.reLaunch).toEqual(['/pages/login/index']);
  });
});

describe('报送详情', () => {
  test('时间线用报送员的话讲述，办结后显示处置结果', async () => {
    signedIn();
    const timeline = [
      { id: 1, kind: 'submitted', element_id: null, message: '信息已报送', data: {}, at: '2026-11-30T02:00:00+00:00' },
      { id: 2, kind: 'registered', element_id: 'register_report', message: '已登记，编号 SX1，进入县级', data: {}, at: '2026-11-30T02:00:01+00:00' },
      { id: 3, kind: 'task_created', element_id: 'county_disposal', message: '待办：县级处置', data: {}, at: '2026-11-30T02:00:02+00:00' },
      { id: 4, kind: 'task_claimed', element_id: 'county_disposal', message: '张三 认领了“县级处置”', data: {}, at: '2026-11-30T03:00:00+00:00' },
      { id: 5, kind: 'task_completed', element_id: 'county_disposal', message: '张三 办理了“县级处置”', data: { measures: '已督促更换门锁' }, at: '2026-11-30T04:00:00+00:00' },
      { id: 6, kind: 'closed', element_id: 'close_report', message: '已办结（县级办结）', data: {}, at: '2026-11-30T04:00:01+00:00' },
    ];
    h.fakeServer(env, { 'GET /reports/{report_id}': ({ params }) => [200, f.report(Number(params[0]), {
      status: 'closed', status_label: '已办结', resolved_tier_label: '县级', timeline })] });
    const page = await h.openPage('report', { id: '7', submitted: '1' });
    expect(h.text(page, '.tracking-no')).toBe('SX2026000007');
    expect(h.text(page, '.submitted-notice')).toContain('报送成功');
    expect(all(page, '.step-text')).toEqual(['您的信息已报送成功', '平台已登记，编号 SX1，进入县级', '已转交县级市场监管部门办理',
      '县级市场监管部门已提出处置意见', '您报送的信息已办结（县级办结）']);
    expect(h.text(page, '.timeline')).not.toContain('张三');
    expect(h.text(page, '.outcome')).toBe('已督促更换门锁');
    expect(all(page, '.step .muted')[0]).toBe('2026-11-30 10:00');
  });
});

describe('待办与安全总监确认', () => {
  test('待办列表打开任务，按 form.fields 生成表单，校验后提交', async () => {
    signedIn(f.DIRECTOR);
    const completed = [];
    h.fakeServer(env, {
      'GET /tasks': () => [200, { items: [{ id: 't-1', name: '安全总监确认并安排处置', report_id: 5, tracking_no: 'SX1', title: '层门', due_at: '2020-01-01T00:00:00+00:00', form: f.DIRECTOR_FORM }], total: 1 }],
      'GET /tasks/{task_id}': () => [200, { id: 't-1', name: '安全总监确认并安排处置', report_id: 5, tracking_no: 'SX1', title: '层门', claimed_by: null, due_at: null, form: f.DIRECTOR_FORM }],
      'POST /tasks/{task_id}/complete': ({ params, data }) => { completed.push([params[0], data]); return [200, { id: 't-1' }]; },
    });
    const inbox = await h.openPage('inbox');
    expect(h.text(inbox, '.task-name')).toBe('安全总监确认并安排处置');
    expect(h.text(inbox, '.task-item')).toContain('已逾期');
    await h.tap(inbox, '.task-item');
    expect(env.calls.navigateTo).toEqual(['/pages/task/index?id=t-1']);

    const page = await h.openPage('task', { id: 't-1' });
    expect(page.querySelector('.field-handling_arrangement .field-input')).toBeTruthy();
    expect(page.querySelector('.field-responsible_person .field-input')).toBeTruthy();
    expect(h.text(page, '.field-handling_deadline')).toContain('请选择日期');
    expect(h.text(page, '.field-urgency')).toContain('请选择');
    expect(page.querySelector('.field-stopped .field-input')).toBeTruthy();
    expect(await page.instance.complete()).toBe(false);
    expect(h.text(page, '.task-error')).toBe('请填写“处置安排”；请填写“责任人”；请填写“完成期限”');
    await h.type(page, '.field-handling_arrangement .field-input', '立即停梯，通知维保单位更换门锁');
    await h.type(page, '.field-responsible_person .field-input', '赵工');
    await h.change(page, '.field-handling_deadline', '2026-12-05');
    await h.change(page, '.field-urgency', 0);
    await h.change(page, '.field-stopped .field-input', true);
    await h.type(page, '.field-people .field-input', '三');
    expect(await page.instance.complete()).toBe(false);
    expect(h.text(page, '.task-error')).toBe('“参与人数”须为整数');
    await h.type(page, '.field-people .field-input', '3');
    expect(await page.instance.complete()).toBe(true);
    expect(completed).toEqual([['t-1', { data: { handling_arrangement: '立即停梯，通知维保单位更换门锁', responsible_person: '赵工',
      handling_deadline: '2026-12-05', urgency: 'high', stopped: true, people: 3 } }]]);
    expect(env.calls.navigateBack.length).toBe(1);
  });

  test('任务已被他人办理时显示服务器的说明', async () => {
    signedIn(f.DIRECTOR);
    h.fakeServer(env, {
      'GET /tasks/{task_id}': () => [200, { id: 't-2', name: '安全总监确认并安排处置', report_id: 5, form: { fields: [] } }],
      'POST /tasks/{task_id}/complete': () => [409, { error: { code: 'conflict', message: '该任务已办理或已结束' } }],
    });
    const page = await h.openPage('task', { id: 't-2' });
    expect(await page.instance.complete()).toBe(false);
    expect(h.text(page, '.task-error')).toBe('该任务已办理或已结束');
  });
});

describe('消息通知与我的', () => {
  test('通知列表：打开未读通知标记已读并进入报送详情', async () => {
    signedIn(f.DIRECTOR);
    const read = [];
    h.fakeServer(env, {
      'GET /me/notifications': () => [200, { items: [
        { id: 3, title: '新的风险信息待确认', body: '层门', report_id: 5, link: '/reports/5', read_at: null, created_at: '2026-11-30T02:00:00+00:00' },
      ], total: 1 }],
      'POST /me/notifications/{notification_id}/read': ({ params }) => { read.push(params[0]); return [200, { id: 3, read_at: '2026-11-30T03:00:00+00:00' }]; },
    });
    const page = await h.openPage('notices');
    expect(h.text(page, '.notice-title')).toContain('新的风险信息待确认');
    expect(page.querySelector('.unread')).toBeTruthy();
    await h.tap(page, '.notice-item');
    expect(read).toEqual(['3']);
    expect(page.querySelector('.unread')).toBeFalsy();
    expect(env.calls.navigateTo).toEqual(['/pages/report/index?id=5']);
  });

  test('铃铛未读数、绑定微信、订阅消息、退出登录', async () => {
    signedIn(f.REPORTER);
    const bound = [];
    h.fakeServer(env, {
      'GET /me/notifications': ({ query }) => [200, { items: [], total: query.get('unread') === '1' ? 4 : 9 }],
      'GET /me/wechat-binding': () => [200, { bound: false }],
      'POST /me/wechat-binding': ({ data }) => { bound.push(data.code); return [200, { bound: true }]; },
      'GET /wechat/config': () => [200, { login_enabled: true, subscribe_templates: { task: 'tmpl-a', outcome: 'tmpl-b' } }],
    });
    const page = await h.openPage('mine');
    expect(h.text(page, '.display-name')).toBe('王报送');
    expect(h.text(page, '.profile')).toContain('信息报送员');
    expect(h.text(page, '.unread-count')).toBe('4');
    expect(env.calls.badges).toEqual(['4']);
    expect(h.text(page, '.binding-state')).toBe('未绑定微信');
    await h.tap(page, '.bind');
    expect(bound).toEqual(['wx-code-1']);
    expect(h.text(page, '.binding-state')).toContain('已绑定微信');
    expect(await page.instance.subscribe()).toBe(2);
    expect(env.calls.subscribed).toEqual([['tmpl-a', 'tmpl-b']]);
    expect(h.text(page, '.subscribe-cell')).toContain('已订阅 2 类通知');
    await h.tap(page, '.bell');
    expect(env.calls.navigateTo).toEqual(['/pages/notices/index']);
    await h.tap(page, '.sign-out');
    expect(wx.getStorageSync(api.TOKEN_KEY)).toBe('');
    expect(env.calls.reLaunch).toEqual(['/pages/login/index']);
  });

  test('未配置订阅模板时不显示订阅按钮', async () => {
    signedIn(f.REPORTER);
    h.fakeServer(env, {
      'GET /me/notifications': () => [200, { items: [], total: 0 }],
      'GET /me/wechat-binding': () => [200, { bound: true }],
      'GET /wechat/config': () => [200, { login_enabled: false, subscribe_templates: {} }],
    });
    const page = await h.openPage('mine');
    expect(page.querySelector('.subscribe')).toBeFalsy();
    expect(h.text(page, '.subscribe-cell')).toContain('暂未开通');
    expect(page.querySelector('.unbind')).toBeTruthy();
  });

  test('未登录打开页面时回到登录页', async () => {
    h.fakeServer(env, {});
    await h.openPage('inbox');
    expect(env.calls.reLaunch).toEqual(['/pages/login/index']);
  });
});
