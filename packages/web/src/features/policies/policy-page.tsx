import { Button } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { api } from '../../api/client.js';
import { useChange } from '../../api/mutations.js';
import type { Policy } from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { confirmAction } from '../../components/confirm.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { PageHeader } from '../../components/page-header.js';
import { policyPlatformLabel, profileLabel } from '../../domain/labels.js';
import { draftOf } from './policy-draft.js';
import { PolicyEditor } from './policy-editor.js';

const route = getRouteApi('/app/policies/$policyId');

export function PolicyPage(): ReactNode {
  const { policyId } = route.useParams();
  const { tab } = route.useSearch();
  const navigate = useNavigate({ from: '/policies/$policyId' });
  const { can } = usePermissions();
  const policy = useQuery({
    queryKey: ['policies', policyId],
    queryFn: () => api<Policy>(`/policies/${policyId}`),
  });
  const remove = useChange({
    run: () => api(`/policies/${policyId}`, { method: 'DELETE' }),
    invalidates: [['policies'], ['dashboard']],
    success: 'Policy deleted; the devices it reached are updated',
    onSuccess: () => void navigate({ to: '/policies' }),
  });
  if (policy.error)
    return <ErrorAlert error={policy.error} title="The policy could not be loaded" />;
  if (!policy.data) return null;
  const data = policy.data;
  return (
    <>
      <PageHeader
        title={data.name}
        description={`${policyPlatformLabel(data.platform)} · ${profileLabel(data.profile)}${data.description ? ` · ${data.description}` : ''}`}
        actions={
          can('edit-policies') && (
            <Button
              variant="light"
              color="red"
              onClick={async () => {
                const confirmed = await confirmAction({
                  title: 'Delete policy',
                  message: `Delete ${data.name} and all its versions? Its settings are removed from the devices it reaches.`,
                  confirmLabel: 'Delete policy',
                });
                if (confirmed) remove.mutate(undefined);
              }}
            >
              Delete
            </Button>
          )
        }
      />
      <PolicyEditor
        key={`${data.id}:${data.version}`}
        policy={data}
        initial={draftOf(data)}
        tab={tab ?? 'settings'}
        onTabChange={(next) =>
          void navigate({ search: { tab: next === 'settings' ? undefined : next } })
        }
      />
    </>
  );
}
