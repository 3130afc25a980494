const api = require('../../utils/api');
const form = require('../../utils/form');
const session = require('../../utils/session');
const timeline = require('../../utils/timeline');

Component({
  data: { task: null, fields: [], due: '', error: '', busy: false },
  methods: {
    onLoad(query) {
      if (!session.requireSignIn()) return Promise.resolve();
      this.taskId = query.id;
      return this.load();
    },
    async load() {
      try {
        const task = await api.call('task', { params: { task_id: this.taskId } });
        this.setData({ task, fields: form.prepare(task.form && task.form.fields), due: timeline.when(task.due_at), error: '' });
      } catch (error) {
        this.setData({ error: error.message });
      }
    },
    onInput(e) {
      this.setData({ ['fields[' + e.currentTarget.dataset.index + '].value']: e.detail.value, error: '' });
    },
    onOption(e) {
      const index = e.currentTarget.dataset.index;
      const option = this.data.fields[index].options[Number(e.detail.value)];
      this.setData({
        ['fields[' + index + '].value']: option ? option.id : '',
        ['fields[' + index + '].optionIndex']: Number(e.detail.value),
        ['fields[' + index + '].optionName']: option ? option.name : '', error: '',
      });
    },
    openReport() {
      wx.navigateTo({ url: '/pages/report/index?id=' + this.data.task.report_id });
    },
    async complete() {
      const messages = form.problems(this.data.fields);
      if (messages.length) { this.setData({ error: messages.join('；') }); return false; }
      this.setData({ busy: true, error: '' });
      try {
        await api.call('completeTask', { params: { task_id: this.taskId }, data: { data: form.values(this.data.fields) } });
        wx.showToast({ title: '已提交', icon: 'success' });
        wx.navigateBack({ delta: 1 });
        return true;
      } catch (error) {
        this.setData({ error: error.message });
        return false;
      } finally {
        this.setData({ busy: false });
      }
    },
  },
});
