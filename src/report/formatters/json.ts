import type { Formatter } from './types.js';

const json: Formatter = (report) => `${JSON.stringify(report, null, 2)}\n`;
export default json;
