const api = require('../../utils/api');
const session = require('../../utils/session');

const ROLE_NAMES = {
  reporter: '信息报送员', safety_director: '安全总监', point_manager: '监测点负责人', county_officer: '县级监管人员',
  city_officer: '市级监管人员', province_officer: '省局监管人员', center_expert: '省风险监测中心专家',
  inspection_officer: '综合检验机构人员', workflow_owner: '流程管理员', admin: '系统管理员',
};
const TAB_INDEX = 3;

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({ success: (res) => resolve(res.code), fail: () => reject(new Error('无法获取微信登录凭证，请稍后重试')) });
  });
}

Component({
  data: { user: {}, roleText: '', unread: 0, bound: false, templateIds: [], subscribeText: '', error: '' },
  methods: {
    onLoad() {
      if (!session.requireSignIn()) return Promise.resolve();
      return this.refresh();
    },
    onShow() {
      if (api.getToken()) return this.refresh();
      return Promise.resolve();
    },
    async refresh() {
      const user = api.currentUser() || {};
      this.setData({ user, roleText: (user.roles || []).map((r) => ROLE_NAMES[r] || r).join('、') });
      try {
        const [unread, binding, config] = await Promise.all([
          api.call('notifications', { query: { unread: 1, per_page: 1 } }),
          api.call('wechatBinding'), api.call('wechatConfig'),
        ]);
        this.showUnread(unread.total || 0);
        const ids = Object.values(config.subscribe_templates || {});
        this.setData({
          bound: binding.bound, templateIds: ids, error: '',
          subscribeText: ids.length ? '有新待办或办理结果时通过微信通知我' : '平台暂未开通微信订阅消息，站内消息照常提醒',
        });
      } catch (error) {
        this.setData({ error: error.message });
      }
    },
    showUnread(count) {
      this.setData({ unread: count });
      if (count) wx.setTabBarBadge({ index: TAB_INDEX, text: count > 99 ? '99+' : String(count) });
      else wx.removeTabBarBadge({ index: TAB_INDEX });
    },
    openNotices() {
      wx.navigateTo({ url: '/pages/notices/index' });
    },
    subscribe() {
      return new Promise((resolve) => {
        wx.requestSubscribeMessage({
          tmplIds: this.data.templateIds,
          success: (res) => {
            const accepted = this.data.templateIds.filter((id) => res[id] === 'accept').length;
            this.setData({ subscribeText: accepted ? '已订阅 ' + accepted + ' 类通知（每次订阅可接收一次）' : '未订阅，仍可在站内消息中查看' });
            resolve(accepted);
          },
          fail: () => { this.setData({ subscribeText: '订阅未完成，可稍后重试' }); resolve(0); },
        });
      });
    },
    async bind() {
      try {
        const binding = await api.call('bindWechat', { data: { code: await wxLogin() } });
        this.setData({ bound: binding.bound, error: '' });
        wx.showToast({ title: '绑定成功', icon: 'success' });
      } catch (error) {
        this.setData({ error: error.message });
      }
    },
    async unbind() {
      try {
        const binding = await api.call('unbindWechat');
        this.setData({ bound: binding.bound, error: '' });
      } catch (error) {
        this.setData({ error: error.message });
      }
    },
    signOut() {
      api.signOut();
      wx.reLaunch({ url: '/pages/login/index' });
    },
  },
});
