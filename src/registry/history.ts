import type { DeploymentRecord } from '../storage/registry.js';

/**
 * The version an alias goes back to on rollback: its history read as a stack (a set or promote pushes the
 * new target, a rollback pops), so rolling back twice goes two versions back, not back and forth.
 */
export function rollbackTarget(history: readonly DeploymentRecord[], alias: string, current: string): string | null {
  const stack: string[] = [];
  for (const d of history) {
    if (d.alias !== alias || d.kind === 'pause' || d.kind === 'resume') continue;
    if (d.kind === 'rollback') {
      stack.pop();
      if (stack[stack.length - 1] !== d.to) stack.push(d.to);
    } else if (stack[stack.length - 1] !== d.to) {
      stack.push(d.to);
    }
  }
  if (stack[stack.length - 1] !== current) return null;
  for (let i = stack.length - 2; i >= 0; i--) if (stack[i] !== current) return stack[i] as string;
  return null;
}
