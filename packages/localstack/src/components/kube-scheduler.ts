import type { StackContext } from '../component.ts';
import { controlPlaneComponent, controlPlaneServingArgs } from './control-plane-component.ts';

const NAME = 'kube-scheduler';

export function kubeSchedulerArgs(ctx: StackContext): string[] {
  return [
    ...controlPlaneServingArgs(ctx, NAME, ctx.ports.kubeScheduler),
    '--leader-elect=false',
    '--profiling=false',
  ];
}

export const kubeScheduler = controlPlaneComponent(NAME, (ctx) => ctx.ports.kubeScheduler, kubeSchedulerArgs);
