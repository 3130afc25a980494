// 列表分页：下拉刷新回到第 1 页，触底加载下一页（服务器返回 {items, total, page, per_page}）。
const PER_PAGE = 20;

function loader(fetchPage, decorate) {
  return {
    async load(page, reset) {
      if (this.data.loading) return;
      this.setData({ loading: true, error: '' });
      try {
        const res = await fetchPage(page, PER_PAGE);
        const rows = (res.items || []).map(decorate || ((x) => x));
        const items = reset ? rows : this.data.items.concat(rows);
        this.setData({ items, total: res.total || 0, page });
      } catch (error) {
        this.setData({ error: error.message });
      } finally {
        this.setData({ loading: false });
      }
    },
    refresh() {
      return this.load(1, true).then(() => wx.stopPullDownRefresh());
    },
    more() {
      if (this.data.items.length >= this.data.total) return Promise.resolve();
      return this.load(this.data.page + 1, false);
    },
  };
}

module.exports = { loader, PER_PAGE };
