// 小程序入口：联网后自动发送断网时保存的草稿。
const drafts = require('./utils/drafts');

App({
  onLaunch() {
    drafts.watch();
    wx.getNetworkType({
      success: (res) => { if (res.networkType !== 'none') drafts.flush(); },
    });
  },
});
