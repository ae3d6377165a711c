//! Test harness shared by the workspace's tests (the app's, the card
//! crate's and the simulator's): fixture paths, the in-process virtual card,
//! and a real pcscd with the vpcd driver and the virtual card attached to it.
//!
//! pcscd is started here when it is not running. A missing prerequisite
//! (pcscd, the vpcd driver, OpenSC) fails the test with the one command that
//! installs it. Outside CI, `MADOGUCHI_SKIP_PCSC=1` turns that failure into a
//! skip, and the test binary lists every skipped test after its summary, so
//! a skip is never mistaken for a pass (failures for a missing prerequisite
//! are listed there too). Under `CI=true` nothing is skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

use madoguchi_sim::{BridgeHandle, Faults, SimChannel, VirtualCard};

#[cfg(target_os = "linux")]
pub mod private_pcscd;

/// The reader pcscd's vpcd driver offers on its first slot.
pub const VPCD_READER: &str = "Virtual PCD 00 00";
/// Where that slot listens (Debian's /etc/reader.conf.d/vpcd).
pub const VPCD_ADDR: &str = "127.0.0.1:35963";
/// The second slot of the same driver (Debian's vpcd has two), for tests
/// with two cards in two readers.
pub const VPCD_READER_2: &str = "Virtual PCD 00 01";
pub const VPCD_ADDR_2: &str = "127.0.0.1:35964";

/// The one command that installs what the PC/SC tests need.
pub const INSTALL_HINT: &str = "sudo bash tools/test-deps.sh";

/// The workspace's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .canonicalize()
        .expect("the workspace's fixtures folder")
}

pub fn profile_path(name: &str) -> PathBuf {
    fixtures().join("cards").join(name).join("card.toml")
}

pub fn profile_file(name: &str, file: &str) -> Vec<u8> {
    let p = fixtures().join("cards").join(name).join(file);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A fresh virtual card from a fixture profile, counters in memory.
pub fn virtual_card(profile: &str) -> VirtualCard {
    VirtualCard::open(profile_path(profile), None)
        .unwrap_or_else(|e| panic!("profile {profile}: {e}"))
}

pub fn in_process(profile: &str) -> SimChannel {
    SimChannel::open(profile_path(profile), None).unwrap_or_else(|e| panic!("{profile}: {e}"))
}

static PCSC_LOCK: Mutex<()> = Mutex::new(());

/// Held while a test uses the vpcd slot: the thread lock within this test
/// binary, and a file lock across processes (test binaries, benches, a
/// second `cargo test` on the same machine) — they all share the one slot.
pub struct PcscLock {
    _file: std::fs::File,
    _thread: MutexGuard<'static, ()>,
}

/// One real-PC/SC test at a time.
pub fn pcsc_lock() -> PcscLock {
    let thread = PCSC_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let path = std::env::temp_dir().join("madoguchi-vpcd-slot.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.lock()
        .unwrap_or_else(|e| panic!("locking {}: {e}", path.display()));
    PcscLock {
        _file: file,
        _thread: thread,
    }
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Tests in this process that lacked a prerequisite, with what they lacked.
static MISSING: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
static NOTICE: Once = Once::new();

fn skipping() -> bool {
    !in_ci() && std::env::var_os("MADOGUCHI_SKIP_PCSC").is_some()
}

/// Printed when the test binary exits, that is after libtest's summary, so
/// that the last lines say which tests could not run and what installs
/// their needs (a skipped test would otherwise count as passed).
extern "C" fn print_missing() {
    let missing = MISSING.lock().unwrap_or_else(|e| e.into_inner());
    if missing.is_empty() {
        return;
    }
    let mut out = if skipping() {
        format!(
            "\n*** {} test(s) did NOT run (MADOGUCHI_SKIP_PCSC is set); they passed nothing:\n",
            missing.len()
        )
    } else {
        format!(
            "\n*** {} test(s) FAILED because this machine lacks what they need:\n",
            missing.len()
        )
    };
    for (test, what) in missing.iter() {
        out.push_str(&format!("***   {test}: needs {what}\n"));
    }
    out.push_str(&format!(
        "*** To run them, install what they need: {INSTALL_HINT}\n\n"
    ));
    // Straight to the file descriptor: libtest's capture is over by now.
    use std::io::Write;
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// Remember a test that lacked `what`; returns the test's name.
fn record_missing(what: &str) -> String {
    let test = std::thread::current()
        .name()
        .unwrap_or("(unnamed test)")
        .to_owned();
    MISSING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((test.clone(), what.to_owned()));
    NOTICE.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn` with no arguments, which
        // is what atexit expects; it runs once, when the process exits.
        unsafe {
            libc::atexit(print_missing);
        }
    });
    test
}

/// Report a missing prerequisite: fail with the command that installs it,
/// or (outside CI, when asked) skip loudly. Returns `false` when the caller
/// should skip. Either way the test is listed after the binary's summary.
pub fn prerequisite(ok: bool, what: &str) -> bool {
    if ok {
        return true;
    }
    let test = record_missing(what);
    if skipping() {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED {test}: needs {what}");
        return false;
    }
    panic!(
        "\n\nthis test needs {what}, which this machine lacks.\n\
         Install everything the tests need with: {INSTALL_HINT}\n\
         (outside CI you may skip these tests instead with MADOGUCHI_SKIP_PCSC=1; \
         they are then listed as not run)\n"
    );
}

pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// An OpenSC program (`pkcs15-tool`, `opensc-tool`); `None`: skip.
pub fn opensc_tool(program: &str) -> Option<PathBuf> {
    let found = ["/usr/bin", "/usr/local/bin"]
        .iter()
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file());
    if prerequisite(found.is_some(), "OpenSC (Debian package opensc)") {
        found
    } else {
        None
    }
}

fn vpcd_reader_listed() -> Result<bool, String> {
    match madoguchi_card::list_readers() {
        Ok(readers) => Ok(readers.iter().any(|r| r.name == VPCD_READER)),
        Err(e) => Err(e.to_string()),
    }
}

/// The vpcd driver as Debian installs it.
pub const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

/// Make sure pcscd runs with the vpcd driver; start it when it does not.
/// `false`: skip (only outside CI, when asked).
pub fn ensure_pcscd() -> bool {
    if let Ok(true) = vpcd_reader_listed() {
        return true;
    }
    if !prerequisite(
        Path::new(VPCD_DRIVER).exists() || Path::new("/etc/reader.conf.d/vpcd").exists(),
        "the vpcd driver (Debian package vsmartcard-vpcd)",
    ) {
        return false;
    }
    let Some(pcscd) = which("pcscd") else {
        return prerequisite(false, "pcscd (Debian package pcscd)");
    };
    if vpcd_reader_listed().is_err() {
        // No service: start one. It leaves by itself a minute after its
        // last client, so nothing is left to stop.
        let _ = Command::new(pcscd)
            .args(["--foreground", "--auto-exit"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
    let deadline = Instant::now() + SERVICE_WAIT;
    while Instant::now() < deadline {
        if let Ok(true) = vpcd_reader_listed() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    prerequisite(
        false,
        &format!(
            "pcscd with the vpcd reader {VPCD_READER:?} (readers now: {:?}; pcscd is started \
             by the tests only when they run as root)",
            madoguchi_card::list_readers()
        ),
    )
}

/// How long pcscd may take to see a card come or go. pcscd polls the vpcd
/// slot every 400 ms; on a loaded 2-core machine (a build beside the tests)
/// it has taken several seconds. A hang detector, not a speed bound.
pub const SERVICE_WAIT: Duration = Duration::from_secs(30);

/// The virtual card attached to pcscd through vpcd.
pub struct Attached {
    pub bridge: Option<BridgeHandle>,
    pub faults: Faults,
    /// The reader the card is in.
    pub reader: &'static str,
    /// A client of the service for as long as the card is attached (dropped
    /// after the card is out).
    _service: pcsc::Context,
}

impl Attached {
    pub fn bridge(&self) -> &BridgeHandle {
        self.bridge.as_ref().expect("bridge running")
    }
}

impl Drop for Attached {
    fn drop(&mut self) {
        if let Some(b) = self.bridge.take() {
            b.stop();
            // pcscd must see the card gone before the next test attaches.
            wait_card_present_in(self.reader, false, SERVICE_WAIT);
        }
    }
}

/// Whether pcscd reports a card in the vpcd reader.
pub fn card_present() -> bool {
    card_present_in(VPCD_READER)
}

/// Whether pcscd reports a card in `reader`.
pub fn card_present_in(reader: &str) -> bool {
    madoguchi_card::list_readers()
        .ok()
        .and_then(|rs| rs.into_iter().find(|r| r.name == reader))
        .is_some_and(|r| r.card_present)
}

pub fn wait_card_present(present: bool, timeout: Duration) -> bool {
    wait_card_present_in(VPCD_READER, present, timeout)
}

pub fn wait_card_present_in(reader: &str, present: bool, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if card_present_in(reader) == present {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Attach a fresh virtual card with `profile` to pcscd and wait until pcscd
/// sees it. `None`: skip (only outside CI, when asked).
pub fn attach(profile: &str) -> Option<Attached> {
    attach_card(virtual_card(profile))
}

pub fn attach_card(card: VirtualCard) -> Option<Attached> {
    attach_card_at(card, VPCD_READER, VPCD_ADDR)
}

/// Attach a fresh virtual card with `profile` to vpcd's second slot
/// ([`VPCD_READER_2`]); hold [`pcsc_lock`] as for the first.
pub fn attach_second(profile: &str) -> Option<Attached> {
    attach_card_at(virtual_card(profile), VPCD_READER_2, VPCD_ADDR_2)
}

/// A context on the service, held while a card is attached. The pcscd the
/// tests start runs with `--auto-exit`: it leaves a minute after its last
/// client is gone, and a check that finds it running may be the last client
/// before it goes — the card then never shows. Holding a client from before
/// the card is attached until it is out closes that gap.
fn hold_service() -> Option<pcsc::Context> {
    for _ in 0..3 {
        if !ensure_pcscd() {
            return None;
        }
        if let Ok(ctx) = pcsc::Context::establish(pcsc::Scope::User)
            && let Ok(true) = vpcd_reader_listed()
        {
            return Some(ctx);
        }
    }
    prerequisite(
        false,
        "a pcscd that stays up (it left each time right after it was found running)",
    );
    None
}

fn attach_card_at(card: VirtualCard, reader: &'static str, addr: &str) -> Option<Attached> {
    let service = hold_service()?;
    assert!(
        wait_card_present_in(reader, false, SERVICE_WAIT),
        "another card is already in {reader}: is a madoguchi-sim running?"
    );
    let faults = Faults::new();
    let bridge = madoguchi_sim::Bridge::spawn(addr, madoguchi_sim::share(card), faults.clone());
    assert!(
        bridge.wait_connected(true, SERVICE_WAIT),
        "the virtual card could not connect to vpcd at {addr}"
    );
    assert!(
        wait_card_present_in(reader, true, SERVICE_WAIT),
        "pcscd does not see the virtual card in {reader} (readers: {:?})",
        madoguchi_card::list_readers()
    );
    Some(Attached {
        bridge: Some(bridge),
        faults,
        reader,
        _service: service,
    })
}

/// A PC/SC channel to the card in the vpcd reader.
pub fn pcsc_channel() -> madoguchi_card::PcscChannel {
    madoguchi_card::connect(Some(VPCD_READER)).expect("connect to the virtual card over PC/SC")
}
