import type { PolicyPlatform, Profile } from '@palisade/core';

/** The tabs of a policy page, kept in the URL (`?tab=versions`). */
export const POLICY_TABS = ['settings', 'assignments', 'versions', 'report'] as const;
export type PolicyTab = (typeof POLICY_TABS)[number];

export type PoliciesSearch = { platform?: PolicyPlatform; profile?: Profile; search?: string };
export type NewPolicySearch = { platform?: PolicyPlatform; profile?: Profile; tab?: PolicyTab };
