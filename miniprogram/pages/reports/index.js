const api = require('../../utils/api');
const drafts = require('../../utils/drafts');
const paging = require('../../utils/paging');
const session = require('../../utils/session');
const timeline = require('../../utils/timeline');

const list = paging.loader(
  (page, perPage) => api.call('reports', { query: { mine: 1, page, per_page: perPage } }),
  (r) => Object.assign({}, r, { submitted: timeline.when(r.submitted_at), outcomeText: r.outcome || '' }),
);

Component({
  data: { items: [], total: 0, page: 0, loading: false, error: '', draftCount: 0 },
  methods: {
    onLoad() {
      if (!session.requireSignIn()) return Promise.resolve();
      return this.load(1, true);
    },
    onShow() {
      this.setData({ draftCount: drafts.list().length });
      if (this.data.page) return this.load(1, true);
      return Promise.resolve();
    },
    load: list.load,
    onPullDownRefresh() { return list.refresh.call(this); },
    onReachBottom() { return list.more.call(this); },
    open(e) {
      wx.navigateTo({ url: '/pages/report/index?id=' + e.currentTarget.dataset.id });
    },
  },
});
