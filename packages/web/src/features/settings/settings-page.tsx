import { Tabs } from '@mantine/core';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { PageHeader } from '../../components/page-header.js';
import { OnboardingTokens } from './onboarding-tokens.js';
import { TenantSettingsForm } from './tenant-settings-form.js';

const route = getRouteApi('/app/settings');

export function SettingsPage(): ReactNode {
  const { tab } = route.useSearch();
  const navigate = useNavigate({ from: '/settings' });
  return (
    <>
      <PageHeader
        title="Settings"
        description="Which devices Palisade manages, and how machines onboard."
      />
      <Tabs
        value={tab ?? 'enforcement'}
        onChange={(next) =>
          void navigate({ search: { tab: next === 'onboarding' ? 'onboarding' : undefined } })
        }
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="enforcement">Enforcement</Tabs.Tab>
          <Tabs.Tab value="onboarding">Onboarding</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="enforcement">
          <TenantSettingsForm />
        </Tabs.Panel>
        <Tabs.Panel value="onboarding">
          <OnboardingTokens />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
