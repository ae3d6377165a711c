//! `madoguchi-loadgen`: load generator for the online window, with pre-signed requests.
//!
//! ```text
//! madoguchi-loadgen --url https://127.0.0.1:8443 --procedure validity-check --requests 6000 \
//!     --concurrency 64                      # closed loop: as fast as the window answers
//! madoguchi-loadgen ... --rate 800          # open loop: 800 requests/s, latency measured
//!                                           # from each request's scheduled start
//! ```
//!
//! Every request is prepared before the clock starts: one challenge each, one document each,
//! signed with the holder key (`fixtures/cards/normal` by default). For revocations every
//! request gets its own holder certificate, issued under the fixture signing CA, so that each
//! one is `accepted`. Challenges live five minutes: prepare no more than a run can send in that
//! time.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use der::Decode;
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::{ChallengeAnswer, MEDIA_TYPE_CMS, OutcomeAnswer};
use madoguchi_server::material::{read_rsa_private_key, tls_client_config};
use madoguchi_server::testkit::{TestCa, TestHolder, fixtures_dir};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Kind {
    ValidityCheck,
    Revocation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Connections {
    Kept,
    Fresh,
    Resumed,
}

#[derive(Parser, Debug)]
#[command(
    name = "madoguchi-loadgen",
    about = "Load generator for the online window"
)]
struct Args {
    /// The window's base URL.
    #[arg(long, default_value = "https://127.0.0.1:8443")]
    url: String,
    /// TLS CA to trust (PEM or DER).
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Which procedure to send.
    #[arg(long, value_enum, default_value = "validity-check")]
    procedure: Kind,
    /// Number of requests.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Requests in flight at once (closed loop) or at most (open loop).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Open loop: start requests at this rate (per second) instead of as fast as possible.
    #[arg(long)]
    rate: Option<f64>,
    /// First certificate serial for revocations (use a fresh range per run against one database).
    #[arg(long, default_value_t = 0x10_0000)]
    first_serial: u64,
    /// Threads used to sign the requests beforehand.
    #[arg(long, default_value_t = 2)]
    sign_threads: usize,
    /// Linux: the window's process id(s); the CPU time they spend while the requests are sent
    /// (not while challenges are fetched) is printed per request.
    #[arg(long, value_delimiter = ',')]
    server_pid: Vec<u32>,
    /// How submissions reach the window: on `concurrency` kept connections, or each on a
    /// new connection with a full TLS handshake (as residents arrive), or each on a new
    /// connection resuming a TLS session (as a resident comes back after the connection of
    /// their challenge closed).
    #[arg(long, value_enum, default_value = "kept")]
    connections: Connections,
    /// Instead of sending anything: run the window's checks 1–4 (CMS parse, certificate
    /// checks, content signature) this many times on one thread and print the rate.
    #[arg(long)]
    local_checks: Option<usize>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(n) = args.local_checks {
        return local_checks(n);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let ca = args
        .ca
        .clone()
        .unwrap_or_else(|| fixtures_dir().join("pki/tls-ca.pem"));
    let tls = tls_client_config(&[ca.as_path()])?;
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls.clone())
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    // The submissions' client: the same, or one that keeps no connection and resumes no
    // session, so that every submission pays the window a whole handshake.
    let fire_client = match args.connections {
        Connections::Kept => client.clone(),
        Connections::Fresh | Connections::Resumed => {
            let mut tls = tls;
            if args.connections == Connections::Fresh {
                tls.resumption = rustls::client::Resumption::disabled();
            }
            reqwest::Client::builder()
                .tls_backend_preconfigured(tls)
                .pool_max_idle_per_host(0)
                .build()?
        }
    };
    let procedure = match args.procedure {
        Kind::ValidityCheck => Procedure::ValidityCheck,
        Kind::Revocation => Procedure::Revocation,
    };

    // 1. Challenges.
    let t = Instant::now();
    let mut challenges = Vec::with_capacity(args.requests);
    for _ in 0..args.requests {
        let r = client
            .post(format!("{}/v1/challenges", args.url))
            .send()
            .await?
            .error_for_status()?;
        let c: ChallengeAnswer = serde_json::from_str(&r.text().await?)?;
        challenges.push(c.challenge);
    }
    eprintln!(
        "fetched {} challenges in {:.1}s",
        challenges.len(),
        t.elapsed().as_secs_f64()
    );

    // 2. Sign.
    let t = Instant::now();
    let bodies = sign_all(&args, procedure, challenges)?;
    eprintln!(
        "signed {} {} requests in {:.1}s",
        bodies.len(),
        procedure,
        t.elapsed().as_secs_f64()
    );

    // 3. Fire.
    let path = match procedure {
        Procedure::Revocation => "/v1/revocations",
        Procedure::ValidityCheck => "/v1/validity-checks",
    };
    let url = Arc::new(format!("{}{}", args.url, path));
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = server_cpu_secs(&args.server_pid);
    let io_before = server_io(&args.server_pid);
    let start = Instant::now();
    let rate = args.rate;
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (client, url, bodies, next) = (
            fire_client.clone(),
            url.clone(),
            bodies.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut results = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= bodies.len() {
                    break;
                }
                // Open loop: request i is due at start + i/rate; its latency counts from then,
                // so a slow window cannot hide queueing (no coordinated omission).
                let due = match rate {
                    Some(r) => {
                        let due = start + Duration::from_secs_f64(i as f64 / r);
                        tokio::time::sleep_until(due.into()).await;
                        due
                    }
                    None => Instant::now(),
                };
                let outcome = match client
                    .post(url.as_str())
                    .header("content-type", MEDIA_TYPE_CMS)
                    .body(bodies[i].clone())
                    .send()
                    .await
                {
                    Ok(r) => match r.text().await {
                        Ok(t) => serde_json::from_str::<OutcomeAnswer>(&t)
                            .map(|a| a.outcome.as_str().to_owned())
                            .unwrap_or_else(|_| "unreadable".into()),
                        Err(_) => "transport_error".into(),
                    },
                    Err(_) => "transport_error".into(),
                };
                results.push((due.elapsed(), outcome));
            }
            results
        }));
    }
    let mut all = Vec::with_capacity(bodies.len());
    for t in tasks {
        all.extend(t.await?);
    }
    let elapsed = start.elapsed();
    let cpu = server_cpu_secs(&args.server_pid).zip(cpu_before);
    let io = server_io(&args.server_pid).zip(io_before);
    report(&args, procedure, &mut all, elapsed);
    if let Some((after, before)) = cpu {
        println!(
            "server CPU (user+system, pids {:?}): {:.2} s = {:.1} µs per request",
            args.server_pid,
            after - before,
            (after - before) * 1e6 / bodies.len().max(1) as f64
        );
    }
    if let Some((after, before)) = io {
        // Machine load moves CPU time; these counts do not: the window's write-type system
        // calls (the response's TLS record, the database's log frames) and bytes written.
        let n = bodies.len().max(1) as f64;
        println!(
            "server writes: {:.2} write system calls and {:.0} bytes per request",
            (after.0 - before.0) as f64 / n,
            (after.1 - before.1) as f64 / n
        );
    }
    Ok(())
}

/// User + system CPU seconds of these processes (all their threads), from /proc.
fn server_cpu_secs(pids: &[u32]) -> Option<f64> {
    if pids.is_empty() {
        return None;
    }
    let ticks = 100.0; // USER_HZ on Linux is 100 on every architecture the kernel exposes it.
    let mut total = 0.0;
    for pid in pids {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may hold spaces) in parentheses.
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split(' ').collect();
        let utime: f64 = f.get(11)?.parse().ok()?;
        let stime: f64 = f.get(12)?.parse().ok()?;
        total += (utime + stime) / ticks;
    }
    Some(total)
}

/// Write-type system calls and bytes written (`syscw`, `wchar` in /proc/PID/io), summed.
fn server_io(pids: &[u32]) -> Option<(u64, u64)> {
    if pids.is_empty() {
        return None;
    }
    let (mut calls, mut bytes) = (0, 0);
    for pid in pids {
        let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
        let field = |name: &str| -> Option<u64> {
            io.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().parse().ok())
        };
        calls += field("syscw:")?;
        bytes += field("wchar:")?;
    }
    Some((calls, bytes))
}

fn sign_all(
    args: &Args,
    procedure: Procedure,
    challenges: Vec<String>,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let card = fixtures_dir().join("cards/normal");
    let base = TestHolder::from_card("normal")?;
    let key = read_rsa_private_key(&card.join("sign-key.pem"))?;
    let ca = match procedure {
        Procedure::Revocation => Some(Arc::new(TestCa::fixture_sign_ca()?)),
        Procedure::ValidityCheck => None,
    };
    let threads = args.sign_threads.max(1);
    let chunk = challenges.len().div_ceil(threads).max(1);
    let first_serial = args.first_serial;
    let mut handles = Vec::new();
    for (t, part) in challenges.chunks(chunk).enumerate() {
        let part = part.to_vec();
        let (base, key, ca) = (base.clone(), key.clone(), ca.clone());
        handles.push(std::thread::spawn(move || {
            part.iter()
                .enumerate()
                .map(|(j, challenge)| {
                    let holder = match &ca {
                        Some(ca) => TestHolder::issue(
                            ca,
                            first_serial + (t * chunk + j) as u64,
                            &key,
                            Duration::from_secs(365 * 86400),
                        ),
                        None => base.clone(),
                    };
                    holder.signed_request(procedure, challenge)
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.extend(
            h.join()
                .map_err(|_| anyhow::anyhow!("signing thread panicked"))?,
        );
    }
    Ok(out)
}

fn report(args: &Args, procedure: Procedure, all: &mut [(Duration, String)], elapsed: Duration) {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for (_, o) in all.iter() {
        *counts.entry(o.clone()).or_default() += 1;
    }
    all.sort_by_key(|(d, _)| *d);
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i].0.as_secs_f64() * 1000.0
    };
    println!(
        "procedure={} requests={} concurrency={} mode={} elapsed_s={:.2} throughput_per_s={:.0} \
         p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2}",
        procedure,
        all.len(),
        args.concurrency,
        args.rate
            .map(|r| format!("open-loop@{r}/s"))
            .unwrap_or_else(|| "closed-loop".into()),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    println!("outcomes: {counts:?}");
}

/// Runs checks 1–4 of the window (no network, no database) on one thread.
fn local_checks(n: usize) -> anyhow::Result<()> {
    use madoguchi_server::material::TrustedCa;
    let h = TestHolder::from_card("normal")?;
    let body = h.signed_request(Procedure::ValidityCheck, "0123456789abcdef0123456789abcdef");
    let cas = vec![TrustedCa::load(&fixtures_dir().join("pki/sign-ca.der"))?];
    let now = std::time::SystemTime::now();
    let start = Instant::now();
    for _ in 0..n {
        madoguchi_server::check::check_request(Procedure::ValidityCheck, &body, &cas, 65536, now)
            .map_err(|r| anyhow::anyhow!("check failed: {:?}", r.outcome))?;
    }
    let e = start.elapsed().as_secs_f64();
    println!(
        "local checks (2 RSA-2048 verifications each) on one thread: {n} in {e:.2}s = {:.0}/s",
        n as f64 / e
    );
    let key = rsa::RsaPublicKey::from(&h.key);
    let hash = [7u8; 32];
    let sig = h
        .key
        .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hash)?;
    let start = Instant::now();
    for _ in 0..n {
        key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hash, &sig)?;
    }
    let e = start.elapsed().as_secs_f64();
    println!(
        "rsa crate RSA-2048 PKCS#1 v1.5 verify on one thread: {:.0}/s",
        n as f64 / e
    );
    let cert = x509_cert::Certificate::from_der(&h.certificate_der)?;
    let pkcs1 = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec();
    let message = b"signed attributes stand-in";
    let sig = h.key.sign(
        rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        &madoguchi_pki::cms::sha256(message),
    )?;
    let start = Instant::now();
    for _ in 0..n {
        anyhow::ensure!(madoguchi_server::material::verify_sha256_rsa_pkcs1(
            &pkcs1, message, &sig
        ));
    }
    let e = start.elapsed().as_secs_f64();
    println!(
        "aws-lc-rs RSA-2048 PKCS#1 v1.5 SHA-256 verify (the window's) on one thread: {:.0}/s",
        n as f64 / e
    );
    Ok(())
}
