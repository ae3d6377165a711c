//! The desktop app driven through iced_test's simulator: both procedures,
//! every message, counter mode, settings, the reader watch through pcscd +
//! vpcd, and the committed snapshots. One test binary, so the app is linked
//! once.

#[path = "../flow_support/mod.rs"]
mod flow_support;
#[path = "../gui_support/mod.rs"]
mod gui_support;
#[path = "../support/mod.rs"]
mod support;

mod accessibility;
// Xvfb, D-Bus and AT-SPI: Linux.
#[cfg(target_os = "linux")]
mod atspi;
mod contrast;
mod counter;
mod keyboard;
mod lockdown;
mod messages;
// pcscd + vpcd: Linux only (see tests/app/main.rs).
#[cfg(target_os = "linux")]
mod pcsc;
mod procedures;
mod readers;
mod reflow;
mod settings;
// Pixel-exact snapshots recorded on x86_64 Linux; other platforms draw with
// other SIMD paths in tiny-skia, and run the glyph tests of the bundled fonts
// instead (src/ui/fonts.rs).
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod snapshots;
