import {
  Alert,
  Button,
  Group,
  List,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Platform } from '@palisade/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { api } from '../../api/client.js';
import { useChange } from '../../api/mutations.js';
import type { TenantSettingsMessage, UpdateTenantSettingsRequest } from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { confirmAction } from '../../components/confirm.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { PLATFORM_LABELS, PLATFORM_LIST } from '../../domain/labels.js';

export const SETTINGS_KEY = ['settings'] as const;

type ScopeMode = 'off' | 'all' | 'tagged';

interface ScopeRow {
  mode: ScopeMode;
  tag: string;
}

interface SettingsFormValues {
  securitySettingsManagement: boolean;
  enforcementScope: Record<Platform, ScopeRow>;
  configMgrAuthority: boolean;
  cloudConnector: boolean;
  domainControllers: boolean;
  checkInIntervalMinutes: number;
}

function toForm(settings: TenantSettingsMessage): SettingsFormValues {
  const scope = {} as Record<Platform, ScopeRow>;
  for (const platform of PLATFORM_LIST) {
    const value = settings.enforcementScope[platform];
    scope[platform] = { mode: value.mode, tag: value.mode === 'tagged' ? value.tag : '' };
  }
  return { ...settings, enforcementScope: scope };
}

function toRequest(values: SettingsFormValues): UpdateTenantSettingsRequest {
  const enforcementScope: NonNullable<UpdateTenantSettingsRequest['enforcementScope']> = {};
  for (const platform of PLATFORM_LIST) {
    const row = values.enforcementScope[platform];
    enforcementScope[platform] =
      row.mode === 'tagged' ? { mode: 'tagged', tag: row.tag.trim() } : { mode: row.mode };
  }
  return { ...values, enforcementScope };
}

function scopeText(row: ScopeRow): string {
  return row.mode === 'off'
    ? 'off'
    : row.mode === 'all'
      ? 'all devices'
      : `devices tagged ${row.tag}`;
}

function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}

/** Sentences for what the administrator changed, for the confirmation. */
function describeChanges(before: SettingsFormValues, after: SettingsFormValues): string[] {
  const changes: string[] = [];
  if (before.securitySettingsManagement !== after.securitySettingsManagement) {
    changes.push(`Security settings management: ${onOff(after.securitySettingsManagement)}`);
  }
  for (const platform of PLATFORM_LIST) {
    const a = before.enforcementScope[platform];
    const b = after.enforcementScope[platform];
    if (a.mode !== b.mode || (b.mode === 'tagged' && a.tag.trim() !== b.tag.trim())) {
      changes.push(`${PLATFORM_LABELS[platform]}: ${scopeText(a)} → ${scopeText(b)}`);
    }
  }
  for (const item of SWITCHES) {
    if (before[item.key] !== after[item.key])
      changes.push(`${item.label}: ${onOff(after[item.key])}`);
  }
  if (before.checkInIntervalMinutes !== after.checkInIntervalMinutes) {
    changes.push(
      `Fallback check-in interval: ${before.checkInIntervalMinutes} → ${after.checkInIntervalMinutes} minutes`,
    );
  }
  return changes;
}

const SWITCHES: readonly {
  key: 'configMgrAuthority' | 'cloudConnector' | 'domainControllers';
  label: string;
  description: string;
}[] = [
  {
    key: 'configMgrAuthority',
    label: 'Configuration Manager stays the authority',
    description:
      'Devices managed by Configuration Manager keep it as their single authority for security settings; Palisade does not enforce on them.',
  },
  {
    key: 'cloudConnector',
    label: 'Manage devices from the cloud connector',
    description: 'Devices that came in through a cloud connector are managed like onboarded ones.',
  },
  {
    key: 'domainControllers',
    label: 'Manage domain controllers',
    description:
      'Domain controllers are refused unless opted in: a wrong setting on one affects the whole domain.',
  },
];

/** Enforcement scope per platform, the tenant switches and the fallback interval. */
export function TenantSettingsForm(): ReactNode {
  const { can } = usePermissions();
  const readOnly = !can('edit-settings');
  const settings = useQuery({
    queryKey: SETTINGS_KEY,
    queryFn: () => api<TenantSettingsMessage>('/tenant/settings'),
  });
  const form = useForm<SettingsFormValues>({
    mode: 'controlled',
    validate: {
      enforcementScope: (scope) => {
        for (const platform of PLATFORM_LIST) {
          if (scope[platform].mode === 'tagged' && !scope[platform].tag.trim()) {
            return `${PLATFORM_LABELS[platform]}: name the tag that brings a device in scope`;
          }
        }
        return null;
      },
    },
  });
  const { setValues, setInitialValues } = form;
  useEffect(() => {
    if (settings.data) {
      setInitialValues(toForm(settings.data));
      setValues(toForm(settings.data));
    }
  }, [settings.data, setValues, setInitialValues]);
  const save = useChange({
    run: (values: SettingsFormValues) =>
      api<TenantSettingsMessage>('/tenant/settings', { method: 'PATCH', body: toRequest(values) }),
    invalidates: [SETTINGS_KEY, ['dashboard'], ['devices']],
    success: 'Settings saved; devices are re-evaluated now',
    form,
  });

  if (settings.error)
    return <ErrorAlert error={settings.error} title="Settings could not be loaded" />;
  if (!settings.data || !form.values.enforcementScope) return null;

  return (
    <form
      onSubmit={form.onSubmit(async (values) => {
        // These switches decide which devices are managed at all: say what changes, then ask.
        const changes = describeChanges(form.getInitialValues(), values);
        const confirmed = await confirmAction({
          title: 'Change tenant settings',
          message: (
            <>
              Every device's enrollment is decided again at once:
              <List size="sm" mt={6} data-testid="settings-changes">
                {changes.map((change) => (
                  <List.Item key={change}>{change}</List.Item>
                ))}
              </List>
            </>
          ),
          confirmLabel: 'Save settings',
          destructive: false,
        });
        if (confirmed) save.mutate(values);
      })}
      noValidate
    >
      <Stack gap="md" maw={820}>
        {readOnly && (
          <Alert variant="light" color="gray">
            Only administrators change tenant settings; you see them read-only.
          </Alert>
        )}
        <Paper withBorder p="md" bg="white">
          <Switch
            label="Security settings management"
            description="The master switch. Off: no device is managed by Palisade, whatever the scope below."
            disabled={readOnly}
            {...form.getInputProps('securitySettingsManagement', { type: 'checkbox' })}
          />
        </Paper>
        <Paper withBorder p="md" bg="white">
          <Title order={4} size="h5" mb={4}>
            Enforcement scope
          </Title>
          <Text size="xs" c="dimmed" mb="sm">
            Which devices of each platform Palisade manages: none, all, or only those carrying a tag
            (to roll out in phases).
          </Text>
          <Table fz="sm" verticalSpacing={6} data-testid="enforcement-scope">
            <Table.Tbody>
              {PLATFORM_LIST.map((platform) => {
                const row = form.values.enforcementScope[platform];
                return (
                  <Table.Tr key={platform}>
                    <Table.Td w={160} fw={500}>
                      {PLATFORM_LABELS[platform]}
                    </Table.Td>
                    <Table.Td w={260}>
                      <SegmentedControl
                        aria-label={`Enforcement scope of ${PLATFORM_LABELS[platform]}`}
                        disabled={readOnly}
                        data={[
                          { value: 'off', label: 'Off' },
                          { value: 'all', label: 'All devices' },
                          { value: 'tagged', label: 'Tagged' },
                        ]}
                        {...form.getInputProps(`enforcementScope.${platform}.mode`)}
                      />
                    </Table.Td>
                    <Table.Td>
                      {row.mode === 'tagged' && (
                        <TextInput
                          aria-label={`Tag for ${PLATFORM_LABELS[platform]}`}
                          placeholder="e.g. MDE-Management"
                          disabled={readOnly}
                          {...form.getInputProps(`enforcementScope.${platform}.tag`)}
                        />
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          {typeof form.errors.enforcementScope === 'string' && (
            <Text size="xs" c="red.8" mt={4}>
              {form.errors.enforcementScope}
            </Text>
          )}
        </Paper>
        <Paper withBorder p="md" bg="white">
          <Stack gap="sm">
            {SWITCHES.map((item) => (
              <Switch
                key={item.key}
                label={item.label}
                description={item.description}
                disabled={readOnly}
                {...form.getInputProps(item.key, { type: 'checkbox' })}
              />
            ))}
            <NumberInput
              label="Fallback check-in interval"
              description="Changes reach connected devices in seconds; this is only the safety net. 5 to 1440 minutes."
              rightSection={<Text size="xs">min</Text>}
              rightSectionWidth={40}
              w={280}
              min={5}
              max={1440}
              allowDecimal={false}
              disabled={readOnly}
              {...form.getInputProps('checkInIntervalMinutes')}
            />
          </Stack>
        </Paper>
        {!readOnly && (
          <Group>
            <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
              Save settings
            </Button>
            <Button variant="default" disabled={!form.isDirty()} onClick={() => form.reset()}>
              Discard changes
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
