// Loaded with `node --import` (NODE_OPTIONS) into the CLI under test: at exit, writes the process's
// peak resident set size in kilobytes and its CPU time in milliseconds, as JSON, to PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
    writeFileSync(file, JSON.stringify({ maxRssKB: usage.maxRSS, cpuMs }));
  });
}
