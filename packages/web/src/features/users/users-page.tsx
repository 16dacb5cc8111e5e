import {
  Badge,
  Button,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useMemo, useState } from 'react';
import { api } from '../../api/client.js';
import { useChange } from '../../api/mutations.js';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLE_LIST, type Role } from '../../api/roles.js';
import type { CreateUserRequest, ListOf, UpdateUserRequest, User } from '../../api/types.js';
import { useSession } from '../../api/use-session.js';
import { confirmAction } from '../../components/confirm.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { PageHeader } from '../../components/page-header.js';
import { RelativeTime } from '../../components/relative-time.js';

const USERS = ['users'] as const;
const roleOptions = ROLE_LIST.map((role) => ({ value: role, label: ROLE_LABELS[role] }));

interface UserFormValues {
  username: string;
  displayName: string;
  role: Role;
  password: string;
}

/** Create a user, or edit one (then the user name is fixed and the password optional). */
function UserForm(props: { user: User | null; onDone: () => void }): ReactNode {
  const editing = props.user !== null;
  const form = useForm<UserFormValues>({
    mode: 'controlled',
    initialValues: {
      username: props.user?.username ?? '',
      displayName: props.user?.displayName ?? '',
      role: props.user?.role ?? 'reader',
      password: '',
    },
    validate: {
      username: (value) => (value.trim() ? null : 'Enter a user name'),
      password: (value) =>
        editing && value === '' ? null : value.length >= 12 ? null : 'At least 12 characters',
    },
  });
  const save = useChange({
    run: (values: UserFormValues) => {
      if (props.user) {
        const body: UpdateUserRequest = {
          displayName: values.displayName,
          role: values.role,
          ...(values.password ? { password: values.password } : {}),
        };
        return api<User>(`/users/${props.user.id}`, { method: 'PATCH', body });
      }
      const body: CreateUserRequest = { ...values };
      return api<User>('/users', { method: 'POST', body });
    },
    invalidates: [USERS],
    success: (user) => `${user.username} saved`,
    form,
    onSuccess: props.onDone,
  });
  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values))} noValidate>
      <Stack gap="sm">
        <TextInput
          label="User name"
          disabled={editing}
          data-autofocus
          {...form.getInputProps('username')}
        />
        <TextInput label="Display name" {...form.getInputProps('displayName')} />
        <Select
          label="Role"
          data={roleOptions}
          allowDeselect={false}
          description={ROLE_DESCRIPTIONS[form.values.role]}
          {...form.getInputProps('role')}
        />
        <PasswordInput
          label={editing ? 'New password (leave empty to keep)' : 'Password'}
          autoComplete="new-password"
          {...form.getInputProps('password')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {editing ? 'Save' : 'Create user'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Users and roles: administrators only (the route is not offered to other roles). */
export function UsersPage(): ReactNode {
  const session = useSession();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const users = useQuery({
    queryKey: USERS,
    queryFn: () => api<ListOf<User>>('/users', { query: { limit: 500 } }),
  });
  const remove = useChange({
    run: (user: User) => api<void>(`/users/${user.id}`, { method: 'DELETE' }),
    invalidates: [USERS],
    success: 'User deleted',
  });
  const columns = useMemo<ColumnDef<User, unknown>[]>(
    () => [
      {
        id: 'username',
        header: 'User name',
        accessorKey: 'username',
        cell: ({ row }) => (
          <Group gap={6}>
            <Text size="sm" fw={500}>
              {row.original.username}
            </Text>
            {row.original.id === session?.user.id && <Badge color="gray">you</Badge>}
          </Group>
        ),
      },
      { id: 'displayName', header: 'Display name', accessorKey: 'displayName' },
      {
        id: 'role',
        header: 'Role',
        accessorKey: 'role',
        cell: ({ row }) => <Badge color="indigo">{ROLE_LABELS[row.original.role]}</Badge>,
      },
      {
        id: 'updatedAt',
        header: 'Changed',
        accessorKey: 'updatedAt',
        cell: ({ row }) => <RelativeTime value={row.original.updatedAt} />,
      },
      {
        id: 'actions',
        header: '',
        enableSorting: false,
        cell: ({ row }) => (
          <Group gap={4} justify="flex-end">
            <Button variant="subtle" onClick={() => setEditing(row.original)}>
              Edit
            </Button>
            {row.original.id !== session?.user.id && (
              <Button
                variant="subtle"
                color="red"
                onClick={async () => {
                  const confirmed = await confirmAction({
                    title: 'Delete user',
                    message: `Delete ${row.original.username}? Their sessions end at once.`,
                    confirmLabel: 'Delete user',
                  });
                  if (confirmed) remove.mutate(row.original);
                }}
              >
                Delete
              </Button>
            )}
          </Group>
        ),
      },
    ],
    [session?.user.id, remove],
  );
  return (
    <>
      <PageHeader
        title="Users and roles"
        description="Who may sign in to this console, and what each role may do."
        actions={<Button onClick={() => setEditing('new')}>New user</Button>}
      />
      <ErrorAlert error={users.error} title="Users could not be loaded" />
      <DataTable
        columns={columns}
        data={users.data?.items ?? []}
        rowKey={(user) => user.id}
        loading={users.isLoading}
        testId="users-table"
      />
      <Stack gap={4} mt="md">
        {ROLE_LIST.map((role) => (
          <Text key={role} size="xs" c="dimmed">
            <b>{ROLE_LABELS[role]}</b>: {ROLE_DESCRIPTIONS[role]}
          </Text>
        ))}
      </Stack>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'New user' : 'Edit user'}
      >
        {editing !== null && (
          <UserForm user={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        )}
      </Modal>
    </>
  );
}
