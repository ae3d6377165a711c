//! The `madoguchi-server` binary: crash test (kill -9 under revocation load), CLI commands,
//! configuration errors, demo mode.

mod common;

use std::sync::{Arc, Mutex};

use common::bin::*;
use common::*;
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::{MEDIA_TYPE_CMS, Outcome, OutcomeAnswer};

/// (receipt id, answer body, signed request) of an `accepted` answer.
type Accepted = (String, String, Vec<u8>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_revocation_load_loses_no_accepted_revocation() {
    const N: u64 = 400;
    const KILL_AFTER: usize = 120;
    let dir = tempfile::tempdir().unwrap();
    // One client (this test) sends everything: no per-client rate limit in the way.
    let config = write_config(dir.path(), UNLIMITED);
    let (mut child, url, _) = spawn_server(&["serve", "--config", config.to_str().unwrap()]);
    let client = client();

    // Pre-sign N revocations of N different certificates.
    let mut requests = Vec::new();
    for i in 0..N {
        let h = holder(0xC000 + i);
        let r = client
            .post(format!("{url}/v1/challenges"))
            .send()
            .await
            .unwrap();
        let c: madoguchi_pki::wire::ChallengeAnswer =
            serde_json::from_str(&r.text().await.unwrap()).unwrap();
        requests.push(h.signed_request(Procedure::Revocation, &c.challenge));
    }

    let accepted: Arc<Mutex<Vec<Accepted>>> = Arc::default();
    let (kill_tx, mut kill_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let queue = Arc::new(Mutex::new(requests));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let queue = queue.clone();
        let accepted = accepted.clone();
        let client = client.clone();
        let url = url.clone();
        let kill_tx = kill_tx.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(body) = queue.lock().unwrap().pop() else {
                    break;
                };
                let r = client
                    .post(format!("{url}/v1/revocations"))
                    .header("content-type", MEDIA_TYPE_CMS)
                    .body(body.clone())
                    .send()
                    .await;
                let Ok(r) = r else { continue };
                let Ok(text) = r.text().await else { continue };
                let a: OutcomeAnswer = serde_json::from_str(&text).unwrap();
                if a.outcome == Outcome::Accepted {
                    let mut acc = accepted.lock().unwrap();
                    acc.push((a.receipt_id.unwrap(), text, body));
                    if acc.len() == KILL_AFTER {
                        let _ = kill_tx.send(());
                    }
                }
            }
        }));
    }
    drop(kill_tx);
    kill_rx
        .recv()
        .await
        .expect("enough revocations accepted before the kill");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }

    let accepted = accepted.lock().unwrap().clone();
    let rows = list(&config);
    let mut receipts: Vec<&str> = rows.iter().map(|r| r.receipt_id.as_str()).collect();
    receipts.sort();
    let total = receipts.len();
    receipts.dedup();
    assert_eq!(receipts.len(), total, "a receipt listed twice");
    for (receipt, _, _) in &accepted {
        let found: Vec<&Row> = rows.iter().filter(|r| &r.receipt_id == receipt).collect();
        assert_eq!(
            found.len(),
            1,
            "accepted {receipt} listed {} times",
            found.len()
        );
        assert_eq!(found[0].outcome, "accepted");
        assert_eq!(found[0].procedure, "revocation");
        assert_eq!(found[0].status, "pending");
    }
    eprintln!(
        "crash test: {} answered accepted before/around kill -9, {} recorded after restart, \
         {} of {} requests unanswered",
        accepted.len(),
        rows.len(),
        N as usize - accepted.len(),
        N
    );
    assert!(rows.len() >= accepted.len());

    // After a restart the same signed request gets the same answer, and no new record.
    let (mut child, url, _) = spawn_server(&["serve", "--config", config.to_str().unwrap()]);
    let (receipt, first_body, body) = &accepted[0];
    let r = client
        .post(format!("{url}/v1/revocations"))
        .header("content-type", MEDIA_TYPE_CMS)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(&r.text().await.unwrap(), first_body);
    child.kill().unwrap();
    child.wait().unwrap();
    let after = list(&config);
    assert_eq!(after.len(), rows.len());
    assert_eq!(after.iter().filter(|r| &r.receipt_id == receipt).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_requests_list_and_crl_commands() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let cfg = config.to_str().unwrap();
    let (mut child, url, _) = spawn_server(&["serve", "--config", cfg]);
    let client = client();
    let h = madoguchi_server::testkit::TestHolder::from_card("normal").unwrap();
    let r = client
        .post(format!("{url}/v1/challenges"))
        .send()
        .await
        .unwrap();
    let c: madoguchi_pki::wire::ChallengeAnswer =
        serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let r = client
        .post(format!("{url}/v1/revocations"))
        .header("content-type", MEDIA_TYPE_CMS)
        .body(h.signed_request(Procedure::Revocation, &c.challenge))
        .send()
        .await
        .unwrap();
    let a: OutcomeAnswer = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(a.outcome, Outcome::Accepted);

    // Table form names the columns and shows the holder.
    let (ok, out, _) = run_cli(&["requests", "list", "--config", cfg]);
    assert!(ok);
    for col in [
        "RECEIPT",
        "SERIAL",
        "HOLDER",
        "PROCEDURE",
        "OUTCOME",
        "RECEIVED AT",
        "STATUS",
    ] {
        assert!(out.contains(col), "{out}");
    }
    assert!(
        out.contains("吉田　太郎") && out.contains("pending"),
        "{out}"
    );
    assert!(out.contains(a.receipt_id.as_deref().unwrap()));

    // crl issue while the server runs; the server sees it.
    let crl_path = dir.path().join("issued.crl");
    let (ok, out, err) = run_cli(&[
        "crl",
        "issue",
        "--config",
        cfg,
        "--out",
        crl_path.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("issued CRL number 1 with 1 revoked"), "{out}");
    let rows = list(&config);
    assert_eq!(rows[0].status, "revoked");
    assert_eq!(rows[0].certificate_serial, "1001");
    let r = client.get(format!("{url}/v1/crl")).send().await.unwrap();
    assert_eq!(
        r.bytes().await.unwrap().to_vec(),
        std::fs::read(&crl_path).unwrap()
    );
    child.kill().unwrap();
    child.wait().unwrap();

    // crl import into another window's database.
    let other = tempfile::tempdir().unwrap();
    let other_cfg = write_config(other.path(), "");
    let (ok, out, err) = run_cli(&[
        "crl",
        "import",
        "--config",
        other_cfg.to_str().unwrap(),
        crl_path.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("imported CRL number 1 with 1 revoked"),
        "{out}"
    );
    // A tampered CRL is refused.
    let mut bad = std::fs::read(&crl_path).unwrap();
    let n = bad.len();
    bad[n - 3] ^= 1;
    let bad_path = other.path().join("bad.crl");
    std::fs::write(&bad_path, bad).unwrap();
    let (ok, _, err) = run_cli(&[
        "crl",
        "import",
        "--config",
        other_cfg.to_str().unwrap(),
        bad_path.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.contains("signature"), "{err}");
}

#[test]
fn configuration_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "unexpected = true");
    let (ok, _, err) = run_cli(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("unexpected"), "{err}");

    let text = std::fs::read_to_string(write_config(dir.path(), ""))
        .unwrap()
        .replace("server-key.pem", "no-such-key.pem");
    std::fs::write(&config, text).unwrap();
    let (ok, _, err) = run_cli(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("tls_key") && err.contains("no-such-key.pem"),
        "{err}"
    );

    let (ok, _, err) = run_cli(&["requests", "list", "--config", "/nonexistent/server.toml"]);
    assert!(!ok);
    assert!(err.contains("/nonexistent/server.toml"), "{err}");

    // crl issue needs [crl_signer].
    let text = std::fs::read_to_string(write_config(dir.path(), "")).unwrap();
    let cut = text.find("[crl_signer]").unwrap();
    std::fs::write(&config, &text[..cut]).unwrap();
    let (ok, _, err) = run_cli(&["crl", "issue", "--config", config.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("crl_signer"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_prints_url_and_ca() {
    let (mut child, url, rest) = spawn_server(&["serve", "--demo", "--listen", "127.0.0.1:0"]);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(rest[0].contains("tls-ca.pem"), "{rest:?}");
    let r = client().get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let h = madoguchi_server::testkit::TestHolder::from_card("normal").unwrap();
    let r = client()
        .post(format!("{url}/v1/challenges"))
        .send()
        .await
        .unwrap();
    let c: madoguchi_pki::wire::ChallengeAnswer =
        serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let r = client()
        .post(format!("{url}/v1/validity-checks"))
        .header("content-type", MEDIA_TYPE_CMS)
        .body(h.signed_request(Procedure::ValidityCheck, &c.challenge))
        .send()
        .await
        .unwrap();
    let a: OutcomeAnswer = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(a.outcome, Outcome::Valid);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[cfg(unix)]
#[test]
fn keys_others_can_read_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let cfg = config.to_str().unwrap();
    for (key, file, args) in [
        ("tls_key", "server-key.pem", vec!["serve", "--config", cfg]),
        (
            "crl_signer.private_key",
            "sign-ca-key.pem",
            vec!["crl", "issue", "--config", cfg],
        ),
    ] {
        let path = dir.path().join(file);
        for mode in [0o644, 0o640, 0o604] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let (ok, _, err) = run_cli(&args);
            assert!(!ok, "{key} at {mode:o} was used");
            assert!(
                err.contains(key) && err.contains("chmod 600") && err.contains(file),
                "{err}"
            );
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // At 0600 both work (crl issue on an empty database issues an empty CRL).
    let (ok, out, err) = run_cli(&["crl", "issue", "--config", cfg]);
    assert!(ok, "{err}");
    assert!(out.contains("issued CRL number 1 with 0 revoked"), "{out}");
}

/// Writes a challenge key file (hex) at `mode`.
#[cfg(unix)]
fn key_file(dir: &std::path::Path, name: &str, byte: u8, mode: u32) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("{}\n", hex::encode([byte; 32]))).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path.display().to_string()
}

/// A configuration in its own folder (its own SQLite database, so its own database key) with
/// `[challenge_keys]` naming `current` and `previous`.
fn keyed_config(root: &std::path::Path, name: &str, current: &str, previous: &[&str]) -> String {
    let dir = root.join(name);
    std::fs::create_dir(&dir).unwrap();
    let previous = previous
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let config = write_config(
        &dir,
        &format!("[challenge_keys]\ncurrent = \"{current}\"\nprevious = [{previous}]\n{UNLIMITED}"),
    );
    config.display().to_string()
}

async fn check_with(
    client: &reqwest::Client,
    url: &str,
    h: &madoguchi_server::testkit::TestHolder,
    challenge: &str,
) -> OutcomeAnswer {
    let r = client
        .post(format!("{url}/v1/validity-checks"))
        .header("content-type", MEDIA_TYPE_CMS)
        .body(h.signed_request(Procedure::ValidityCheck, challenge))
        .send()
        .await
        .unwrap();
    serde_json::from_str(&r.text().await.unwrap()).unwrap()
}

async fn challenge_from(client: &reqwest::Client, url: &str) -> String {
    let r = client
        .post(format!("{url}/v1/challenges"))
        .send()
        .await
        .unwrap();
    let c: madoguchi_pki::wire::ChallengeAnswer =
        serde_json::from_str(&r.text().await.unwrap()).unwrap();
    c.challenge
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_challenge_keys_cross_instances_and_roll() {
    let root = tempfile::tempdir().unwrap();
    let k1 = key_file(root.path(), "k1.key", 0x11, 0o600);
    let k2 = key_file(root.path(), "k2.key", 0x22, 0o600);
    let k3 = key_file(root.path(), "k3.key", 0x33, 0o600);
    let client = client();
    let unknown = madoguchi_server::challenge::ChallengeProblem::Unknown.detail();

    // A and B share k1 but not a database: each has a database key of its own, so a
    // challenge crossing them can only verify under the configured key.
    let a = Server::start(keyed_config(root.path(), "a", &k1, &[]).as_ref());
    let b = Server::start(keyed_config(root.path(), "b", &k1, &[]).as_ref());
    let from_a = challenge_from(&client, &a.url).await;
    let from_b = challenge_from(&client, &b.url).await;
    let v = check_with(&client, &b.url, &holder(0xC001), &from_a).await;
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");
    let v = check_with(&client, &a.url, &holder(0xC002), &from_b).await;
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");
    // The same two instances without [challenge_keys]: their database keys differ.
    let plain_a = dir_config(root.path(), "plain-a");
    let plain_b = dir_config(root.path(), "plain-b");
    let (pa, pb) = (Server::start(&plain_a), Server::start(&plain_b));
    let v = check_with(
        &client,
        &pb.url,
        &holder(0xC003),
        &challenge_from(&client, &pa.url).await,
    )
    .await;
    assert_eq!(v.outcome, Outcome::ChallengeInvalid);
    assert_eq!(v.detail.as_deref(), Some(unknown));

    // Rolled: C issues with k2 and still takes k1's challenges; A (not rolled yet) does not
    // know k2 — why a roll first lists the new key as previous everywhere.
    let old = challenge_from(&client, &a.url).await;
    let c = Server::start(keyed_config(root.path(), "c", &k2, &[&k1]).as_ref());
    let v = check_with(&client, &c.url, &holder(0xC004), &old).await;
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");
    let new = challenge_from(&client, &c.url).await;
    let v = check_with(&client, &a.url, &holder(0xC005), &new).await;
    assert_eq!(v.outcome, Outcome::ChallengeInvalid);
    assert_eq!(v.detail.as_deref(), Some(unknown));
    let v = check_with(&client, &c.url, &holder(0xC005), &new).await;
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");

    // k1 dropped: its challenges are unknown, k2's still good.
    let d = Server::start(keyed_config(root.path(), "d", &k3, &[&k2]).as_ref());
    let old = challenge_from(&client, &b.url).await;
    let v = check_with(&client, &d.url, &holder(0xC006), &old).await;
    assert_eq!(v.outcome, Outcome::ChallengeInvalid);
    assert_eq!(v.detail.as_deref(), Some(unknown));
    let v = check_with(
        &client,
        &d.url,
        &holder(0xC007),
        &challenge_from(&client, &c.url).await,
    )
    .await;
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");
}

#[cfg(unix)]
fn dir_config(root: &std::path::Path, name: &str) -> std::path::PathBuf {
    let dir = root.join(name);
    std::fs::create_dir(&dir).unwrap();
    write_config(&dir, UNLIMITED)
}

#[cfg(unix)]
#[test]
fn challenge_keys_others_can_read_or_that_are_not_keys_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let good = key_file(root.path(), "good.key", 0x44, 0o600);
    for (i, (current, previous, key, says)) in [
        (
            key_file(root.path(), "open.key", 0x55, 0o644),
            vec![],
            "challenge_keys.current",
            "chmod 600",
        ),
        (
            good.clone(),
            vec![key_file(root.path(), "group.key", 0x66, 0o640)],
            "challenge_keys.previous[0]",
            "chmod 600",
        ),
        (
            {
                let p = root.path().join("short.key");
                std::fs::write(&p, "00112233").unwrap();
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
                p.display().to_string()
            },
            vec![],
            "challenge_keys.current",
            "openssl rand -hex 32",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let previous: Vec<&str> = previous.iter().map(String::as_str).collect();
        let config = keyed_config(root.path(), &format!("c{i}"), &current, &previous);
        let (ok, _, err) = run_cli(&["serve", "--config", &config]);
        assert!(!ok, "{key} was used");
        assert!(err.contains(key) && err.contains(says), "{err}");
    }
}
