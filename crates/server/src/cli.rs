//! The `madoguchi-server` command line.
//!
//! ```text
//! madoguchi-server serve --config PATH
//! madoguchi-server serve --demo [--listen 127.0.0.1:8443]
//! madoguchi-server crl issue --config PATH [--valid-hours 24] [--out FILE]
//! madoguchi-server crl import --config PATH FILE
//! madoguchi-server requests list --config PATH [--json]
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::{Parser, Subcommand};

use crate::config::{Config, CrlSignerPaths, Limits};
use crate::material::{CrlSigner, TrustedCa};
use crate::server::{WindowSetup, start_with};
use crate::testkit::fixtures_dir;

#[derive(Parser, Debug)]
#[command(
    name = "madoguchi-server",
    version,
    about = "Reference online window for JPKI signing-certificate revocation and validity checks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the online window over HTTPS.
    Serve {
        /// Configuration file (TOML).
        #[arg(long, required_unless_present = "demo", conflicts_with = "demo")]
        config: Option<PathBuf>,
        /// Serve on 127.0.0.1 with the test PKI from fixtures/ and a fresh database.
        #[arg(long)]
        demo: bool,
        /// With --demo: the address to listen on.
        #[arg(long, requires = "demo", default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
    },
    /// Certificate revocation lists.
    Crl {
        #[command(subcommand)]
        command: CrlCommand,
    },
    /// Recorded requests.
    Requests {
        #[command(subcommand)]
        command: RequestsCommand,
    },
}

#[derive(Subcommand, Debug)]
enum CrlCommand {
    /// Sign a CRL with the [crl_signer] key holding every accepted revocation.
    Issue {
        /// Configuration file.
        #[arg(long)]
        config: PathBuf,
        /// Hours until nextUpdate.
        #[arg(long, default_value_t = 24)]
        valid_hours: u64,
        /// Also write the CRL (DER) to this file.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import a CRL issued elsewhere (DER or PEM); its signature must verify with a
    /// configured signing CA.
    Import {
        /// Configuration file.
        #[arg(long)]
        config: PathBuf,
        /// The CRL file.
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum RequestsCommand {
    /// List every recorded request.
    List {
        /// Configuration file.
        #[arg(long)]
        config: PathBuf,
        /// JSON (one array) instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command line; the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("madoguchi-server: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn load_config(path: &Path) -> anyhow::Result<Config> {
    Ok(Config::load(path)?)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            config,
            demo,
            listen,
        } => {
            // The demo's folder (configuration, database) lives as long as
            // the server: a fresh private one, never a predictable path.
            let (config, folder) = if demo {
                let (config, folder) = demo_config(listen)?;
                (config, Some(folder))
            } else {
                let path = config.as_deref().expect("clap requires --config");
                (load_config(path)?, None)
            };
            serve(config, folder.as_ref().map(|f| f.path()))
        }
        Command::Crl {
            command:
                CrlCommand::Issue {
                    config,
                    valid_hours,
                    out,
                },
        } => {
            let config = load_config(&config)?;
            let paths = config.crl_signer.as_ref().ok_or_else(|| {
                anyhow::anyhow!(
                    "the configuration has no [crl_signer] section; `crl issue` needs one"
                )
            })?;
            crate::material::check_private_key_mode("crl_signer.private_key", &paths.private_key)?;
            let signer = CrlSigner::load(&paths.certificate, &paths.private_key)?;
            let mut store = crate::store::open_store(&config.database)?;
            let summary = crate::crl::issue(
                store.as_mut(),
                &signer,
                SystemTime::now(),
                Duration::from_secs(valid_hours * 3600),
            )?;
            if let Some(out) = out {
                std::fs::write(&out, &summary.der)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            }
            println!(
                "issued CRL number {} with {} revoked certificate(s); thisUpdate {}, nextUpdate {}",
                summary.crl_number.unwrap_or(0),
                summary.entries,
                summary.this_update,
                summary.next_update.unwrap_or_default()
            );
            Ok(())
        }
        Command::Crl {
            command: CrlCommand::Import { config, file },
        } => {
            let config = load_config(&config)?;
            let mut cas = config
                .signing_cas
                .iter()
                .map(|p| TrustedCa::load(p))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(s) = &config.crl_signer {
                cas.push(TrustedCa::load(&s.certificate)?);
            }
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let mut store = crate::store::open_store(&config.database)?;
            let summary = crate::crl::import(store.as_mut(), &cas, &bytes, SystemTime::now())?;
            println!(
                "imported CRL {}with {} revoked certificate(s); thisUpdate {}",
                summary
                    .crl_number
                    .map(|n| format!("number {n} "))
                    .unwrap_or_default(),
                summary.entries,
                summary.this_update
            );
            Ok(())
        }
        Command::Requests {
            command: RequestsCommand::List { config, json },
        } => {
            let config = load_config(&config)?;
            let mut store = crate::store::open_store(&config.database)?;
            let rows = store.list_requests()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                print_table(&rows);
            }
            Ok(())
        }
    }
}

fn print_table(rows: &[crate::store::RequestRecord]) {
    let header = [
        "RECEIPT",
        "SERIAL",
        "HOLDER",
        "PROCEDURE",
        "OUTCOME",
        "RECEIVED AT",
        "STATUS",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.receipt_id.clone(),
                r.certificate_serial.clone(),
                r.holder_name.clone(),
                r.procedure.clone(),
                r.outcome.clone(),
                r.received_at.clone(),
                r.status.clone(),
            ]
        })
        .collect();
    // Width in terminal columns: East Asian wide characters take two.
    let width = |s: &str| -> usize {
        s.chars()
            .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
            .sum()
    };
    let mut widths = header.map(width);
    for row in &cells {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let line = |row: &[String]| {
        let mut out = String::new();
        for (i, c) in row.iter().enumerate() {
            out.push_str(c);
            if i + 1 < row.len() {
                out.push_str(&" ".repeat(widths[i] - width(c) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(&header.map(String::from));
    for row in &cells {
        line(row);
    }
    println!("{} request(s)", rows.len());
}

fn demo_config(listen: SocketAddr) -> anyhow::Result<(Config, tempfile::TempDir)> {
    let pki = fixtures_dir().join("pki");
    let pki = pki.canonicalize().map_err(|e| {
        anyhow::anyhow!(
            "the test PKI is not at {} ({e}); set MADOGUCHI_FIXTURES to the fixtures folder",
            pki.display()
        )
    })?;
    let folder = tempfile::Builder::new()
        .prefix("madoguchi-serve-demo-")
        .tempdir()?;
    let dir = folder.path();
    // The test keys are public (they are in the repository) and a checkout leaves them
    // world-readable; the window refuses such keys, so the demo uses private copies.
    let tls_key = private_copy(&pki.join("server-key.pem"), dir)?;
    let crl_key = private_copy(&pki.join("sign-ca-key.pem"), dir)?;
    let toml = format!(
        "listen = \"{listen}\"\n\
         tls_certificate = \"{pki}/server.pem\"\n\
         tls_key = \"{tls_key}\"\n\
         signing_cas = [\"{pki}/sign-ca.der\"]\n\
         database = \"madoguchi.db\"\n\
         [crl_signer]\n\
         certificate = \"{pki}/sign-ca.der\"\n\
         private_key = \"{crl_key}\"\n",
        pki = pki.display(),
        tls_key = tls_key.display(),
        crl_key = crl_key.display(),
    );
    let path = dir.join("server.toml");
    std::fs::write(&path, toml)?;
    let config = Config::load(&path)?;
    debug_assert!(matches!(config.crl_signer, Some(CrlSignerPaths { .. })));
    debug_assert_eq!(config.limits, Limits::default());
    Ok((config, folder))
}

/// Copies a key file into `dir`, readable by its owner only.
pub fn private_copy(key: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    let bytes =
        std::fs::read(key).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", key.display()))?;
    let name = key.file_name().unwrap_or_default();
    let to = dir.join(name);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        if to.exists() {
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    use std::io::Write;
    opts.open(&to)
        .and_then(|mut f| f.write_all(&bytes))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", to.display()))?;
    Ok(to)
}

/// `demo`: the demo's folder, when serving the demo.
fn serve(config: Config, demo: Option<&Path>) -> anyhow::Result<()> {
    let challenge_keys = crate::material::read_challenge_keys(&config)?;
    // Opened before the runtime starts: a PostgreSQL store blocks on a runtime of its own.
    let store = crate::store::open_store(&config.database)
        .map_err(|e| anyhow::anyhow!("database {}: {e}", config.database.describe()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let setup = WindowSetup::from_config(&config, store)?;
        let server = start_with(setup, challenge_keys).await?;
        println!("listening on {}", server.url());
        if let Some(demo_dir) = demo {
            let ca = fixtures_dir().join("pki/tls-ca.pem");
            let ca = ca.canonicalize().unwrap_or(ca);
            println!("demo: trust the TLS CA {}", ca.display());
            println!(
                "demo: configuration {} (database {})",
                demo_dir.join("server.toml").display(),
                config.database.describe()
            );
            println!(
                "demo: accepted signing CA {}",
                config.signing_cas[0].display()
            );
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        wait_for_signal().await;
        eprintln!("shutting down");
        server.shutdown().await;
        Ok(())
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
