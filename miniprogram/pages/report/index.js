const api = require('../../utils/api');
const labels = require('../../utils/labels');
const session = require('../../utils/session');
const timeline = require('../../utils/timeline');

Component({
  data: { report: null, steps: [], outcome: '', submitted: false, error: '', nonPunitive: labels.NON_PUNITIVE_NOTICE },
  methods: {
    onLoad(query) {
      if (!session.requireSignIn()) return Promise.resolve();
      this.reportId = query.id;
      this.setData({ submitted: query.submitted === '1' });
      return this.load();
    },
    async load() {
      try {
        const report = await api.call('report', { params: { report_id: this.reportId } });
        this.setData({ report, steps: timeline.reporterTimeline(report.timeline), outcome: timeline.outcomeOf(report), error: '' });
      } catch (error) {
        this.setData({ error: error.message });
      }
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },
  },
});
