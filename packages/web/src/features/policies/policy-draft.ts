/**
 * The policy being edited: one draft across the settings and assignments tabs, saved as one new
 * version after the what-if. Settings problems from the server are mapped back to their setting.
 */
import type { JsonValue, PolicyPlatform, Profile } from '@palisade/core';
import { ApiError } from '../../api/client.js';
import type { Policy, PolicyAssignmentsMessage } from '../../api/types.js';

export interface PolicyDraft {
  readonly name: string;
  readonly description: string;
  readonly platform: PolicyPlatform;
  readonly profile: Profile;
  readonly settings: Readonly<Record<string, JsonValue>>;
  readonly assignments: PolicyAssignmentsMessage;
}

export function draftOf(policy: Policy): PolicyDraft {
  return {
    name: policy.name,
    description: policy.description,
    platform: policy.platform,
    profile: policy.profile,
    settings: policy.settings as Record<string, JsonValue>,
    assignments: policy.assignments,
  };
}

export function emptyDraft(platform: PolicyPlatform, profile: Profile): PolicyDraft {
  return {
    name: '',
    description: '',
    platform,
    profile,
    settings: {},
    assignments: { include: [], exclude: [], filter: null },
  };
}

/** Sets one setting, or removes it (not configured) when the value is undefined. */
export function withSetting(
  draft: PolicyDraft,
  id: string,
  value: JsonValue | undefined,
): PolicyDraft {
  const settings: Record<string, JsonValue> = { ...draft.settings };
  if (value === undefined) delete settings[id];
  else settings[id] = value;
  return { ...draft, settings };
}

export function sameDraft(a: PolicyDraft, b: PolicyDraft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface DraftProblems {
  /** Setting id → the catalog's sentences about it. */
  readonly settings: Readonly<Record<string, readonly string[]>>;
  /** Other fields (name, assignments.include, …) → message. */
  readonly fields: Readonly<Record<string, string>>;
}

export const NO_PROBLEMS: DraftProblems = { settings: {}, fields: {} };

/**
 * Maps a 400's field errors to the draft: `body.settings.<setting id>[.<path>]` goes to that
 * setting (the longest known id that prefixes the path, since ids contain dots).
 */
export function problemsOf(error: unknown, settingIds: readonly string[]): DraftProblems {
  if (!(error instanceof ApiError)) return NO_PROBLEMS;
  const settings: Record<string, string[]> = {};
  const fields: Record<string, string> = {};
  const ids = [...settingIds].sort((a, b) => b.length - a.length);
  for (const field of error.fields) {
    const path = field.path.replace(/^(body|policy)\./, '').replace(/^policy\./, '');
    if (path.startsWith('settings.')) {
      const rest = path.slice('settings.'.length);
      const id = ids.find((candidate) => rest === candidate || rest.startsWith(`${candidate}.`));
      const key = id ?? rest;
      settings[key] = [...(settings[key] ?? []), field.message];
    } else {
      fields[path] = field.message;
    }
  }
  return { settings, fields };
}

export function withoutSettingProblems(problems: DraftProblems, id: string): DraftProblems {
  const settings = { ...problems.settings };
  delete settings[id];
  return { ...problems, settings };
}
