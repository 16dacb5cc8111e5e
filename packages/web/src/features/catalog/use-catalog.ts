import type { PolicyPlatform, Profile, ProfileDefinition, SettingDefinition } from '@palisade/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import { itemsOf } from '../../api/lists.js';

type SettingsAnswer =
  | { readonly items: readonly SettingDefinition[] }
  | readonly SettingDefinition[];
type ProfilesAnswer =
  | { readonly items: readonly ProfileDefinition[] }
  | readonly ProfileDefinition[];

/** The settings catalog from the server, optionally for one platform and profile. */
export function useCatalogSettings(filter: { platform?: PolicyPlatform; profile?: Profile } = {}) {
  return useQuery({
    queryKey: ['catalog', 'settings', filter.platform ?? null, filter.profile ?? null],
    queryFn: async () =>
      itemsOf(await api<SettingsAnswer>('/catalog/settings', { query: { ...filter } })),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useCatalogProfiles() {
  return useQuery({
    queryKey: ['catalog', 'profiles'],
    queryFn: async () => itemsOf(await api<ProfilesAnswer>('/catalog/profiles')),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Setting id → display name, for tables that show setting ids. */
export function useSettingNames(): (id: string) => string {
  const catalog = useCatalogSettings();
  const names = new Map((catalog.data ?? []).map((setting) => [setting.id, setting.displayName]));
  return (id) => names.get(id) ?? id;
}
