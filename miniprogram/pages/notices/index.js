const api = require('../../utils/api');
const paging = require('../../utils/paging');
const session = require('../../utils/session');
const timeline = require('../../utils/timeline');

const list = paging.loader(
  (page, perPage) => api.call('notifications', { query: { page, per_page: perPage } }),
  (n) => Object.assign({}, n, { at: timeline.when(n.created_at) }),
);

Component({
  data: { items: [], total: 0, page: 0, loading: false, error: '' },
  methods: {
    onLoad() {
      if (!session.requireSignIn()) return Promise.resolve();
      return this.load(1, true);
    },
    load: list.load,
    onPullDownRefresh() { return list.refresh.call(this); },
    onReachBottom() { return list.more.call(this); },
    async open(e) {
      const index = Number(e.currentTarget.dataset.index);
      const note = this.data.items[index];
      if (!note.read_at) {
        try {
          const read = await api.call('readNotification', { params: { notification_id: note.id } });
          this.setData({ ['items[' + index + '].read_at']: read.read_at });
        } catch (error) {
          api.showError(error);
        }
      }
      if (note.task_id || /^\/tasks\//.test(note.link || '')) {
        const id = note.task_id || note.link.split('/')[2];
        wx.navigateTo({ url: '/pages/task/index?id=' + id });
      } else if (note.report_id) {
        wx.navigateTo({ url: '/pages/report/index?id=' + note.report_id });
      }
    },
  },
});
