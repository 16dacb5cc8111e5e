import { describe, expect, it } from 'vitest';
import { policyPlatformOf } from './model.js';

describe('policyPlatformOf', () => {
  it('maps both Windows platforms to the windows policy platform', () => {
    expect(policyPlatformOf('windows-client')).toBe('windows');
    expect(policyPlatformOf('windows-server')).toBe('windows');
    expect(policyPlatformOf('linux')).toBe('linux');
    expect(policyPlatformOf('macos')).toBe('macos');
  });
});
