// 把处置时间线改写成报送员看得懂的话：只讲“到了哪一级、办得怎样”，不列内部操作（认领、定时器、运维）。
const STEP_WORDS = {
  director_acknowledge: '单位安全总监',
  county_disposal: '县级市场监管部门',
  city_assessment: '市级市场监管部门',
  inspection_consultation: '综合检验机构',
  center_assessment: '省特种设备风险监测中心',
  province_decision: '省市场监管局',
  local_rectification: '属地监管部门',
  province_verification: '省市场监管局',
};
const DONE_WORDS = {
  director_acknowledge: '单位安全总监已确认，并安排了处置',
  county_disposal: '县级市场监管部门已提出处置意见',
  city_assessment: '市级市场监管部门已完成研判',
  inspection_consultation: '综合检验机构已给出技术意见',
  center_assessment: '省风险监测中心专家已完成研判',
  province_decision: '省市场监管局已作出决定并下达指导意见',
  local_rectification: '属地已报告整改落实情况',
  province_verification: '省市场监管局已完成复核',
};
const OUTCOME_FIELDS = ['rectification_result', 'measures', 'guidance', 'handling_arrangement'];

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => (n < 10 ? '0' + n : '' + n);
  // 按北京时间显示（服务器时间为 UTC）。
  const bj = new Date(d.getTime() + 8 * 3600 * 1000);
  return bj.getUTCFullYear() + '-' + pad(bj.getUTCMonth() + 1) + '-' + pad(bj.getUTCDate()) + ' '
    + pad(bj.getUTCHours()) + ':' + pad(bj.getUTCMinutes());
}

function phrase(event) {
  const step = event.element_id;
  switch (event.kind) {
    case 'submitted': return '您的信息已报送成功';
    case 'registered': return event.message.replace(/^已登记/, '平台已登记');
    case 'director_notified': return '已通知本单位安全总监';
    case 'task_created': return STEP_WORDS[step] ? '已转交' + STEP_WORDS[step] + '办理' : null;
    case 'task_completed': return DONE_WORDS[step] || null;
    case 'guidance_dispatched': return '省市场监管局的指导意见已下达属地';
    case 'attachment_added': return '已补充照片或附件';
    case 'closed': return '您报送的信息' + event.message;
    case 'terminated': return '本条报送已终止处理';
    default: return null;
  }
}

function reporterTimeline(events) {
  return (events || [])
    .map((e) => ({ id: e.id, text: phrase(e), at: when(e.at) }))
    .filter((e) => e.text);
}

function outcomeOf(report) {
  if (report.outcome) return report.outcome;
  if (report.status !== 'closed') return '';
  const done = (report.timeline || []).filter((e) => e.kind === 'task_completed').reverse();
  for (const event of done) {
    for (const field of OUTCOME_FIELDS) {
      const value = event.data && event.data[field];
      if (typeof value === 'string' && value.trim()) return value.trim();
    }
  }
  return report.resolved_tier_label ? '已由' + report.resolved_tier_label + '办结' : '已办结';
}

module.exports = { reporterTimeline, outcomeOf, when, phrase };
