//! The `madoguchi-server` binary as a child process: configuration files, `serve`, the CLI.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::pki_dir;

pub const BIN: &str = env!("CARGO_BIN_EXE_madoguchi-server");

/// `[limits]` for tests that are one client sending hundreds of requests.
pub const UNLIMITED: &str =
    "[limits]\nper_client_requests_per_sec = 1000000\nper_client_burst = 1000000\n";

pub fn write_config(dir: &Path, extra: &str) -> PathBuf {
    write_config_db(dir, "window.db", extra)
}

/// A configuration with the fixtures' PKI, private copies of its keys, and `database`.
pub fn write_config_db(dir: &Path, database: &str, extra: &str) -> PathBuf {
    let pki = pki_dir().canonicalize().unwrap();
    // The window refuses keys others can read; a checkout leaves the fixtures' at 0644.
    let private = |name: &str| {
        madoguchi_server::cli::private_copy(&pki.join(name), dir)
            .unwrap()
            .display()
            .to_string()
    };
    let text = format!(
        "listen = \"127.0.0.1:0\"\n\
         tls_certificate = \"{p}/server.pem\"\n\
         tls_key = \"{tls_key}\"\n\
         signing_cas = [\"{p}/sign-ca.der\"]\n\
         database = \"{database}\"\n\
         {extra}\n\
         [crl_signer]\n\
         certificate = \"{p}/sign-ca.der\"\n\
         private_key = \"{crl_key}\"\n",
        p = pki.display(),
        tls_key = private("server-key.pem"),
        crl_key = private("sign-ca-key.pem"),
    );
    let path = dir.join("server.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Starts `serve`, returns the child and its URL (read from its first line).
pub fn spawn_server(args: &[&str]) -> (Child, String, Vec<String>) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let url = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first}"))
        .to_owned();
    let mut rest = Vec::new();
    if args.contains(&"--demo") {
        for _ in 0..3 {
            rest.push(lines.next().unwrap().unwrap());
        }
    }
    (child, url, rest)
}

pub fn run_cli(args: &[&str]) -> (bool, String, String) {
    let o = Command::new(BIN).args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[derive(serde::Deserialize)]
pub struct Row {
    pub receipt_id: String,
    pub outcome: String,
    pub procedure: String,
    pub certificate_serial: String,
    pub status: String,
}

pub fn list(config: &Path) -> Vec<Row> {
    let (ok, out, err) = run_cli(&[
        "requests",
        "list",
        "--config",
        config.to_str().unwrap(),
        "--json",
    ]);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// A server child process killed (SIGKILL) when dropped, so that a failing test leaves none.
pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    pub fn start(config: &Path) -> Server {
        let (child, url, _) = spawn_server(&["serve", "--config", config.to_str().unwrap()]);
        Server { child, url }
    }

    /// kill -9.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
