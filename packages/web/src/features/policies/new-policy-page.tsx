import { Alert, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { PageHeader } from '../../components/page-header.js';
import {
  POLICY_PLATFORM_LABELS,
  POLICY_PLATFORM_LIST,
  PROFILE_LABELS,
} from '../../domain/labels.js';
import { useCatalogProfiles } from '../catalog/use-catalog.js';
import { emptyDraft } from './policy-draft.js';
import { PolicyEditor } from './policy-editor.js';

const route = getRouteApi('/app/policies/new');

/** Pick the platform and profile (the catalog says which profiles a platform has), then edit. */
export function NewPolicyPage(): ReactNode {
  const search = route.useSearch();
  const navigate = useNavigate({ from: '/policies/new' });
  const profiles = useCatalogProfiles();
  const available = (profiles.data ?? []).filter(
    (profile) => !search.platform || profile.platforms.includes(search.platform),
  );
  const chosen = available.find((profile) => profile.id === search.profile);
  return (
    <>
      <PageHeader title="New policy" />
      <Stack gap="md">
        <Paper withBorder p="md" bg="white">
          <Group gap="sm" align="flex-end">
            <Select
              label="Platform"
              w={180}
              placeholder="Choose"
              data={POLICY_PLATFORM_LIST.map((value) => ({
                value,
                label: POLICY_PLATFORM_LABELS[value],
              }))}
              value={search.platform ?? null}
              onChange={(value) =>
                void navigate({
                  search: {
                    platform: POLICY_PLATFORM_LIST.find((p) => p === value),
                    profile: search.profile,
                  },
                })
              }
              data-testid="new-policy-platform"
            />
            <Select
              label="Profile"
              w={300}
              placeholder={search.platform ? 'Choose' : 'Choose a platform first'}
              disabled={!search.platform}
              data={available.map((profile) => ({
                value: profile.id,
                label: `${PROFILE_LABELS[profile.id] ?? profile.displayName}${profile.deliverable ? '' : ' (not deliverable)'}`,
              }))}
              value={chosen ? chosen.id : null}
              onChange={(value) =>
                void navigate({
                  search: {
                    platform: search.platform,
                    profile: available.find((p) => p.id === value)?.id,
                  },
                })
              }
              data-testid="new-policy-profile"
            />
          </Group>
          {chosen && (
            <Text size="xs" c="dimmed" mt="xs">
              {chosen.help}
            </Text>
          )}
        </Paper>
        {chosen && !chosen.deliverable && (
          <Alert color="orange" variant="light" title="This profile cannot be delivered">
            {chosen.refusal ?? 'Palisade refuses policies of this profile on this channel.'}
          </Alert>
        )}
        {search.platform && chosen?.deliverable && (
          <PolicyEditor
            key={`${search.platform}:${chosen.id}`}
            policy={null}
            initial={emptyDraft(search.platform, chosen.id)}
            tab={search.tab ?? 'settings'}
            onTabChange={(tab) => void navigate({ search: (previous) => ({ ...previous, tab }) })}
          />
        )}
      </Stack>
    </>
  );
}
