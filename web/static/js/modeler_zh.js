/* Chinese labels for the embedded modeler (bpmn-js `translate` service). Terms not listed stay in
   English, as in Camunda Modeler; ids and attribute values are never translated. */
(function () {
  "use strict";

  var ZH = {
    "General": "常规", "Name": "名称", "ID": "标识（ID）", "Documentation": "说明", "Element documentation": "元素说明",
    "Process documentation": "流程说明", "Version tag": "版本标签", "Executable": "可执行",
    "User assignment": "办理人设置", "Assignee": "办理人", "Candidate groups": "候选组（角色）",
    "Candidate users": "候选用户", "Due date": "办理期限", "Follow up date": "跟进日期", "Priority": "优先级",
    "Timer": "定时器", "Type": "类型", "Value": "值", "Date": "日期", "Duration": "时长", "Cycle": "周期",
    "Implementation": "实现方式", "External": "外部任务（External）", "Topic": "主题（Topic）",
    "Decision reference": "决策表引用", "Result variable": "结果变量", "Binding": "绑定", "DMN": "决策表（DMN）",
    "Inputs": "输入参数", "Outputs": "输出参数", "Local variable name": "参数名", "Assignment type": "赋值类型",
    "Process variable name": "流程变量名", "Form": "表单", "Form fields": "表单字段", "Form key": "表单标识",
    "Default value": "默认值", "Label": "显示名称", "Constraints": "校验规则", "Properties": "属性",
    "Values": "选项", "Condition": "条件", "Condition type": "条件类型", "Expression": "表达式",
    "Extension properties": "扩展属性", "Execution listeners": "执行监听器", "Task listeners": "任务监听器",
    "Asynchronous continuations": "异步执行", "Job execution": "作业执行", "Before": "之前", "After": "之后",
    "Open minimap": "打开缩略图", "Close minimap": "关闭缩略图", "Search in diagram": "在图中搜索",
    "Delete": "删除", "Align elements": "对齐", "Change element": "更改类型", "Change type": "更改类型",
    "Create start event": "新建开始事件", "Create end event": "新建结束事件", "Create task": "新建任务",
    "Create gateway": "新建网关", "Create intermediate/boundary event": "新建中间/边界事件",
    "Create expanded sub-process": "新建子流程", "Create data object reference": "新建数据对象",
    "Create data store reference": "新建数据存储", "Create pool/participant": "新建池/参与者",
    "Create group": "新建分组", "Append task": "追加任务", "Append end event": "追加结束事件",
    "Append gateway": "追加网关", "Append intermediate/boundary event": "追加中间事件",
    "Append text annotation": "追加注释", "Activate hand tool": "抓手工具", "Activate lasso tool": "框选工具",
    "Activate create/remove space tool": "插入/移除空间", "Activate global connect tool": "连线工具",
    "Connect using sequence/message flow or association": "连线（顺序流）", "Connect to other element": "连线",
    "Add lane above": "在上方添加泳道", "Add lane below": "在下方添加泳道",
    "Divide into two lanes": "拆分为两个泳道", "Divide into three lanes": "拆分为三个泳道",
    "Start event": "开始事件", "End event": "结束事件", "Task": "任务", "User task": "用户任务",
    "Service task": "服务任务", "Business rule task": "业务规则任务", "Script task": "脚本任务（不允许）",
    "Exclusive gateway": "排他网关", "Parallel gateway": "并行网关", "Inclusive gateway": "包容网关",
    "Sequence flow": "顺序流", "Default flow": "默认流", "Conditional flow": "条件流",
    "Timer boundary event": "定时边界事件", "Timer intermediate catch event": "定时中间事件",
    "Forms": "表单", "Generated Task Forms": "生成的任务表单（本平台使用）",
    "Embedded or External Task Forms": "嵌入或外部表单（本平台不使用）", "Camunda Forms": "Camunda 表单（本平台不使用）",
    "<none>": "（无）", "Validation": "校验", "Constraint": "规则", "Config": "配置", "Script": "脚本（不允许）",
    "Format": "格式",
    "The due date as an EL expression (e.g. ${someDate}) or an ISO date (e.g. 2015-06-26T09:54:00).":
      "ISO-8601 时长（如 P7D、PT2H）或日期时间，也可引用流程变量（如 ${county_due}）。",
    "The follow up date as an EL expression (e.g. ${someDate}) or an ISO date (e.g. 2015-06-26T09:54:00).":
      "ISO-8601 时长或日期时间，也可引用流程变量。"
  };

  function translate(template, replacements) {
    var text = ZH[template] || template;
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements && replacements[key] !== undefined ? replacements[key] : "{" + key + "}";
    });
  }

  window.riskmonTranslateModule = { translate: ["value", translate] };
})();
