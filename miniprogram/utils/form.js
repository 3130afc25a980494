// 按任务的 form.fields（流程图中 camunda:formData 定义的字段）生成表单、校验并整理提交数据。
function initial(field) {
  if (field.type === 'boolean') return field.default === 'true' || field.default === true;
  return field.default === null || field.default === undefined ? '' : String(field.default);
}

function prepare(fields) {
  return (fields || []).map((f) => {
    const options = f.options || [];
    const value = initial(f);
    const optionIndex = options.findIndex((o) => o.id === value);
    return Object.assign({}, f, {
      value, options, optionIndex, optionName: optionIndex >= 0 ? options[optionIndex].name : '',
      input: f.type === 'enum' ? 'enum' : f.type === 'boolean' ? 'boolean' : f.type === 'date' ? 'date'
        : f.type === 'long' ? 'number' : f.widget === 'textarea' ? 'textarea' : 'text',
    });
  });
}

function problems(fields) {
  const messages = [];
  fields.forEach((f) => {
    const empty = f.type !== 'boolean' && String(f.value).trim() === '';
    if (f.required && empty) messages.push('请填写“' + f.label + '”');
    else if (f.type === 'long' && !empty && !/^-?\d+$/.test(String(f.value).trim())) messages.push('“' + f.label + '”须为整数');
  });
  return messages;
}

function values(fields) {
  const data = {};
  fields.forEach((f) => {
    if (f.type === 'boolean') data[f.id] = !!f.value;
    else if (String(f.value).trim() === '') return;
    else if (f.type === 'long') data[f.id] = parseInt(String(f.value).trim(), 10);
    else data[f.id] = String(f.value).trim();
  });
  return data;
}

module.exports = { prepare, problems, values };
