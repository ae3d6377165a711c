# Builds target\wix\madoguchi-VERSION-x86_64.msi on Windows (x64, MSVC toolchain).
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build-msi.ps1 [-NoBuild]
#
# Needs: Rust (x86_64-pc-windows-msvc), Python 3, WiX Toolset v3 (candle.exe and light.exe on
# PATH or under %WIX%bin, as the WiX 3.14 installer sets up). The release binary is built
# unless -NoBuild is given. See packaging\windows\README.md.
param([switch]$NoBuild)
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..\..')

function Find-WixTool([string]$name) {
    $cmd = Get-Command "$name.exe" -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd.Source }
    if ($env:WIX) {
        $path = Join-Path $env:WIX "bin\$name.exe"
        if (Test-Path $path) { return $path }
    }
    throw "$name.exe (WiX Toolset v3) not found: install WiX 3.14 or put its bin folder on PATH"
}
function Invoke-Checked([string]$exe, [string[]]$arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe failed with exit code $LASTEXITCODE" }
}

$candle = Find-WixTool 'candle'
$light = Find-WixTool 'light'

$meta = cargo metadata --format-version 1 --no-deps | ConvertFrom-Json
$package = $meta.packages | Where-Object { $_.name -eq 'madoguchi' }
$version = $package.version
$targetDir = $meta.target_directory
$binDir = Join-Path $targetDir 'release'
$wixDir = Join-Path $targetDir 'wix'
$stage = Join-Path $targetDir 'packaging'
New-Item -ItemType Directory -Force -Path $wixDir, $stage | Out-Null

if (-not $NoBuild) {
    Invoke-Checked 'cargo' @('build', '--release', '--locked', '-p', 'madoguchi', '--bin', 'madoguchi')
}
if (-not (Test-Path (Join-Path $binDir 'madoguchi.exe'))) { throw "no $binDir\madoguchi.exe" }

Invoke-Checked 'python' @('packaging\third-party-licenses.py', '--target', 'x86_64-pc-windows-msvc',
    (Join-Path $stage 'THIRD-PARTY-LICENSES.md'))

# main.wxs takes the binary from $(var.CargoTargetBinDir) and the licence list from
# $(var.StageDir); every other source path is relative to the workspace root.
$defines = @("-dVersion=$version", "-dCargoTargetBinDir=$binDir", "-dStageDir=$stage")
$objects = @()
foreach ($source in @('packaging\windows\main.wxs')) {
    $object = Join-Path $wixDir ([IO.Path]::GetFileNameWithoutExtension($source) + '.wixobj')
    Invoke-Checked $candle (@('-nologo', '-arch', 'x64') + $defines + @('-ext', 'WixUIExtension', '-ext', 'WixUtilExtension', '-out', $object, $source))
    $objects += $object
}

$msi = Join-Path $wixDir "madoguchi-$version-x86_64.msi"
Invoke-Checked $light (@('-nologo', '-spdb', '-ext', 'WixUIExtension', '-ext', 'WixUtilExtension', '-cultures:en-us', '-b', (Get-Location).Path,
    '-out', $msi) + $objects)

Write-Host "built $msi ($((Get-Item $msi).Length) bytes)"
