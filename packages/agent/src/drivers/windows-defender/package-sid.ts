/**
 * The AppContainer SID of a Microsoft Store app, from its package family name: what
 * New-NetFirewallRule's -Package takes (the Firewall CSP's App/PackageFamilyName holds the name).
 * Windows derives it (DeriveAppContainerSidFromAppContainerName) as S-1-15-2- followed by the
 * first seven little-endian 32-bit words of the SHA-256 of the lower-cased name in UTF-16LE; e.g.
 * Microsoft.Windows.Cortana_cw5n1h2txyewy is
 * S-1-15-2-1861897761-1695161497-2927542615-642690995-327840285-2659745135-2630312742.
 * Computing it here keeps the script free of P/Invoke and works for apps not installed yet.
 */
import { createHash } from 'node:crypto';

export function packageSidOf(packageFamilyName: string): string {
  const digest = createHash('sha256')
    .update(Buffer.from(packageFamilyName.toLowerCase(), 'utf16le'))
    .digest();
  const words = Array.from({ length: 7 }, (_, index) => digest.readUInt32LE(index * 4));
  return `S-1-15-2-${words.join('-')}`;
}
