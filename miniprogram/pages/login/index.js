const api = require('../../utils/api');
const session = require('../../utils/session');
const labels = require('../../utils/labels');

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({ success: (res) => resolve(res.code), fail: () => reject(new Error('无法获取微信登录凭证，请稍后重试')) });
  });
}

Component({
  data: { username: '', password: '', error: '', busy: false, nonPunitive: labels.NON_PUNITIVE_NOTICE },
  methods: {
    onLoad() {
      if (api.getToken() && api.currentUser()) wx.switchTab({ url: session.home(api.currentUser()) });
    },
    onInput(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value, error: '' });
    },
    async enter(tokenPromise) {
      this.setData({ busy: true, error: '' });
      try {
        const { token } = await tokenPromise();
        const user = await session.start(token);
        this.setData({ password: '' });
        wx.switchTab({ url: session.home(user) });
      } catch (error) {
        api.signOut();
        this.setData({ error: error.message });
      } finally {
        this.setData({ busy: false });
      }
    },
    signIn() {
      const username = this.data.username.trim();
      if (!username || !this.data.password) {
        this.setData({ error: '请输入用户名和密码' });
        return Promise.resolve();
      }
      return this.enter(() => api.call('signIn', { data: { username, password: this.data.password } }));
    },
    wechatSignIn() {
      return this.enter(async () => api.call('wechatSignIn', { data: { code: await wxLogin() } }));
    },
  },
});
