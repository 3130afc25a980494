const api = require('../../utils/api');
const paging = require('../../utils/paging');
const session = require('../../utils/session');
const timeline = require('../../utils/timeline');

const list = paging.loader(
  (page, perPage) => api.call('tasks', { query: { page, per_page: perPage } }),
  (t) => Object.assign({}, t, { due: timeline.when(t.due_at), overdue: !!t.due_at && new Date(t.due_at) < new Date() }),
);

Component({
  data: { items: [], total: 0, page: 0, loading: false, error: '' },
  methods: {
    onLoad() {
      if (!session.requireSignIn()) return Promise.resolve();
      return this.load(1, true);
    },
    onShow() {
      if (this.data.page) return this.load(1, true);
      return Promise.resolve();
    },
    load: list.load,
    onPullDownRefresh() { return list.refresh.call(this); },
    onReachBottom() { return list.more.call(this); },
    open(e) {
      wx.navigateTo({ url: '/pages/task/index?id=' + e.currentTarget.dataset.id });
    },
  },
});
