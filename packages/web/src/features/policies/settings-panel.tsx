import { Alert, Group, Loader, Stack, Switch, Text, TextInput } from '@mantine/core';
import type { JsonValue, SettingDefinition } from '@palisade/core';
import { type ReactNode, useState } from 'react';
import { ErrorAlert } from '../../components/error-alert.js';
import { useCatalogSettings } from '../catalog/use-catalog.js';
import type { PolicyDraft } from './policy-draft.js';
import { SettingEditor } from './setting-editor.js';

/** Every catalog setting of the draft's platform and profile, as a generated form. */
export function SettingsPanel(props: {
  draft: PolicyDraft;
  onChange: (id: string, value: JsonValue | undefined) => void;
  problems: Readonly<Record<string, readonly string[]>>;
  readOnly: boolean;
}): ReactNode {
  const catalog = useCatalogSettings({
    platform: props.draft.platform,
    profile: props.draft.profile,
  });
  const [filter, setFilter] = useState('');
  const [configuredOnly, setConfiguredOnly] = useState(props.readOnly);
  if (catalog.error)
    return <ErrorAlert error={catalog.error} title="The settings catalog could not be loaded" />;
  if (!catalog.data) return <Loader size="sm" />;
  const needle = filter.trim().toLowerCase();
  const matches = (setting: SettingDefinition) =>
    (!needle ||
      setting.id.toLowerCase().includes(needle) ||
      setting.displayName.toLowerCase().includes(needle) ||
      setting.help.toLowerCase().includes(needle)) &&
    (!configuredOnly || props.draft.settings[setting.id] !== undefined);
  const shown = catalog.data.filter((setting) => !setting.refusal && matches(setting));
  const unknown = Object.keys(props.problems).filter(
    (id) => !catalog.data.some((s) => s.id === id),
  );
  const configured = Object.keys(props.draft.settings).length;
  return (
    <Stack gap="sm">
      <Group gap="sm">
        <TextInput
          placeholder="Find a setting"
          aria-label="Find a setting"
          w={280}
          value={filter}
          onChange={(event) => setFilter(event.currentTarget.value)}
        />
        <Switch
          label={`Configured only (${configured})`}
          checked={configuredOnly}
          onChange={(event) => setConfiguredOnly(event.currentTarget.checked)}
        />
        <Text size="xs" c="dimmed">
          {catalog.data.length} settings in this profile; a setting left "not configured" keeps the
          device's own value.
        </Text>
      </Group>
      {unknown.map((id) => (
        <Alert key={id} color="red" variant="light">
          {id}: {props.problems[id]?.join(' ')}
        </Alert>
      ))}
      {shown.length === 0 && (
        <Text size="sm" c="dimmed">
          {configuredOnly ? 'No setting is configured in this policy.' : 'No setting matches.'}
        </Text>
      )}
      {shown.map((setting) => (
        <SettingEditor
          key={setting.id}
          definition={setting}
          platform={props.draft.platform}
          value={props.draft.settings[setting.id]}
          onChange={(value) => props.onChange(setting.id, value)}
          problems={props.problems[setting.id] ?? []}
          readOnly={props.readOnly}
        />
      ))}
    </Stack>
  );
}
