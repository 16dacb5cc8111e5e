/**
 * The rule editor: a plain textarea over a mirror of its text in which each diagnostic's span is
 * drawn with a wavy underline, at the line and column the server's parser reported. The textarea
 * stays a native control (keyboard, selection, undo, screen readers); the mirror only draws.
 */
import { Input, List, Text } from '@mantine/core';
import { type ReactNode, useId, useRef } from 'react';
import { problemSpans, type RuleProblem } from './rule-spans.js';

export type { RuleProblem };

/** The mirror's content: text with the problem spans marked (past the end, a marked space). */
function mirrorOf(text: string, problems: readonly RuleProblem[]): ReactNode[] {
  const spans = problemSpans(text, problems);
  const parts: ReactNode[] = [];
  let at = 0;
  for (const span of spans) {
    if (span.start > at) parts.push(text.slice(at, span.start));
    const marked = text.slice(span.start, span.end);
    parts.push(
      <mark key={span.start} data-testid="rule-error-mark">
        {marked.length > 0 && marked !== '\n' ? marked : '\u00a0'}
      </mark>,
    );
    at = Math.max(at, span.end);
  }
  if (at < text.length) parts.push(text.slice(at));
  // A trailing newline needs a character after it, or the mirror is one line short.
  parts.push('\u200b');
  return parts;
}

export interface RuleEditorProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly problems: readonly RuleProblem[];
  readonly description?: ReactNode;
  readonly placeholder?: string;
  readonly readOnly?: boolean;
  readonly minRows?: number;
}

export function RuleEditor(props: RuleEditorProps): ReactNode {
  const id = useId();
  const mirror = useRef<HTMLDivElement>(null);
  const invalid = props.problems.length > 0;
  return (
    <Input.Wrapper
      label={props.label}
      description={props.description}
      id={id}
      inputWrapperOrder={['label', 'description', 'input', 'error']}
    >
      <div className="rule-editor" data-invalid={invalid}>
        <div className="rule-editor-mirror" ref={mirror} aria-hidden>
          {mirrorOf(props.value, props.problems)}
        </div>
        <textarea
          id={id}
          value={props.value}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          rows={props.minRows ?? 3}
          placeholder={props.placeholder}
          readOnly={props.readOnly}
          aria-invalid={invalid}
          aria-describedby={invalid ? `${id}-problems` : undefined}
          data-testid="rule-editor-input"
          onChange={(event) => props.onChange(event.currentTarget.value)}
          onScroll={(event) => {
            if (mirror.current) mirror.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      {invalid && (
        <List size="xs" mt={4} id={`${id}-problems`} data-testid="rule-problems" c="red.8">
          {props.problems.map((problem) => (
            <List.Item key={`${problem.line}:${problem.column}:${problem.message}`}>
              <Text span size="xs" fw={600}>
                Line {problem.line}, column {problem.column}:
              </Text>{' '}
              {problem.message}
            </List.Item>
          ))}
        </List>
      )}
    </Input.Wrapper>
  );
}
