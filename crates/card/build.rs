//! Fails the build at its start, with the one command that fixes it, when the
//! PC/SC runtime library the workspace links (see `.cargo/config.toml`) is
//! missing; otherwise the linker would say so only at the end of the build.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=PCSC_LIB_NAME");
    println!("cargo:rerun-if-env-changed=PCSC_LIB_DIR");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if matches!(os.as_str(), "windows" | "macos" | "ios" | "android") {
        return; // winscard / PCSC.framework are part of the system
    }
    // `dylib:+verbatim=<file>`: a file name we can look for. Anything else
    // (pkg-config, a name of someone's choosing) is left to the linker.
    let name = std::env::var("PCSC_LIB_NAME").unwrap_or_default();
    let Some((_, soname)) = name.split_once("+verbatim=") else {
        return;
    };
    let cross = std::env::var("HOST").ok() != std::env::var("TARGET").ok();
    if cross || library_dirs().iter().any(|d| d.join(soname).exists()) {
        return; // found, or a sysroot we cannot see
    }
    eprintln!(
        "\n\nMadoguchi talks to card readers through PC/SC and links its runtime library \
         {soname}, which this machine lacks. Install it, then build again:\n\n\
         \x20   Debian, Ubuntu:  sudo apt-get install libpcsclite1\n\
         \x20   Fedora:          sudo dnf install pcsc-lite-libs\n\
         \x20   Arch:            sudo pacman -S pcsclite\n\n\
         (To link another PC/SC library, set PCSC_LIB_DIR and PCSC_LIB_NAME.)\n"
    );
    std::process::exit(1);
}

/// Where the linker looks for shared libraries on the usual systems.
fn library_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Ok(extra) = std::env::var("PCSC_LIB_DIR") {
        dirs.push(extra.into());
    }
    for var in ["LIBRARY_PATH", "LD_LIBRARY_PATH"] {
        if let Some(v) = std::env::var_os(var) {
            dirs.extend(std::env::split_paths(&v));
        }
    }
    for base in ["/usr/lib", "/lib", "/usr/lib64", "/lib64", "/usr/local/lib"] {
        let base = Path::new(base);
        dirs.push(base.to_owned());
        // Debian's multiarch folders (x86_64-linux-gnu, aarch64-linux-gnu, …).
        if let Ok(entries) = std::fs::read_dir(base) {
            dirs.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir() && p.to_string_lossy().contains("-linux-")),
            );
        }
    }
    dirs
}
