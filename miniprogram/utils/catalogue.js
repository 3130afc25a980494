// 特种设备目录的三级联动：种类 → 类别 → 品种（GET /equipment-types）。
function childrenOf(items, parent) {
  return items.filter((item) => (item.parent || null) === (parent || null));
}

function levels(items, chosen) {
  // chosen: [种类代码, 类别代码, 品种代码]，未选的为 null
  const categories = childrenOf(items, null);
  const classes = chosen[0] ? childrenOf(items, chosen[0]) : [];
  const varieties = chosen[1] ? childrenOf(items, chosen[1]) : [];
  return [categories, classes, varieties];
}

function deepest(chosen) {
  for (let i = chosen.length - 1; i >= 0; i -= 1) if (chosen[i]) return chosen[i];
  return null;
}

module.exports = { childrenOf, levels, deepest };
