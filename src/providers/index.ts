// The registry of providers whose documented behaviour a profile can name with `provider:`.

import type { ProviderBehaviour } from '../model/behaviour.ts';
import { autheliaBehaviours } from './authelia/behaviour.ts';

export const BEHAVIOURS: ReadonlyMap<string, ProviderBehaviour> = new Map(autheliaBehaviours.map((b) => [b.name, b]));

export function behaviourNamed(name: string): ProviderBehaviour | undefined {
  return BEHAVIOURS.get(name);
}
