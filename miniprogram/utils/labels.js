// 与服务器一致的枚举值和中文名称。
const KINDS = [
  { value: 'problem', label: '问题' },
  { value: 'risk_hazard', label: '风险隐患' },
  { value: 'suggestion', label: '意见建议' },
];
const DOMAINS = [
  { value: 'administrative_supervision', label: '行政监管' },
  { value: 'safety_management', label: '安全管理' },
  { value: 'production', label: '生产' },
  { value: 'use', label: '使用' },
  { value: 'maintenance', label: '维护保养' },
  { value: 'inspection_testing', label: '检验检测' },
];
const CONTENT_MAX = 2000;
const TITLE_MAX = 200;
const MAX_PHOTOS = 9;
const EMERGENCY_NOTICE = '如遇紧急情况，请立即拨打特种设备应急电话 96333；发生事故的，请立即向所在地市场监管部门报告。';
const NON_PUNITIVE_NOTICE = '报送信息仅用于帮扶指导解决问题，不作为行政处罚或其他行政约束的依据。';

function labelOf(list, value) {
  const found = list.find((item) => item.value === value);
  return found ? found.label : value;
}

module.exports = { KINDS, DOMAINS, CONTENT_MAX, TITLE_MAX, MAX_PHOTOS, EMERGENCY_NOTICE, NON_PUNITIVE_NOTICE, labelOf };
