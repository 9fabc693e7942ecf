export { writePdfReport } from './report.js';
export type { PdfReportOptions } from './types.js';
