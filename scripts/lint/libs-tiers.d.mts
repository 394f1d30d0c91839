import type { ESLint } from 'eslint';

export const FLOORS: Record<'ground' | 'contracts' | 'engines' | 'policy' | 'wiring', string[]>;
export const SAME_FLOOR: Record<string, string[]>;
export function floorOf(folder: string): number | undefined;
export function violation(from: string, target: string): string | undefined;
declare const plugin: ESLint.Plugin;
export default plugin;
