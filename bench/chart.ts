/**
 * The chart of `npm run bench:instructions`: what CORS costs per request,
 * ours beside `app.enableCors()`, on each platform, as an SVG written beside
 * the results table. For POST workloads the cost is the instructions above the
 * same platform's floor; the floor answers no preflight, so a preflight's bar
 * is the whole request.
 */
import type { Platform } from './scenarios.js';

export interface ChartBar {
  readonly platform: Platform;
  readonly implementation: 'ours' | 'enableCors()';
  readonly instructions: number;
}

export interface ChartGroup {
  readonly workload: string;
  /** What the bars measure, e.g. "above the floor" or "whole preflight". */
  readonly measure: string;
  readonly bars: readonly ChartBar[];
}

const WIDTH = 760;
const LABEL = 230;
const BAR = 18;
const GAP = 6;
const GROUP_HEADER = 26;
const NUMBER = 110;
const COLOURS: Readonly<Record<ChartBar['implementation'], string>> = { ours: '#2f6fdf', 'enableCors()': '#b0b7c3' };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Each group is drawn to its own scale (the largest bar of the group spans the width): compare within a group. */
export function costChart(title: string, groups: readonly ChartGroup[]): string {
  const parts: string[] = [];
  let y = 40;
  for (const group of groups) {
    parts.push(
      `<text x="10" y="${y + 16}" font-weight="bold">${escapeXml(`${group.workload} (${group.measure})`)}</text>`,
    );
    y += GROUP_HEADER;
    const largest = Math.max(1, ...group.bars.map((bar) => bar.instructions));
    for (const bar of group.bars) {
      const length = Math.max(1, Math.round(((WIDTH - LABEL - NUMBER) * Math.max(0, bar.instructions)) / largest));
      const label = `${bar.platform === 'fastify' ? 'Fastify' : 'Express'}, ${bar.implementation}`;
      parts.push(
        `<text x="20" y="${y + BAR - 5}">${escapeXml(label)}</text>`,
        `<rect x="${LABEL}" y="${y}" width="${length}" height="${BAR}" fill="${COLOURS[bar.implementation]}"/>`,
        `<text x="${LABEL + length + 6}" y="${y + BAR - 5}">${Math.round(bar.instructions).toLocaleString('en')}</text>`,
      );
      y += BAR + GAP;
    }
    y += GAP * 2;
  }
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="10" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...parts,
    `<text x="10" y="${height - 8}" font-size="11" fill="#555">Instructions per request (callgrind). Each group has its own scale. Blue: @Cors() (ours); grey: app.enableCors().</text>`,
    '</svg>',
    '',
  ].join('\n');
}
