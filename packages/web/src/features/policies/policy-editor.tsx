/**
 * Create or edit a policy: basics, the settings form generated from the catalog, assignments; then
 * the what-if review, then save (a new version). One draft spans the tabs, so settings and
 * assignments changed together are saved as one version.
 */
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Tabs,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useBlocker, useNavigate } from '@tanstack/react-router';
import { type ReactNode, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.js';
import type {
  CreatePolicyRequest,
  Policy,
  UpdatePolicyRequest,
  WhatIfRequest,
  WhatIfResponse,
} from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { confirmAction } from '../../components/confirm.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { policyPlatformLabel, profileLabel } from '../../domain/labels.js';
import { useCatalogSettings } from '../catalog/use-catalog.js';
import { AssignmentsEditor } from './assignments-editor.js';
import {
  type DraftProblems,
  NO_PROBLEMS,
  type PolicyDraft,
  problemsOf,
  sameDraft,
  withoutSettingProblems,
  withSetting,
} from './policy-draft.js';
import { PolicyReportPanel } from './policy-report.js';
import { POLICY_TABS, type PolicyTab } from './policy-search.js';
import { PolicyVersions } from './policy-versions.js';
import { SettingsPanel } from './settings-panel.js';
import { WhatIfReview } from './what-if-review.js';

function whatIfRequestOf(draft: PolicyDraft, policyId: string | undefined): WhatIfRequest {
  return {
    policy: {
      ...(policyId ? { id: policyId } : {}),
      name: draft.name.trim() || 'draft',
      platform: draft.platform,
      profile: draft.profile,
      settings: draft.settings,
      assignments: draft.assignments,
    },
    limit: 100,
  };
}

/** Sticks under the header while a draft is unsaved: discard it, or review and save it. */
function SaveBar(props: {
  creating: boolean;
  dirty: boolean;
  canReview: boolean;
  reviewing: boolean;
  onDiscard: () => void;
  onReview: () => void;
}): ReactNode {
  return (
    <Paper
      withBorder
      p="xs"
      bg="indigo.0"
      style={{ position: 'sticky', top: 56, zIndex: 5 }}
      data-testid="save-bar"
    >
      <Group justify="space-between">
        <Text size="sm">
          {props.creating ? 'New policy: not saved yet.' : 'Unsaved changes.'} Review what changes
          on which devices before saving.
        </Text>
        <Group gap="xs">
          {props.dirty && (
            <Button variant="default" onClick={props.onDiscard}>
              Discard
            </Button>
          )}
          <Button
            onClick={props.onReview}
            loading={props.reviewing}
            disabled={!props.canReview}
            data-testid="review-and-save"
          >
            Review and save
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}

export function PolicyEditor(props: {
  policy: Policy | null;
  initial: PolicyDraft;
  tab: PolicyTab;
  onTabChange: (tab: PolicyTab) => void;
}): ReactNode {
  const { can } = usePermissions();
  const readOnly = !can('edit-policies');
  const creating = props.policy === null;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const catalog = useCatalogSettings({
    platform: props.initial.platform,
    profile: props.initial.profile,
  });
  const [draft, setDraft] = useState<PolicyDraft>(props.initial);
  const [problems, setProblems] = useState<DraftProblems>(NO_PROBLEMS);
  const [review, setReview] = useState<WhatIfResponse | null>(null);
  const dirty = !sameDraft(draft, props.initial);
  // Set once the draft is saved, so the navigation that follows is not mistaken for leaving.
  const saved = useRef(false);
  useBlocker({
    disabled: readOnly || !dirty,
    enableBeforeUnload: () => dirty && !saved.current,
    shouldBlockFn: async ({ current, next }) => {
      // Switching tabs changes only the search: the draft stays.
      if (saved.current || current.pathname === next.pathname) return false;
      const leave = await confirmAction({
        title: 'Discard your changes?',
        message: 'This policy has changes that are not saved. Leave the page and lose them?',
        confirmLabel: 'Discard changes',
      });
      return !leave;
    },
  });
  const settingIds = (catalog.data ?? []).map((setting) => setting.id);

  const whatIf = useMutation({
    mutationFn: () =>
      api<WhatIfResponse>('/policies/what-if', {
        method: 'POST',
        body: whatIfRequestOf(draft, props.policy?.id),
      }),
    onMutate: () => setProblems(NO_PROBLEMS),
    onSuccess: setReview,
    onError: (error) => setProblems(problemsOf(error, settingIds)),
  });

  const save = useMutation({
    mutationFn: () => {
      if (props.policy) {
        const body: UpdatePolicyRequest = {
          name: draft.name,
          description: draft.description,
          settings: draft.settings,
          assignments: draft.assignments,
        };
        return api<Policy>(`/policies/${props.policy.id}`, { method: 'PATCH', body });
      }
      const body: CreatePolicyRequest = { ...draft };
      return api<Policy>('/policies', { method: 'POST', body });
    },
    onSuccess: async (policy) => {
      saved.current = true;
      setReview(null);
      notifications.show({
        color: 'teal',
        message: `${policy.name} saved as version ${policy.version}; devices are updated now`,
      });
      await queryClient.invalidateQueries({ queryKey: ['policies'] });
      await queryClient.invalidateQueries({ queryKey: ['dashboard'] });
      if (creating) await navigate({ to: '/policies/$policyId', params: { policyId: policy.id } });
    },
    onError: (error) => {
      setReview(null);
      setProblems(problemsOf(error, settingIds));
    },
  });

  const failure = save.error ?? whatIf.error;
  const nameProblem = problems.fields.name;
  const settingProblemCount = Object.keys(problems.settings).length;
  const assignmentProblems = Object.keys(problems.fields).filter((key) =>
    key.startsWith('assignments'),
  );

  return (
    <Stack gap="md">
      <Paper withBorder p="md" bg="white">
        <Group align="flex-start" grow>
          <TextInput
            label="Name"
            required
            readOnly={readOnly}
            variant={readOnly ? 'filled' : 'default'}
            value={draft.name}
            onChange={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
            error={nameProblem}
            data-testid="policy-name"
          />
          <TextInput
            label="Description"
            readOnly={readOnly}
            variant={readOnly ? 'filled' : 'default'}
            value={draft.description}
            onChange={(event) => setDraft({ ...draft, description: event.currentTarget.value })}
          />
        </Group>
        <Group gap="xs" mt="xs">
          <Badge color="gray">{policyPlatformLabel(draft.platform)}</Badge>
          <Badge color="gray">{profileLabel(draft.profile)}</Badge>
          {props.policy && <Badge color="indigo">version {props.policy.version}</Badge>}
        </Group>
      </Paper>

      {failure && !(failure instanceof ApiError && failure.fields.length > 0) && (
        <ErrorAlert error={failure} title="Not saved" />
      )}
      {(settingProblemCount > 0 || assignmentProblems.length > 0) && (
        <Alert color="red" variant="light" data-testid="policy-problems">
          Not saved:{' '}
          {settingProblemCount > 0 &&
            `${settingProblemCount} setting${settingProblemCount === 1 ? '' : 's'} to fix on the Settings tab`}
          {settingProblemCount > 0 && assignmentProblems.length > 0 && '; '}
          {assignmentProblems.length > 0 && 'assignments to fix on the Assignments tab'}.
        </Alert>
      )}

      {!readOnly && (dirty || creating) && (
        <SaveBar
          creating={creating}
          dirty={dirty}
          canReview={draft.name.trim() !== ''}
          reviewing={whatIf.isPending}
          onDiscard={() => setDraft(props.initial)}
          onReview={() => whatIf.mutate()}
        />
      )}

      <Tabs
        value={props.tab}
        onChange={(tab) => props.onTabChange(POLICY_TABS.find((t) => t === tab) ?? 'settings')}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="settings">
            Settings
            {settingProblemCount > 0 && (
              <Badge color="red" ml={6}>
                {settingProblemCount}
              </Badge>
            )}
          </Tabs.Tab>
          <Tabs.Tab value="assignments">
            Assignments
            {assignmentProblems.length > 0 && (
              <Badge color="red" ml={6}>
                {assignmentProblems.length}
              </Badge>
            )}
          </Tabs.Tab>
          {props.policy && <Tabs.Tab value="versions">Versions</Tabs.Tab>}
          {props.policy && <Tabs.Tab value="report">Report</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="settings">
          <SettingsPanel
            draft={draft}
            readOnly={readOnly}
            problems={problems.settings}
            onChange={(id, value) => {
              setDraft(withSetting(draft, id, value));
              // The server's verdict on this setting no longer applies once it is edited.
              if (problems.settings[id]) setProblems(withoutSettingProblems(problems, id));
            }}
          />
        </Tabs.Panel>
        <Tabs.Panel value="assignments">
          <AssignmentsEditor
            value={draft.assignments}
            readOnly={readOnly}
            problems={problems.fields}
            onChange={(assignments) => setDraft({ ...draft, assignments })}
          />
        </Tabs.Panel>
        {props.policy && (
          <Tabs.Panel value="versions">
            <PolicyVersions policy={props.policy} dirty={dirty} />
          </Tabs.Panel>
        )}
        {props.policy && (
          <Tabs.Panel value="report">
            <PolicyReportPanel policy={props.policy} />
          </Tabs.Panel>
        )}
      </Tabs>

      <Modal
        opened={review !== null}
        onClose={() => setReview(null)}
        title="What changes if you save"
        size="xl"
      >
        {review && (
          <WhatIfReview
            result={review}
            saving={save.isPending}
            saveLabel={props.policy ? `Save version ${props.policy.version + 1}` : 'Create policy'}
            onSave={() => save.mutate()}
            onCancel={() => setReview(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}
