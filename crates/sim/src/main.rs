//! `madoguchi-sim`: attach a virtual JPKI card to pcscd's vpcd driver.
//!
//! ```text
//! madoguchi-sim --vpcd 127.0.0.1:35963 --profile fixtures/cards/normal/profile.toml [--state state.toml]
//! ```
//!
//! While it runs, commands on standard input control the card (one per
//! line): `remove`, `insert`, `reset`, `status`, `remove-after N`,
//! `delay N MS`, `hang N`, `latency MS`, `fail INS:SW[:P1[:P2[:NTH]]]`,
//! `clear-faults`, `quit`. Each gets one answer line on standard output
//! (`ok`, a status line, or `error: …`). End of input is ignored, so the
//! simulator also runs with stdin closed; stop it with SIGINT/SIGTERM.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use madoguchi_card::PinKind;
use madoguchi_sim::channel::lock;
use madoguchi_sim::{Bridge, BridgeHandle, FailRule, Faults, VirtualCard, share};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "A virtual JPKI card (My Number card) for pcscd's vpcd reader driver"
)]
struct Args {
    /// Address where vpcd (the pcscd driver) listens.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:35963")]
    vpcd: String,
    /// Card profile (TOML); relative paths in it resolve against its folder.
    #[arg(long, value_name = "PATH")]
    profile: PathBuf,
    /// State file for retry counters and changed passwords (created when
    /// first needed). Without it the counters live in memory only.
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// Answer N command APDUs, then remove the card (close the connection).
    #[arg(long, value_name = "N")]
    remove_after: Option<u64>,
    /// Wait MS milliseconds before answering APDU number N (repeatable).
    #[arg(long, value_name = "N:MS", value_parser = parse_delay)]
    delay_apdu: Vec<(u64, u64)>,
    /// Never answer APDU number N (until the card is removed).
    #[arg(long, value_name = "N")]
    hang_apdu: Option<u64>,
    /// Wait MS milliseconds before every answer (a slow card).
    #[arg(long, value_name = "MS")]
    latency: Option<u64>,
    /// Answer status word SW to commands with instruction INS, optionally
    /// only with P1/P2 (hex or *) and only the NTH match (repeatable).
    #[arg(long, value_name = "INS:SW[:P1[:P2[:NTH]]]")]
    fail: Vec<FailRule>,
    /// Keep verified passwords when another application is selected.
    #[arg(long)]
    keep_verification_across_df: bool,
    /// Accept extended-length APDUs and announce them in the ATR (by
    /// default the card is strict: 67 00, and the My Number ATR).
    #[arg(long)]
    extended_length: bool,
    /// The permissive card: extended APDUs, verified state kept across a
    /// re-select, 90 00 to an empty VERIFY once verified, no filler.
    #[arg(long)]
    lenient: bool,
    /// Milliseconds every APDU takes on the card (15: contactless reader).
    #[arg(long, value_name = "MS")]
    apdu_latency: Option<u64>,
    /// Extra milliseconds a signature takes on the chip (about 600).
    #[arg(long, value_name = "MS")]
    signature_time: Option<u64>,
    /// Start with the card out of the reader (`insert` on stdin).
    #[arg(long)]
    removed: bool,
    /// More logging (-v: APDU headers and status words; -vv: trace).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

fn parse_delay(s: &str) -> Result<(u64, u64), String> {
    let (n, ms) = s.split_once(':').ok_or("expected N:MS")?;
    let n = n.parse().map_err(|_| "N must be a number")?;
    let ms = ms.parse().map_err(|_| "MS must be a number")?;
    Ok((n, ms))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let default = match args.verbose {
        0 => "info",
        1 => "madoguchi=debug,info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("MADOGUCHI_SIM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let mut card = match VirtualCard::open(&args.profile, args.state.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("madoguchi-sim: {e}");
            return ExitCode::from(2);
        }
    };
    if args.lenient {
        *card.options_mut() = madoguchi_sim::CardOptions {
            allow_key_mismatch: card.options().allow_key_mismatch,
            ..madoguchi_sim::CardOptions::lenient()
        };
    }
    if args.keep_verification_across_df {
        card.options_mut().clear_verification_on_df_select = false;
        card.options_mut().clear_verification_on_reselect = false;
    }
    if args.extended_length {
        card.options_mut().extended_length = true;
    }
    if let Some(ms) = args.apdu_latency {
        card.options_mut().apdu_latency_ms = ms;
    }
    if let Some(ms) = args.signature_time {
        card.options_mut().signature_ms = ms;
    }
    let faults = Faults::new();
    if let Some(n) = args.remove_after {
        faults.remove_after(n);
    }
    for &(n, ms) in &args.delay_apdu {
        faults.delay(n, Duration::from_millis(ms));
    }
    if let Some(n) = args.hang_apdu {
        faults.hang(n);
    }
    if let Some(ms) = args.latency {
        faults.set_latency(Duration::from_millis(ms));
    }
    for rule in &args.fail {
        faults.fail(*rule);
    }
    let bridge = Bridge::spawn(args.vpcd.clone(), share(card), faults);
    if args.removed {
        bridge.remove();
    }
    tracing::info!(
        "madoguchi-sim: card from {} for vpcd at {}",
        args.profile.display(),
        args.vpcd
    );

    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line == "quit" {
            println!("ok");
            bridge.stop();
            return ExitCode::SUCCESS;
        }
        match control(&bridge, line) {
            Ok(answer) => println!("{answer}"),
            Err(e) => println!("error: {e}"),
        }
    }
    // Standard input closed: keep serving until killed.
    loop {
        std::thread::park();
    }
}

fn control(bridge: &BridgeHandle, line: &str) -> Result<String, String> {
    let mut words = line.split_whitespace();
    let cmd = words.next().unwrap_or_default();
    let mut num = || -> Result<u64, String> {
        words
            .next()
            .ok_or("missing number")?
            .parse()
            .map_err(|_| "not a number".to_string())
    };
    let faults = bridge.faults();
    match cmd {
        "remove" => bridge.remove(),
        "insert" => bridge.insert(),
        "reset" => lock(&bridge.card()).reset(),
        "remove-after" => faults.remove_after(num()?),
        "delay" => {
            let n = num()?;
            faults.delay(n, Duration::from_millis(num()?));
        }
        "hang" => faults.hang(num()?),
        "latency" => faults.set_latency(Duration::from_millis(num()?)),
        "fail" => {
            let spec = words.next().ok_or("missing INS:SW")?;
            faults.fail(spec.parse::<FailRule>().map_err(|e| e.to_string())?);
        }
        "clear-faults" => faults.clear(),
        "status" => {
            let card = bridge.card();
            let card = lock(&card);
            let tries = |k| {
                card.tries_left(k)
                    .map_or("-".to_string(), |t| t.to_string())
            };
            let stats = bridge.stats();
            return Ok(format!(
                "inserted={} connected={} signing_tries={} auth_tries={} card_info_tries={} apdus={} bytes_to_card={} bytes_from_card={}",
                bridge.is_inserted(),
                bridge.is_connected(),
                tries(PinKind::SigningPassword),
                tries(PinKind::AuthenticationPin),
                tries(PinKind::CardInfoPin),
                stats.apdus,
                stats.bytes_to_card,
                stats.bytes_from_card,
            ));
        }
        _ => return Err(format!("unknown command {cmd:?}")),
    }
    Ok("ok".into())
}
