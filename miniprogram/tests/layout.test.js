// 微信设计规范的几条硬性要求：每页四个文件齐全且标题为中文，触控区域不小于 44px，全面屏底部安全区，320px 宽不横向溢出。
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'));
const read = (p) => fs.readFileSync(path.join(ROOT, p), 'utf8');
const allWxss = () => ['app.wxss'].concat(app.pages.map((p) => p + '.wxss')).map((p) => [p, read(p)]);

function rule(css, selector) {
  const found = css.match(new RegExp('(^|\\n|\\})\\s*' + selector.replace('.', '\\.') + '\\s*\\{([^}]*)\\}'));
  return found ? found[2] : null;
}

test('app.json 中的每个页面都有 js、wxml、wxss、json，标题为中文', () => {
  expect(app.pages.length).toBe(8);
  app.pages.forEach((page) => {
    ['js', 'wxml', 'wxss', 'json'].forEach((ext) => expect(fs.existsSync(path.join(ROOT, page + '.' + ext))).toBe(true));
    expect(JSON.parse(read(page + '.json')).navigationBarTitleText).toMatch(/[\u4e00-\u9fa5]/);
  });
  app.tabBar.list.forEach((tab) => expect(app.pages).toContain(tab.pagePath));
});

test('按钮、列表行和图标按钮的触控区域不小于 44px', () => {
  const targets = { 'app.wxss': ['.btn', '.cell'], 'pages/submit/index.wxss': ['.photo-remove', '.discard-draft'],
    'pages/mine/index.wxss': ['.btn-inline'] };
  Object.keys(targets).forEach((file) => {
    const css = read(file);
    targets[file].forEach((selector) => {
      const body = rule(css, selector);
      expect(body).not.toBeNull();
      const size = Number((body.match(/(?:min-)?height:\s*(\d+)px/) || [])[1]);
      expect([file, selector, size >= 44]).toEqual([file, selector, true]);
    });
  });
});

test('页面底部留出全面屏安全区，不用超过 320px 的固定宽度', () => {
  expect(rule(read('app.wxss'), '.page')).toContain('env(safe-area-inset-bottom)');
  allWxss().forEach(([file, css]) => {
    const widths = [...css.matchAll(/(?:^|[;{\s])(?:min-)?width:\s*(\d+)px/g)].map((m) => Number(m[1]));
    widths.forEach((w) => expect([file, w <= 320]).toEqual([file, true]));
  });
});
