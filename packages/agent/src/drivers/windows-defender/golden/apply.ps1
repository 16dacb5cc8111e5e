# Managed by palisade-agent: Defender preferences, ASR rules and the Palisade firewall group.
$ErrorActionPreference = 'Stop'
Set-MpPreference -CloudBlockLevel 2 -DisableRealtimeMonitoring $false -ExclusionExtension @('log') -ExclusionPath @('C:\Data\', 'C:\Users\o''brien\cache') -MAPSReporting 2 -PUAProtection 2
if (-not (Test-Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection\DeviceTagging')) { New-Item -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection\DeviceTagging' -Force | Out-Null }
Set-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection\DeviceTagging' -Name 'Group' -Value 'finance-laptops' -Type String
Remove-MpPreference -AttackSurfaceReductionRules_Ids @('d4f940ab-401b-4efc-aadc-ad5f3c50688a')
Add-MpPreference -AttackSurfaceReductionRules_Ids '56a863a9-875e-4185-98a7-b882c64b5ce5' -AttackSurfaceReductionRules_Actions Warn
Add-MpPreference -AttackSurfaceReductionRules_Ids '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2' -AttackSurfaceReductionRules_Actions Enabled
Get-NetFirewallRule -Group 'Palisade' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
New-NetFirewallRule -Group 'Palisade' -DisplayName 'block telnet' -Direction Outbound -Action Block -Enabled True -Protocol TCP -RemotePort '23' -Profile Any -Program 'C:\Tools\client.exe' | Out-Null
New-NetFirewallRule -Group 'Palisade' -DisplayName 'ping on wired and wireless networks' -Direction Inbound -Action Allow -Enabled True -Protocol ICMPv6 -Profile Any -IcmpType '128', '1:4' -InterfaceType Wired,Wireless -EdgeTraversalPolicy Allow | Out-Null
New-NetFirewallRule -Group 'Palisade' -DisplayName 'rdp from the jump hosts' -Direction Inbound -Action Allow -Enabled True -Protocol TCP -LocalPort '3389' -RemoteAddress '10.10.0.0/16' -Profile Domain,Private | Out-Null
New-NetFirewallRule -Group 'Palisade' -DisplayName 'search app for the administrators' -Direction Outbound -Action Block -Enabled True -Profile Any -LocalUser 'D:(A;;CC;;;S-1-5-32-544)' -RemoteDynamicKeywordAddresses '{01234567-89ab-cdef-0123-456789abcdef}' -Package 'S-1-15-2-1861897761-1695161497-2927542615-642690995-327840285-2659745135-2630312742' -PolicyAppId 'Contoso.Search:1' | Out-Null
