//! The JPKI card layer against the virtual card: the same suite in process
//! and through real PC/SC (pcscd, the vpcd driver, the card attached over
//! TCP), plus the reader watch and OpenSC, a client we did not write.

mod in_process;
mod interleaving;
// pcscd + vpcd, as CI has them on Linux; not built on Windows and macOS.
#[cfg(target_os = "linux")]
mod pcsc;
#[cfg(target_os = "linux")]
mod sharing;
mod suite;
