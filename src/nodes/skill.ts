import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** A directory of Agent Skills (one `SKILL.md` per sub-directory) offered to an agent through a `skill` edge. */
export const ZSkillConfig = z.looseObject({
  /** Empty: the default skills directory. `~` is expanded. */
  skill_path: z.string().default(''),
  skill_source: z.enum(['filesystem']).default('filesystem'),
});

export const skill = defineNode({
  type: 'skill',
  displayName: 'Skill',
  description: 'Gives the connected agent a directory of skills.',
  category: 'sub_component',
  inputs: [],
  outputs: [{ name: 'skill_path', data_type: 'string' }],
  config: ZSkillConfig,
  flags: { executable: false, subComponent: true },
  palette: { label: 'Skill', color: CATEGORY_COLORS.sub_component, icon: 'book-open' },
});
