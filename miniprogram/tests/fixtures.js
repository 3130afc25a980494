// 假服务器用的样例数据（字段与 /api/v1 的应答一致）。
const EQUIPMENT = [
  { code: '2000', name: '压力容器', parent: null, level: 'category' },
  { code: '3000', name: '电梯', parent: null, level: 'category' },
  { code: '3100', name: '曳引与强制驱动电梯', parent: '3000', level: 'class' },
  { code: '3110', name: '曳引驱动乘客电梯', parent: '3100', level: 'variety' },
  { code: '3120', name: '曳引驱动载货电梯', parent: '3100', level: 'variety' },
  { code: '3200', name: '液压驱动电梯', parent: '3000', level: 'class' },
];
const REPORTER = { id: 9, username: 'reporter.unit', display_name: '王报送', roles: ['reporter'], division_code: '610113', monitoring_point_id: 3 };
const DIRECTOR = { id: 10, username: 'director.unit', display_name: '李总监', roles: ['safety_director'], division_code: '610113', monitoring_point_id: 3 };

function report(id, extra = {}) {
  return Object.assign({
    id, tracking_no: 'SX2026' + String(id).padStart(6, '0'), kind: 'risk_hazard', kind_label: '风险隐患', domain: 'use',
    domain_label: '使用', title: '报送 ' + id, content: '内容 ' + id, status: 'processing', status_label: '处置中',
    current_tier: 'county', current_tier_label: '县级', resolved_tier: null, resolved_tier_label: null, outcome: null,
    submitted_at: '2026-11-30T02:00:00+00:00', timeline: [],
  }, extra);
}

const DIRECTOR_FORM = { fields: [
  { id: 'handling_arrangement', label: '处置安排', type: 'string', required: true, widget: 'textarea', options: [], default: null },
  { id: 'responsible_person', label: '责任人', type: 'string', required: true, widget: null, options: [], default: null },
  { id: 'handling_deadline', label: '完成期限', type: 'date', required: true, widget: null, options: [], default: null },
  { id: 'urgency', label: '紧急程度', type: 'enum', required: false, widget: null, options: [{ id: 'high', name: '紧急' }, { id: 'normal', name: '一般' }], default: null },
  { id: 'stopped', label: '已停用设备', type: 'boolean', required: false, widget: null, options: [], default: null },
  { id: 'people', label: '参与人数', type: 'long', required: false, widget: null, options: [], default: null },
] };

module.exports = { EQUIPMENT, REPORTER, DIRECTOR, report, DIRECTOR_FORM };
