//! A pcscd of the test's own, for tests that must stop and restart the
//! smart-card service without touching the machine's.
//!
//! pcscd's socket path is fixed (`/run/pcscd/pcscd.comm`), so a second
//! service needs a mount namespace with its own `/run/pcscd`. The test
//! re-runs itself in one (`unshare --mount`, root only) with
//! [`rerun_isolated`]; inside, [`PrivatePcscd`] starts the service with a
//! vpcd slot on a port of its own and stops it by its process id.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{VPCD_DRIVER, prerequisite, which};

const INSIDE: &str = "MADOGUCHI_PRIVATE_PCSCD";
/// The private vpcd slot's port: not the machine's 35963 (0x8C7B), which the
/// machine's pcscd holds in the same network namespace.
pub const PRIVATE_VPCD_PORT: u16 = 0x8C7D;

/// Whether this process is the re-run inside its own mount namespace.
pub fn inside() -> bool {
    std::env::var_os(INSIDE).is_some()
}

/// Run the calling test again in a private mount namespace and fail when it
/// fails there. `false`: the prerequisites are missing and the test skips
/// (only outside CI, when asked).
pub fn rerun_isolated() -> bool {
    let test = std::thread::current()
        .name()
        .expect("called from a libtest test thread")
        .to_owned();
    let root = unsafe { libc::geteuid() } == 0;
    if !prerequisite(
        root,
        "root, to start a private pcscd in its own mount namespace",
    ) {
        return false;
    }
    let (Some(unshare), Some(_)) = (which("unshare"), which("pcscd")) else {
        return prerequisite(
            false,
            "unshare (util-linux) and pcscd (Debian package pcscd)",
        );
    };
    if !prerequisite(
        std::path::Path::new(VPCD_DRIVER).exists(),
        "the vpcd driver (Debian package vsmartcard-vpcd)",
    ) {
        return false;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(unshare)
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg("mkdir -p /run/pcscd && mount -t tmpfs tmpfs /run/pcscd && exec \"$0\" \"$@\"")
        .arg(exe)
        .args([&test, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .stdin(Stdio::null())
        .output()
        .expect("unshare runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{test} failed in its private mount namespace:\n{text}"
    );
    assert!(
        text.contains("1 passed"),
        "{test} did not run in its private mount namespace:\n{text}"
    );
    true
}

/// A pcscd started by this test, with one vpcd slot on
/// [`PRIVATE_VPCD_PORT`]; stopped by its process id.
pub struct PrivatePcscd {
    config: PathBuf,
    child: Option<Child>,
}

impl PrivatePcscd {
    /// Start the service. Only inside the private namespace: anywhere else
    /// it would fight the machine's pcscd for its socket.
    pub fn start() -> PrivatePcscd {
        assert!(inside(), "a private pcscd needs its own mount namespace");
        let config = std::env::temp_dir().join(format!("madoguchi-pcscd-{}", std::process::id()));
        std::fs::create_dir_all(&config).expect("private reader.conf.d");
        std::fs::write(
            config.join("vpcd"),
            format!(
                "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME /dev/null:0x{PRIVATE_VPCD_PORT:X}\n\
                 LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{PRIVATE_VPCD_PORT:X}\n"
            ),
        )
        .expect("private vpcd reader entry");
        let mut p = PrivatePcscd {
            config,
            child: None,
        };
        p.restart();
        p
    }

    /// The service's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Start it again after [`stop`](Self::stop); waits until its socket takes
    /// connections.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new(which("pcscd").expect("pcscd"))
            .arg("--foreground")
            .arg("--config")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("private pcscd starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while madoguchi_card::list_readers().is_err() {
            assert!(
                Instant::now() < deadline,
                "the private pcscd does not answer"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stop the service this test started, and only it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM, as a service manager stops it, so it removes its socket.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                if Instant::now() >= deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for PrivatePcscd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.config);
    }
}
