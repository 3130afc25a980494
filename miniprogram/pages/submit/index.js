const api = require('../../utils/api');
const catalogue = require('../../utils/catalogue');
const drafts = require('../../utils/drafts');
const labels = require('../../utils/labels');
const session = require('../../utils/session');

const EMPTY = {
  kindIndex: -1, domainIndex: -1, kindLabel: '', domainLabel: '', chosen: [null, null, null], chosenNames: ['', '', ''],
  title: '', content: '', photos: [], error: '',
};

function missing(data) {
  if (data.kindIndex < 0) return '请选择报送类型';
  if (data.domainIndex < 0) return '请选择涉及环节';
  if (!catalogue.deepest(data.chosen)) return '请选择设备种类';
  if (!data.content.trim()) return '请填写报送内容';
  return '';
}

Component({
  data: Object.assign({
    kinds: labels.KINDS, domains: labels.DOMAINS, levels: [[], [], []], catalogueError: '',
    contentMax: labels.CONTENT_MAX, titleMax: labels.TITLE_MAX, maxPhotos: labels.MAX_PHOTOS,
    emergency: labels.EMERGENCY_NOTICE, nonPunitive: labels.NON_PUNITIVE_NOTICE, busy: false, drafts: [],
  }, EMPTY),
  lifetimes: {
    detached() { if (this.unsubscribe) this.unsubscribe(); },
  },
  methods: {
    onLoad() {
      if (!session.requireSignIn()) return Promise.resolve();
      this.unsubscribe = drafts.subscribe((list) => this.setData({ drafts: list }));
      this.setData({ drafts: drafts.list() });
      return this.loadCatalogue();
    },
    onShow() {
      this.setData({ drafts: drafts.list() });
    },
    async loadCatalogue() {
      try {
        this.equipment = (await api.call('equipmentTypes')).items;
        this.setData({ levels: catalogue.levels(this.equipment, this.data.chosen), catalogueError: '' });
      } catch (error) {
        this.equipment = [];
        this.setData({ catalogueError: '目录加载失败，下拉重试' });
      }
    },
    onPullDownRefresh() {
      return this.loadCatalogue().then(() => wx.stopPullDownRefresh());
    },
    onKind(e) {
      const i = Number(e.detail.value);
      this.setData({ kindIndex: i, kindLabel: this.data.kinds[i].label, error: '' });
    },
    onDomain(e) {
      const i = Number(e.detail.value);
      this.setData({ domainIndex: i, domainLabel: this.data.domains[i].label, error: '' });
    },
    onEquipment(e) {
      const level = Number(e.currentTarget.dataset.level);
      const row = this.data.levels[level][Number(e.detail.value)];
      if (!row) return;
      const chosen = this.data.chosen.slice(0, level).concat([row.code]);
      const names = this.data.chosenNames.slice(0, level).concat([row.name]);
      while (chosen.length < 3) { chosen.push(null); names.push(''); }
      this.setData({ chosen, chosenNames: names, levels: catalogue.levels(this.equipment, chosen), error: '' });
    },
    onInput(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value, error: '' });
    },
    choosePhotos() {
      wx.chooseMedia({
        count: this.data.maxPhotos - this.data.photos.length, mediaType: ['image'],
        sourceType: ['camera', 'album'], sizeType: ['compressed'],
        success: (res) => {
          const added = (res.tempFiles || []).map((f) => f.tempFilePath);
          this.setData({ photos: this.data.photos.concat(added).slice(0, this.data.maxPhotos) });
        },
      });
    },
    removePhoto(e) {
      const photos = this.data.photos.slice();
      photos.splice(Number(e.currentTarget.dataset.index), 1);
      this.setData({ photos });
    },
    reportBody() {
      const d = this.data;
      return {
        kind: d.kinds[d.kindIndex].value, domain: d.domains[d.domainIndex].value,
        equipment_type_code: catalogue.deepest(d.chosen), title: d.title.trim() || null, content: d.content.trim(),
      };
    },
    async submit() {
      const problem = missing(this.data);
      if (problem) { this.setData({ error: problem }); return null; }
      this.setData({ busy: true, error: '' });
      const draft = drafts.create(this.reportBody(), this.data.photos);
      try {
        const sent = await drafts.send(draft);
        this.setData(Object.assign({}, EMPTY, { levels: catalogue.levels(this.equipment || [], EMPTY.chosen) }));
        wx.showToast({ title: '报送成功', icon: 'success' });
        wx.navigateTo({ url: '/pages/report/index?id=' + sent.id + '&submitted=1' });
        return sent;
      } catch (error) {
        return this.failed(draft, error);
      } finally {
        this.setData({ busy: false });
      }
    },
    failed(draft, error) {
      if (!error.network) {
        // 报送已建立但照片被拒：留草稿补传；报送本身被拒：提示原因，让报送员修改。
        if (draft.report_id) drafts.persist(Object.assign({}, draft, { error: error.message }));
        this.setData({ error: error.message });
        return null;
      }
      drafts.persist(draft);
      this.setData(Object.assign({}, EMPTY, { levels: catalogue.levels(this.equipment || [], EMPTY.chosen), drafts: drafts.list() }));
      wx.showModal({ title: '网络不可用', content: '报送内容已保存为草稿，网络恢复后将自动发送。', showCancel: false });
      return null;
    },
    discardDraft(e) {
      drafts.remove(e.currentTarget.dataset.id);
      this.setData({ drafts: drafts.list() });
    },
    async sendDrafts() {
      const sent = await drafts.flush();
      this.setData({ drafts: drafts.list() });
      if (!sent.length && drafts.list().length) wx.showToast({ title: '暂未发送成功，请检查网络', icon: 'none' });
    },
  },
});
