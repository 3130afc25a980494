// 登录成功后的去向：报送员去“报送”，安全总监等办理人员去“待办”。
const api = require('./api');

async function start(token) {
  wx.setStorageSync(api.TOKEN_KEY, token);
  const user = await api.call('me');
  api.setSession(token, user);
  return user;
}

function home(user) {
  return api.hasRole(user, 'reporter') ? '/pages/submit/index' : '/pages/inbox/index';
}

function requireSignIn() {
  if (api.getToken()) return true;
  wx.reLaunch({ url: '/pages/login/index' });
  return false;
}

module.exports = { start, home, requireSignIn };
