/**
 * Controls generated from the settings catalog: one per setting type. A setting absent from the
 * policy is "not configured" (the device keeps its own value); every control can return to that.
 * Lists (exclusions), maps (ASR rules: GUID → mode) and structured lists (firewall rules) are
 * edited as tables.
 */
import {
  ActionIcon,
  Badge,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import type {
  ChoiceOption,
  FieldDefinition,
  JsonValue,
  PolicyPlatform,
  SettingDefinition,
  SettingType,
} from '@palisade/core';
import { type ReactNode, useState } from 'react';

type Value = JsonValue | undefined;
type JsonObject = { readonly [key: string]: JsonValue };

function optionsFor(options: readonly ChoiceOption[], platform: PolicyPlatform) {
  return options
    .filter((option) => !option.platforms || option.platforms.includes(platform))
    .map((option) => ({ value: option.value, label: option.label }));
}

function isObject(value: Value): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: Value): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}

/** A scalar control (boolean, choice, integer, string); also used for structured-list fields. */
function ScalarControl(props: {
  type: SettingType;
  value: Value;
  onChange: (value: Value) => void;
  platform: PolicyPlatform;
  label: string;
  compact?: boolean;
  error?: string | undefined;
}): ReactNode {
  const { type, value, onChange } = props;
  switch (type.kind) {
    case 'boolean':
      return props.compact ? (
        <Checkbox
          aria-label={props.label}
          checked={value === true}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
      ) : (
        <SegmentedControl
          aria-label={props.label}
          value={value === true ? 'true' : value === false ? 'false' : ''}
          onChange={(next) => onChange(next === '' ? undefined : next === 'true')}
          data={[
            { label: 'Not configured', value: '' },
            { label: 'On', value: 'true' },
            { label: 'Off', value: 'false' },
          ]}
        />
      );
    case 'choice':
      return (
        <Select
          aria-label={props.label}
          w={props.compact ? 130 : 240}
          placeholder="Not configured"
          clearable
          data={optionsFor(type.options, props.platform)}
          value={typeof value === 'string' ? value : null}
          onChange={(next) => onChange(next ?? undefined)}
          error={props.error}
        />
      );
    case 'integer':
      return (
        <NumberInput
          aria-label={props.label}
          w={props.compact ? 110 : 200}
          placeholder="Not configured"
          allowDecimal={false}
          min={type.min}
          max={type.max}
          clampBehavior="none"
          rightSection={type.unit ? <Text size="xs">{type.unit}</Text> : undefined}
          rightSectionWidth={type.unit ? 60 : undefined}
          value={typeof value === 'number' ? value : ''}
          onChange={(next) => onChange(typeof next === 'number' ? next : undefined)}
          error={props.error}
        />
      );
    case 'string':
      return (
        <TextInput
          aria-label={props.label}
          w={props.compact ? 160 : 320}
          placeholder={props.compact ? '' : 'Not configured'}
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.currentTarget.value || undefined)}
          error={props.error}
        />
      );
    case 'string-list':
      return (
        <TagsInput
          aria-label={props.label}
          w={props.compact ? 200 : 320}
          value={asList(value).filter((item): item is string => typeof item === 'string')}
          onChange={(next) => onChange(next.length > 0 ? next : undefined)}
          error={props.error}
        />
      );
    default:
      return <Text size="xs">This setting's type is edited in its own table.</Text>;
  }
}

/** A string list (exclusions) as a table: one item a row, added at the bottom. */
function StringListTable(props: {
  definition: SettingDefinition;
  type: Extract<SettingType, { kind: 'string-list' }>;
  value: Value;
  onChange: (value: Value) => void;
  platform: PolicyPlatform;
  readOnly: boolean;
}): ReactNode {
  const items = asList(props.value).map(String);
  const [draft, setDraft] = useState('');
  const rule = props.type.itemRules?.[props.platform];
  const hint = rule?.description ?? props.type.itemDescription;
  const set = (next: string[]) => props.onChange(next.length > 0 ? next : undefined);
  const add = () => {
    const item = draft.trim();
    if (!item) return;
    if (!items.includes(item)) set([...items, item]);
    setDraft('');
  };
  return (
    <Stack gap={4}>
      <Paper withBorder>
        <Table fz="xs" verticalSpacing={3} data-testid={`list-${props.definition.id}`}>
          <Table.Tbody>
            {items.length === 0 && (
              <Table.Tr>
                <Table.Td c="dimmed">No items: not configured.</Table.Td>
              </Table.Tr>
            )}
            {items.map((item, index) => (
              <Table.Tr key={item}>
                <Table.Td>
                  {props.readOnly ? (
                    <Text size="xs" className="palisade-mono">
                      {item}
                    </Text>
                  ) : (
                    <TextInput
                      aria-label={`${props.definition.displayName} item ${index + 1}`}
                      variant="unstyled"
                      size="xs"
                      className="palisade-mono"
                      value={item}
                      onChange={(event) => {
                        const next = [...items];
                        next[index] = event.currentTarget.value;
                        set(next);
                      }}
                    />
                  )}
                </Table.Td>
                {!props.readOnly && (
                  <Table.Td w={40}>
                    <Tooltip label="Remove">
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        size="sm"
                        aria-label={`Remove ${item}`}
                        onClick={() => set(items.filter((_, at) => at !== index))}
                      >
                        ×
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      {!props.readOnly && (
        <Group gap={6} align="flex-start">
          <TextInput
            aria-label={`Add to ${props.definition.displayName}`}
            placeholder={hint ? `Add: ${hint}` : 'Add an item'}
            className="palisade-mono"
            style={{ flex: 1 }}
            value={draft}
            onChange={(event) => setDraft(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                add();
              }
            }}
          />
          <Button variant="light" onClick={add} disabled={!draft.trim()}>
            Add
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** A map (ASR rules): every key a row, with its value chosen or not configured. */
function MapTable(props: {
  definition: SettingDefinition;
  type: Extract<SettingType, { kind: 'map' }>;
  value: Value;
  onChange: (value: Value) => void;
  platform: PolicyPlatform;
  readOnly: boolean;
}): ReactNode {
  const current: JsonObject = isObject(props.value) ? props.value : {};
  const values = optionsFor(props.type.values, props.platform);
  const set = (key: string, next: string | null) => {
    const copy: Record<string, JsonValue> = { ...current };
    if (next === null) delete copy[key];
    else copy[key] = next;
    props.onChange(Object.keys(copy).length > 0 ? copy : undefined);
  };
  return (
    <Paper withBorder>
      <ScrollArea.Autosize mah={420}>
        <Table fz="xs" verticalSpacing={3} stickyHeader data-testid={`map-${props.definition.id}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Rule</Table.Th>
              <Table.Th>GUID</Table.Th>
              <Table.Th w={170}>Mode</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {optionsFor(props.type.keys, props.platform).map((key) => {
              const chosen = current[key.value];
              return (
                <Table.Tr key={key.value}>
                  <Table.Td>{key.label}</Table.Td>
                  <Table.Td className="palisade-mono" c="dimmed">
                    {key.value}
                  </Table.Td>
                  <Table.Td>
                    {props.readOnly ? (
                      <Text size="xs">
                        {typeof chosen === 'string'
                          ? (values.find((v) => v.value === chosen)?.label ?? chosen)
                          : 'Not configured'}
                      </Text>
                    ) : (
                      <Select
                        aria-label={`Mode of ${key.label}`}
                        size="xs"
                        placeholder="Not configured"
                        clearable
                        data={values}
                        value={typeof chosen === 'string' ? chosen : null}
                        onChange={(next) => set(key.value, next)}
                      />
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Paper>
  );
}

function fieldApplies(field: FieldDefinition, platform: PolicyPlatform): boolean {
  return !field.platforms || field.platforms.includes(platform);
}

function emptyItem(fields: readonly FieldDefinition[]): Record<string, JsonValue> {
  const item: Record<string, JsonValue> = {};
  for (const field of fields) {
    if (field.default !== undefined) item[field.key] = field.default;
  }
  return item;
}

function displayField(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** A structured list (firewall rules): one item a row, one field a column. */
function StructuredListTable(props: {
  definition: SettingDefinition;
  type: Extract<SettingType, { kind: 'structured-list' }>;
  value: Value;
  onChange: (value: Value) => void;
  platform: PolicyPlatform;
  readOnly: boolean;
}): ReactNode {
  const items = asList(props.value).filter(isObject);
  const fields = props.type.fields.filter((field) => fieldApplies(field, props.platform));
  const set = (next: JsonObject[]) => props.onChange(next.length > 0 ? next : undefined);
  const setField = (index: number, key: string, value: Value) => {
    const next = items.map((item, at) => {
      if (at !== index) return item;
      const copy: Record<string, JsonValue> = { ...item };
      if (value === undefined) delete copy[key];
      else copy[key] = value;
      return copy;
    });
    set(next);
  };
  return (
    <Stack gap={4}>
      <Paper withBorder>
        <ScrollArea type="auto">
          <Table fz="xs" verticalSpacing={3} data-testid={`structured-${props.definition.id}`}>
            <Table.Thead>
              <Table.Tr>
                {fields.map((field) => (
                  <Table.Th key={field.key} style={{ whiteSpace: 'nowrap' }}>
                    <Tooltip label={field.help} multiline w={280} disabled={!field.help}>
                      <span>
                        {field.label}
                        {field.required ? ' *' : ''}
                      </span>
                    </Tooltip>
                  </Table.Th>
                ))}
                {!props.readOnly && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={fields.length + 1} c="dimmed">
                    No items: not configured.
                  </Table.Td>
                </Table.Tr>
              )}
              {items.map((item, index) => (
                // Rows are positional: the item key may be edited, so it cannot be the React key.
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are identified by position
                <Table.Tr key={index}>
                  {fields.map((field) => (
                    <Table.Td key={field.key}>
                      {props.readOnly ? (
                        <Text size="xs">{displayField(item[field.key])}</Text>
                      ) : (
                        <ScalarControl
                          type={field.type}
                          value={item[field.key]}
                          onChange={(value) => setField(index, field.key, value)}
                          platform={props.platform}
                          label={`${field.label} of item ${index + 1}`}
                          compact
                        />
                      )}
                    </Table.Td>
                  ))}
                  {!props.readOnly && (
                    <Table.Td>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        size="sm"
                        aria-label={`Remove item ${index + 1}`}
                        onClick={() => set(items.filter((_, at) => at !== index))}
                      >
                        ×
                      </ActionIcon>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Paper>
      {!props.readOnly && (
        <Group>
          <Button variant="light" onClick={() => set([...items, emptyItem(fields)])}>
            Add {props.type.itemKey === 'name' ? 'a rule' : 'an item'}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function readOnlyValue(value: Value): string {
  if (value === undefined) return 'Not configured';
  if (typeof value === 'boolean') return value ? 'On' : 'Off';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface SettingEditorProps {
  readonly definition: SettingDefinition;
  readonly value: Value;
  readonly onChange: (value: Value) => void;
  readonly platform: PolicyPlatform;
  readonly problems: readonly string[];
  readonly readOnly: boolean;
}

/** One setting of the catalog: its name, help, allowed values, control and inline problems. */
export function SettingEditor(props: SettingEditorProps): ReactNode {
  const { definition, platform, readOnly } = props;
  const type = definition.type;
  const configured = props.value !== undefined;
  const wide =
    type.kind === 'string-list' || type.kind === 'map' || type.kind === 'structured-list';
  const shared = {
    definition,
    value: props.value,
    onChange: props.onChange,
    platform,
    readOnly,
  };
  let control: ReactNode;
  if (type.kind === 'string-list') control = <StringListTable {...shared} type={type} />;
  else if (type.kind === 'map') control = <MapTable {...shared} type={type} />;
  else if (type.kind === 'structured-list')
    control = <StructuredListTable {...shared} type={type} />;
  else if (readOnly) control = <Text size="sm">{readOnlyValue(props.value)}</Text>;
  else
    control = (
      <ScalarControl
        type={type}
        value={props.value}
        onChange={props.onChange}
        platform={platform}
        label={definition.displayName}
      />
    );
  const defaultValue = definition.platformDefaults?.[platform] ?? definition.default;
  return (
    <Paper
      withBorder
      p="sm"
      bg={props.problems.length > 0 ? 'red.0' : 'white'}
      data-setting-id={definition.id}
    >
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={2} style={{ flex: 1 }}>
            <Group gap={6}>
              <Text size="sm" fw={600}>
                {definition.displayName}
              </Text>
              {configured && (
                <Badge color="indigo" size="xs">
                  configured
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed" className="palisade-mono">
              {definition.id}
              {defaultValue !== null && defaultValue !== undefined
                ? ` · default ${readOnlyValue(defaultValue)}`
                : ''}
            </Text>
            <Text size="xs" c="dimmed">
              {definition.help}
            </Text>
          </Stack>
          {!wide && <div>{control}</div>}
        </Group>
        {wide && control}
        {props.problems.map((problem) => (
          <Text key={problem} size="xs" c="red.8" data-testid="setting-problem">
            {problem}
          </Text>
        ))}
      </Stack>
    </Paper>
  );
}
