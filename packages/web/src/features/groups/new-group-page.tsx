import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { api } from '../../api/client.js';
import { useChange } from '../../api/mutations.js';
import type { CreateGroupRequest, Group } from '../../api/types.js';
import { PageHeader } from '../../components/page-header.js';
import { GroupForm, type GroupFormValues } from './group-form.js';

function requestOf(values: GroupFormValues): CreateGroupRequest {
  return values.kind === 'dynamic'
    ? { kind: 'dynamic', name: values.name, description: values.description, rule: values.rule }
    : {
        kind: 'assigned',
        name: values.name,
        description: values.description,
        members: values.members.map((device) => device.id),
      };
}

const route = getRouteApi('/app/groups/new');

export function NewGroupPage(): ReactNode {
  // A device's rule properties can start a group here with a rule already written.
  const { rule } = route.useSearch();
  const navigate = useNavigate();
  const create = useChange({
    run: (values: GroupFormValues) =>
      api<Group>('/groups', { method: 'POST', body: requestOf(values) }),
    invalidates: [['groups']],
    success: (group) => `Group ${group.name} created`,
    onSuccess: (group) => void navigate({ to: '/groups/$groupId', params: { groupId: group.id } }),
  });
  return (
    <>
      <PageHeader title="New group" />
      <GroupForm
        initial={{ kind: 'dynamic', name: '', description: '', rule: rule ?? '', members: [] }}
        creating
        readOnly={false}
        saving={create.isPending}
        saveError={create.error}
        onSubmit={(values) => create.mutate(values)}
        onCancel={() => void navigate({ to: '/groups' })}
      />
    </>
  );
}
