// 服务器地址：小程序直接以 HTTPS 访问，须在小程序管理后台“开发管理 → 服务器域名”的 request、uploadFile
// 合法域名中登记该域名（见仓库 README）。开发者工具中可临时勾选“不校验合法域名”连本机调试服务器。
module.exports = {
  baseUrl: 'https://riskmon.example.gov.cn',
  apiPrefix: '/api/v1',
};
