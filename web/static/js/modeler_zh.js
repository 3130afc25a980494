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

  // Group and field labels of the Camunda 7 properties panel that the table above does not cover.
  var PANEL = {
    "Multi-instance": "多实例", "Loop cardinality": "循环次数", "Collection": "集合", "Element variable": "元素变量",
    "Completion condition": "完成条件", "Asynchronous before": "之前异步", "Asynchronous after": "之后异步",
    "Exclusive": "独占", "Retry time cycle": "重试间隔", "External task": "外部任务", "History cleanup": "历史清理",
    "Time to live": "保留时长", "Tasklist": "任务列表", "Startable": "可启动", "Candidate starter": "可启动者",
    "Candidate starter groups": "可启动的组", "Candidate starter users": "可启动的用户", "Errors": "错误",
    "Error": "错误", "Message": "消息", "Signal": "信号", "Escalation": "升级", "Link": "链接", "Compensation": "补偿",
    "Called element": "被调用元素", "In mappings": "输入映射", "Out mappings": "输出映射", "Template": "模板",
    "Templates": "模板", "Field injections": "字段注入", "Connector inputs": "连接器输入",
    "Connector outputs": "连接器输出", "Process variables": "流程变量", "Custom properties": "自定义属性",
    "Process ID": "流程标识（ID）", "Process name": "流程名称", "Participant Name": "参与者名称",
    "Business key": "业务键", "Initiator": "发起人变量", "Start initiator": "发起人", "Version": "版本",
    "Tenant ID": "租户标识", "Script type": "脚本类型", "Inline script": "内联脚本", "External resource": "外部资源",
    "Resource": "资源", "Variable name": "变量名", "Variable events": "变量事件", "Event type": "事件类型",
    "Listener type": "监听器类型", "Listener ID": "监听器标识", "Java class": "Java 类", "Delegate expression": "委托表达式",
    "Key": "键", "Local": "局部", "List": "列表", "Map": "映射", "String": "字符串", "Scope": "作用域",
    "Select": "请选择", "Create": "新建", "Remove": "删除", "Delete item": "删除此项", "Toggle section": "展开/收起",
    "Section contains an error": "本节有错误", "Section contains edits": "本节有修改", "Description": "描述",
    "Select an element to edit its properties.": "选中一个元素以编辑其属性。",
    "Multiple elements are selected. Select a single element to edit its properties.":
      "已选中多个元素，请只选一个元素再编辑属性。",
    "Must not be empty.": "不能为空。", "ID must be unique.": "标识（ID）不能重复。",
    "ID must not be empty.": "标识（ID）不能为空。", "ID must not contain spaces.": "标识（ID）不能含空格。",
    "ID must be a valid QName.": "标识（ID）须以字母或下划线开头，只含字母、数字、下划线。",
    "Specify more than one group as a comma separated list.": "多个组以英文逗号分隔。",
    "Specify more than one user as a comma separated list.": "多个用户以英文逗号分隔。",
    "A time duration defined as ISO 8601 durations format.": "ISO-8601 时长，如 P5D（5 天）、PT2H（2 小时）。",
    "Open documentation": "打开文档", "Learn more.": "了解更多。", "<unnamed>": "（未命名）", "<empty>": "（空）",
    "Add text annotation": "添加注释", "Append element": "追加元素", "Create element": "新建元素", "Set color": "设置颜色",
    "Distribute elements horizontally": "水平均分", "Distribute elements vertically": "垂直均分",
    "Append timer intermediate catch event": "追加定时中间事件", "Append receive task": "追加接收任务",
    "Toggle non-interrupting": "切换非中断"
  };
  Object.keys(PANEL).forEach(function (key) { if (!ZH[key]) { ZH[key] = PANEL[key]; } });

  // The panel header names the element's type, e.g. "User Task", "Timer Boundary Event (Non Interrupting)"
  // (shown in capitals by CSS): translate every type the Camunda 7 panel can name.
  var TYPES = {
    "Collaboration": "协作图", "Process": "流程", "Participant": "参与者（池）", "Lane": "泳道", "Task": "任务",
    "User Task": "用户任务", "Service Task": "服务任务", "Business Rule Task": "业务规则任务", "Script Task": "脚本任务",
    "Send Task": "发送任务", "Receive Task": "接收任务", "Manual Task": "手工任务", "Call Activity": "调用活动",
    "Expanded Sub Process": "子流程（展开）", "Collapsed Sub Process": "子流程（折叠）",
    "Event Sub Process": "事件子流程", "Transaction": "事务子流程", "Ad Hoc Sub Process": "自由子流程",
    "Exclusive Gateway": "排他网关", "Parallel Gateway": "并行网关", "Inclusive Gateway": "包容网关",
    "Complex Gateway": "复杂网关", "Event Based Gateway": "事件网关", "Sequence Flow": "顺序流",
    "Default Flow": "默认流", "Conditional Flow": "条件流", "Message Flow": "消息流", "Association": "关联",
    "Text Annotation": "注释", "Group": "分组", "Data Object Reference": "数据对象", "Data Store Reference": "数据存储",
    "Data Input": "数据输入", "Data Output": "数据输出"
  };
  var EVENTS = { "Start Event": "开始事件", "End Event": "结束事件", "Intermediate Catch Event": "中间捕获事件",
    "Intermediate Throw Event": "中间抛出事件", "Boundary Event": "边界事件" };
  var TRIGGERS = { "": "", "Timer": "定时", "Message": "消息", "Signal": "信号", "Error": "错误", "Escalation": "升级",
    "Compensate": "补偿", "Conditional": "条件", "Link": "链接", "Cancel": "取消", "Terminate": "终止" };
  Object.keys(EVENTS).forEach(function (event) {
    Object.keys(TRIGGERS).forEach(function (trigger) {
      var key = trigger ? trigger + " " + event : event;
      TYPES[key] = TRIGGERS[trigger] + EVENTS[event];
      TYPES[key + " (Non Interrupting)"] = TRIGGERS[trigger] + EVENTS[event] + "（非中断）";
    });
  });
  Object.keys(TYPES).forEach(function (key) { if (!ZH[key]) { ZH[key] = TYPES[key]; } });

  function translate(template, replacements) {
    var text = ZH[template] || template;
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements && replacements[key] !== undefined ? replacements[key] : "{" + key + "}";
    });
  }

  window.riskmonTranslateModule = { translate: ["value", translate] };
})();
