import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import type { ReactNode } from 'react';

/** Asks before a destructive action; resolves true only when the administrator confirms. */
export function confirmAction(options: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  destructive?: boolean;
}): Promise<boolean> {
  return new Promise((resolve) => {
    modals.openConfirmModal({
      title: options.title,
      children: (
        <Text component="div" size="sm">
          {options.message}
        </Text>
      ),
      labels: { confirm: options.confirmLabel, cancel: 'Cancel' },
      confirmProps: { color: options.destructive === false ? 'indigo' : 'red', size: 'xs' },
      cancelProps: { size: 'xs' },
      onConfirm: () => resolve(true),
      onCancel: () => resolve(false),
      onClose: () => resolve(false),
    });
  });
}
