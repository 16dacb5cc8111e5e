import { notifications } from '@mantine/notifications';
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from './client.js';

/**
 * A change through the API: on success, refresh the lists it touches and say what happened; on a
 * 400, put the server's field errors on the form's fields; any other error becomes a notification.
 */
export function useChange<TInput, TResult>(options: {
  run: (input: TInput) => Promise<TResult>;
  invalidates: readonly QueryKey[];
  success?: string | ((result: TResult) => string);
  /** A form whose fields are named like the request body's fields. */
  form?: { setErrors: (errors: Record<string, string>) => void };
  onSuccess?: (result: TResult) => void;
}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: options.run,
    onSuccess: async (result) => {
      await Promise.all(
        options.invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      );
      if (options.success) {
        const message =
          typeof options.success === 'function' ? options.success(result) : options.success;
        notifications.show({ color: 'teal', message });
      }
      options.onSuccess?.(result);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.fields.length > 0 && options.form) {
        options.form.setErrors(error.fieldMap());
      }
      notifications.show({ color: 'red', title: 'Not saved', message: errorMessage(error) });
    },
  });
}
