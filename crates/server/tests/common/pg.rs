//! A private PostgreSQL cluster for the tests of one test binary: `initdb` in a temporary
//! folder, `pg_ctl start` on a free 127.0.0.1 port (its socket in that folder, so nothing
//! meets the machine's own cluster), one fresh database per test, stopped and deleted when the
//! binary exits. PostgreSQL refuses to run as root; as root (CI) the cluster runs as `nobody`
//! through `runuser`.
//!
//! A missing PostgreSQL fails the test with the command that installs it. Outside CI,
//! `MADOGUCHI_SKIP_POSTGRES=1` turns that into a skip, and the binary lists every test that did
//! not run after its summary, so that a skip is never mistaken for a pass.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};

/// What installs it (and the rest of what the tests need).
pub const INSTALL_HINT: &str = "sudo bash tools/test-deps.sh (Debian package postgresql)";

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    /// `Some("nobody")` when the tests run as root.
    run_as: Option<String>,
    next_db: AtomicUsize,
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn skipping() -> bool {
    !in_ci() && std::env::var_os("MADOGUCHI_SKIP_POSTGRES").is_some()
}

static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());
static NOTICE: Once = Once::new();

extern "C" fn at_exit() {
    if let Some(Ok(c)) = CLUSTER.get() {
        c.stop();
        let _ = std::fs::remove_dir_all(&c.dir);
    }
    let skipped = SKIPPED.lock().unwrap_or_else(|e| e.into_inner());
    if !skipped.is_empty() {
        let mut out = format!(
            "\n*** {} test(s) did NOT run (MADOGUCHI_SKIP_POSTGRES is set and PostgreSQL is \
             missing); they passed nothing:\n",
            skipped.len()
        );
        for t in skipped.iter() {
            out.push_str(&format!("***   {t}\n"));
        }
        out.push_str(&format!("*** To run them: {INSTALL_HINT}\n\n"));
        use std::io::Write;
        let _ = std::io::stderr().write_all(out.as_bytes());
    }
}

fn register_at_exit() {
    NOTICE.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn()` that runs once, at process exit.
        unsafe {
            libc::atexit(at_exit);
        }
    });
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

/// The binary's cluster, started on first use; `None`: skip this test (said loudly).
pub fn cluster() -> Option<&'static Cluster> {
    register_at_exit();
    match CLUSTER.get_or_init(Cluster::start) {
        Ok(c) => Some(c),
        Err(why) => {
            let test = std::thread::current()
                .name()
                .unwrap_or("(unnamed test)")
                .to_owned();
            if skipping() {
                eprintln!("SKIPPED {test}: needs PostgreSQL: {why}");
                SKIPPED.lock().unwrap_or_else(|e| e.into_inner()).push(test);
                None
            } else {
                panic!(
                    "\n\nthis test needs a PostgreSQL server it can start: {why}\n\
                     Install it with: {INSTALL_HINT}\n\
                     (outside CI you may skip these tests with MADOGUCHI_SKIP_POSTGRES=1)\n"
                );
            }
        }
    }
}

fn find_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    // The newest major version.
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Cluster {
    fn start() -> Result<Cluster, String> {
        let bin = find_bin().ok_or("no /usr/lib/postgresql/*/bin/initdb")?;
        let is_root = unsafe { libc::geteuid() } == 0;
        let run_as = is_root.then(|| "nobody".to_owned());
        let dir = tempfile::Builder::new()
            .prefix("madoguchi-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
        if is_root {
            let o = Command::new("chown")
                .args(["nobody:", dir.to_str().unwrap()])
                .output()
                .map_err(|e| format!("chown: {e}"))?;
            if !o.status.success() {
                return Err(format!(
                    "chown nobody {}: {}",
                    dir.display(),
                    String::from_utf8_lossy(&o.stderr)
                ));
            }
        }
        let c = Cluster {
            port: free_port(),
            dir,
            bin,
            run_as,
            next_db: AtomicUsize::new(0),
        };
        c.run(
            "initdb",
            &[
                "-D",
                c.data().to_str().unwrap(),
                "-U",
                "madoguchi",
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
                // initdb's own fsyncs only; the server keeps fsync on (durability is tested).
                "--no-sync",
            ],
        )?;
        c.pg_ctl_start()?;
        Ok(c)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let exe = self.bin.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let o = cmd
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        if o.status.success() {
            Ok(String::from_utf8_lossy(&o.stdout).into_owned())
        } else {
            Err(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ))
        }
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 \
             -c shared_buffers=32MB",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
        .map(|_| ())
        .map_err(|e| format!("{e}\nserver log:\n{}", self.log()))
    }

    /// The server's log (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    fn stop(&self) {
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// Stops the server at once, as a crash or a failover would, and starts it again.
    pub fn restart_immediately(&self) {
        self.stop();
        self.pg_ctl_start().expect("PostgreSQL restarts");
    }

    /// Stops the server at once; [`Cluster::start_again`] brings it back.
    pub fn stop_immediately(&self) {
        self.stop();
    }

    /// Starts a stopped server again.
    pub fn start_again(&self) {
        self.pg_ctl_start().expect("PostgreSQL starts again");
    }

    /// Runs one SQL command in database `db`.
    pub fn psql(&self, db: &str, sql: &str) {
        let psql = self.bin.join("psql");
        let o = Command::new(&psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .args(["-U", "madoguchi", "-d", db, "-c", sql])
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", psql.display()));
        assert!(
            o.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// A new, empty database; its URL.
    pub fn new_database(&self) -> String {
        let n = self.next_db.fetch_add(1, Ordering::Relaxed);
        let name = format!("t{}_{n}", std::process::id());
        let psql = self.bin.join("psql");
        let o = Command::new(&psql)
            .args(["-X", "-q", "-h", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .args(["-U", "madoguchi", "-d", "postgres", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", psql.display()));
        assert!(
            o.status.success(),
            "CREATE DATABASE: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        format!("postgresql://madoguchi@127.0.0.1:{}/{name}", self.port)
    }
}

/// Runs `f` on a blocking thread: a PostgreSQL store must not be opened, used or dropped on a
/// runtime thread.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}
