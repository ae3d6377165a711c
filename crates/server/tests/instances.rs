//! Several window instances (separate `madoguchi-server` processes) on one PostgreSQL
//! database: challenges cross instances, a revocation is recorded once whichever instance gets
//! it, concurrent revocations of one certificate give one `accepted`, and `kill -9` of one
//! instance under revocation load loses nothing it acknowledged while the other keeps
//! answering. Also `requests list` and `crl issue|import` on PostgreSQL.

mod common;

use std::sync::{Arc, Mutex};

use common::bin::*;
use common::*;
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::{ChallengeAnswer, MEDIA_TYPE_CMS, Outcome, OutcomeAnswer};

/// Two instances on one fresh PostgreSQL database, and the configuration they share.
fn two_instances(dir: &std::path::Path) -> Option<(std::path::PathBuf, Server, Server)> {
    let url = pg::cluster()?.new_database();
    let config = write_config_db(dir, &url, UNLIMITED);
    let a = Server::start(&config);
    let b = Server::start(&config);
    Some((config, a, b))
}

async fn challenge(client: &reqwest::Client, url: &str) -> String {
    let r = client
        .post(format!("{url}/v1/challenges"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let c: ChallengeAnswer = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    c.challenge
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    p: Procedure,
    body: Vec<u8>,
) -> Result<(String, OutcomeAnswer), reqwest::Error> {
    let path = match p {
        Procedure::Revocation => "/v1/revocations",
        Procedure::ValidityCheck => "/v1/validity-checks",
    };
    let r = client
        .post(format!("{url}{path}"))
        .header("content-type", MEDIA_TYPE_CMS)
        .body(body)
        .send()
        .await?;
    let text = r.text().await?;
    let a = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    Ok((text, a))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_challenges_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let Some((config, a, b)) = two_instances(dir.path()) else {
        return;
    };
    let client = client();
    let h = holder(0xB001);

    // A challenge from A is accepted by B.
    let c = challenge(&client, &a.url).await;
    let (_, v) = send(
        &client,
        &b.url,
        Procedure::ValidityCheck,
        h.signed_request(Procedure::ValidityCheck, &c),
    )
    .await
    .unwrap();
    assert_eq!(v.outcome, Outcome::Valid);
    // ... once: another document with it, at A, is refused.
    let other = holder(0xB002);
    let (_, used) = send(
        &client,
        &a.url,
        Procedure::ValidityCheck,
        other.signed_request(Procedure::ValidityCheck, &c),
    )
    .await
    .unwrap();
    assert_eq!(used.outcome, Outcome::ChallengeInvalid);

    // The same signed revocation sent to A and B at once: one record, the same bytes.
    let signed = h.signed_request(Procedure::Revocation, &challenge(&client, &b.url).await);
    let (ra, rb) = tokio::join!(
        send(&client, &a.url, Procedure::Revocation, signed.clone()),
        send(&client, &b.url, Procedure::Revocation, signed.clone()),
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.1.outcome, Outcome::Accepted, "{}", ra.0);
    assert_eq!(ra.0, rb.0, "byte-identical answers");
    let receipt = ra.1.receipt_id.clone().unwrap();

    // A different revocation of the same certificate through B: duplicate_request.
    let (_, dup) = send(
        &client,
        &b.url,
        Procedure::Revocation,
        h.signed_request(Procedure::Revocation, &challenge(&client, &a.url).await),
    )
    .await
    .unwrap();
    assert_eq!(dup.outcome, Outcome::DuplicateRequest);
    assert_eq!(dup.accepted_receipt_id.as_deref(), Some(receipt.as_str()));

    // requests list on PostgreSQL: the revocation once, pending.
    let rows = list(&config);
    let mine: Vec<&Row> = rows.iter().filter(|r| r.receipt_id == receipt).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].outcome.as_str(), mine[0].status.as_str()),
        ("accepted", "pending")
    );
    assert_eq!(
        rows.iter().filter(|r| r.outcome == "accepted").count(),
        1,
        "one accepted revocation"
    );

    // crl issue on PostgreSQL: both instances see it at once.
    let cfg = config.to_str().unwrap();
    let crl = dir.path().join("issued.crl");
    let (ok, out, err) = run_cli(&[
        "crl",
        "issue",
        "--config",
        cfg,
        "--out",
        crl.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("issued CRL number 1 with 1 revoked"), "{out}");
    for url in [&a.url, &b.url] {
        let (_, r) = send(
            &client,
            url,
            Procedure::ValidityCheck,
            h.signed_request(Procedure::ValidityCheck, &challenge(&client, url).await),
        )
        .await
        .unwrap();
        assert_eq!(r.outcome, Outcome::Revoked);
    }
    assert_eq!(
        list(&config)
            .iter()
            .find(|r| r.receipt_id == receipt)
            .unwrap()
            .status,
        "revoked"
    );

    // crl import into another PostgreSQL database.
    let other_dir = tempfile::tempdir().unwrap();
    let other_url = pg::cluster().unwrap().new_database();
    let other_cfg = write_config_db(other_dir.path(), &other_url, "");
    let (ok, out, err) = run_cli(&[
        "crl",
        "import",
        "--config",
        other_cfg.to_str().unwrap(),
        crl.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("imported CRL number 1 with 1 revoked"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_revocations_of_one_certificate_at_two_instances_accept_one() {
    let dir = tempfile::tempdir().unwrap();
    let Some((config, a, b)) = two_instances(dir.path()) else {
        return;
    };
    let client = client();
    let h = holder(0xB101);
    // 16 different signed revocations of one certificate, half to each instance, all at once.
    let mut bodies = Vec::new();
    for i in 0..16 {
        let url = if i % 2 == 0 { &a.url } else { &b.url };
        bodies.push((
            url.clone(),
            h.signed_request(Procedure::Revocation, &challenge(&client, url).await),
        ));
    }
    let mut tasks = Vec::new();
    for (url, body) in bodies {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            send(&client, &url, Procedure::Revocation, body)
                .await
                .unwrap()
                .1
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    let accepted: Vec<&OutcomeAnswer> = outcomes
        .iter()
        .filter(|a| a.outcome == Outcome::Accepted)
        .collect();
    assert_eq!(accepted.len(), 1, "{outcomes:?}");
    let receipt = accepted[0].receipt_id.clone().unwrap();
    for o in &outcomes {
        if o.outcome != Outcome::Accepted {
            assert_eq!(o.outcome, Outcome::DuplicateRequest, "{o:?}");
            assert_eq!(o.accepted_receipt_id.as_deref(), Some(receipt.as_str()));
        }
    }
    let rows = list(&config);
    assert_eq!(rows.len(), 16);
    assert_eq!(rows.iter().filter(|r| r.outcome == "accepted").count(), 1);
}

/// (receipt id, answer body) of an `accepted` answer.
type Accepted = (String, String);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_one_instance_under_revocation_load_loses_nothing() {
    const N: u64 = 240;
    const KILL_AFTER: usize = 60;
    let dir = tempfile::tempdir().unwrap();
    let Some((config, mut a, b)) = two_instances(dir.path()) else {
        return;
    };
    let client = client();
    // N revocations of N certificates, each with a challenge from either instance.
    let mut queue = Vec::new();
    for i in 0..N {
        let url = if i % 2 == 0 { &a.url } else { &b.url };
        let c = challenge(&client, url).await;
        queue.push((
            i,
            holder(0xC100 + i).signed_request(Procedure::Revocation, &c),
        ));
    }
    let queue = Arc::new(Mutex::new(queue));
    let accepted: Arc<Mutex<Vec<Accepted>>> = Arc::default();
    let (kill_tx, mut kill_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let (a_url, b_url) = (a.url.clone(), b.url.clone());
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (queue, accepted, client, kill_tx) = (
            queue.clone(),
            accepted.clone(),
            client.clone(),
            kill_tx.clone(),
        );
        let (a_url, b_url) = (a_url.clone(), b_url.clone());
        tasks.push(tokio::spawn(async move {
            // Half the clients start at A. A client whose instance died sends the same signed
            // request again to the other one, as a load balancer's retry would.
            let mut url = if t % 2 == 0 {
                a_url.clone()
            } else {
                b_url.clone()
            };
            let mut failures_after_switch = 0;
            loop {
                let Some((_, body)) = queue.lock().unwrap().pop() else {
                    break;
                };
                loop {
                    match send(&client, &url, Procedure::Revocation, body.clone()).await {
                        Ok((text, ans)) if ans.outcome == Outcome::Accepted => {
                            let mut acc = accepted.lock().unwrap();
                            acc.push((ans.receipt_id.unwrap(), text));
                            if acc.len() == KILL_AFTER {
                                let _ = kill_tx.send(());
                            }
                            break;
                        }
                        Ok((text, ans)) => panic!("{:?}: {text}", ans.outcome),
                        Err(_) if url == a_url => url = b_url.clone(),
                        Err(e) => {
                            failures_after_switch += 1;
                            assert!(failures_after_switch < 5, "the survivor fails: {e}");
                        }
                    }
                }
            }
        }));
    }
    drop(kill_tx);
    kill_rx
        .recv()
        .await
        .expect("enough accepted before the kill");
    a.kill();
    for t in tasks {
        t.await.unwrap();
    }
    let accepted = accepted.lock().unwrap().clone();
    // Every revocation was answered accepted (by A before its death, or by B), and every
    // accepted receipt is on record exactly once.
    assert_eq!(accepted.len(), N as usize);
    let rows = list(&config);
    assert_eq!(rows.len(), N as usize, "one record per document");
    for (receipt, _) in &accepted {
        let n = rows.iter().filter(|r| &r.receipt_id == receipt).count();
        assert_eq!(n, 1, "{receipt} listed {n} times");
    }
    assert!(rows.iter().all(|r| r.outcome == "accepted"));
    // The survivor still answers.
    let h = holder(0xC0FF);
    let (_, v) = send(
        &client,
        &b.url,
        Procedure::ValidityCheck,
        h.signed_request(Procedure::ValidityCheck, &challenge(&client, &b.url).await),
    )
    .await
    .unwrap();
    assert_eq!(v.outcome, Outcome::Valid);
    drop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_schema_is_versioned_and_keeps_its_guarantees() {
    use madoguchi_server::challenge::Ticket;
    use madoguchi_server::pg::{PostgresStore, SCHEMA_VERSION};
    use madoguchi_server::store::{NewRecord, Recorded, Store, StoreError};
    let Some(cluster) = pg::cluster() else {
        return;
    };
    let url = cluster.new_database();
    let db = url.rsplit('/').next().unwrap().to_owned();
    pg::blocking(move || {
        let rec =
            |hash: &'static [u8; 32], receipt: &'static str, outcome: &'static str| NewRecord {
                receipt_id: receipt,
                request_hash: hash,
                challenge: Ticket {
                    nonce: hash[..12].try_into().unwrap(),
                    expires_at: 100,
                },
                procedure: "revocation",
                outcome,
                issuer_der: b"issuer",
                issuer_text: "CN=CA",
                serial: "01",
                holder_name: "吉田　太郎",
                received_at: "2026-11-21T05:40:00Z",
                answer_json: "{}",
                document: b"{}",
                cms: b"",
            };
        let mut s = PostgresStore::open(&url).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        // One accepted revocation per certificate, by constraint; the loser is a conflict
        // (decided again by the committer), and a savepoint keeps the transaction usable.
        let mut tx = s.transaction().unwrap();
        tx.insert_request(&rec(&[1; 32], "R1", "accepted")).unwrap();
        tx.savepoint().unwrap();
        let e = tx
            .insert_request(&rec(&[2; 32], "R2", "accepted"))
            .unwrap_err();
        assert!(e.is_conflict(), "{e}");
        tx.rollback_to_savepoint().unwrap();
        tx.insert_request(&rec(&[3; 32], "R3", "duplicate_request"))
            .unwrap();
        // One record per challenge: found by it for the same document, spent for another,
        // and a second record with it is a conflict.
        let t1 = Ticket {
            nonce: [1; 12],
            expires_at: 100,
        };
        assert_eq!(
            tx.recorded(&[1; 32], Some(&t1)).unwrap(),
            Recorded::Answer("{}".into())
        );
        assert_eq!(
            tx.recorded(&[4; 32], Some(&t1)).unwrap(),
            Recorded::OtherDocument
        );
        assert_eq!(tx.recorded(&[1; 32], None).unwrap(), Recorded::Nothing);
        let lookup = tx.lookup(&[4; 32], Some(&t1), b"issuer", "01").unwrap();
        assert_eq!(lookup.recorded, Recorded::OtherDocument);
        // The single reads come from the same statement, each part on its own.
        let accepted = tx.accepted_revocation(b"issuer", "01").unwrap().unwrap();
        assert_eq!(
            (accepted.receipt_id.as_str(), accepted.serial.as_str()),
            ("R1", "01")
        );
        assert_eq!(tx.accepted_revocation(b"issuer", "02").unwrap(), None);
        assert_eq!(tx.crl_revocation(b"issuer", "01").unwrap(), None);
        tx.savepoint().unwrap();
        let mut reuse = rec(&[4; 32], "R4", "valid");
        reuse.challenge = t1;
        reuse.serial = "04";
        let e = tx.insert_request(&reuse).unwrap_err();
        assert!(e.is_conflict(), "{e}");
        tx.rollback_to_savepoint().unwrap();
        tx.commit().unwrap();
        let list = s.list_requests().unwrap();
        let receipts: Vec<&str> = list.iter().map(|r| r.receipt_id.as_str()).collect();
        assert_eq!(receipts, ["R1", "R3"]);
        assert_eq!(
            (list[0].status.as_str(), list[1].status.as_str()),
            ("pending", "-")
        );
        // A revocation's record (its envelope carries the certificate: about 4 KB) stays in
        // its row: nothing compressed, nothing in the TOAST table (schema 5).
        let envelope: Vec<u8> = (0..3000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut tx = s.transaction().unwrap();
        tx.insert_request(&NewRecord {
            cms: &envelope,
            ..rec(&[8; 32], "R8", "duplicate_request")
        })
        .unwrap();
        tx.commit().unwrap();
        pg::cluster().unwrap().psql(
            &db,
            "DO $$ BEGIN
                 IF (SELECT pg_relation_size(reltoastrelid) FROM pg_class
                     WHERE relname = 'requests') <> 0
                    OR (SELECT pg_column_size(cms) FROM requests WHERE receipt_id = 'R8')
                       < 3000
                 THEN RAISE EXCEPTION 'the record was compressed or moved out of its row';
                 END IF;
             END $$;",
        );
        // The key is made once and then read by every instance.
        let k = s.challenge_key().unwrap();
        drop(s);
        let mut again = PostgresStore::open(&url).unwrap();
        assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(again.challenge_key().unwrap(), k);
        drop(again);
        // Migration 4 on a database written by schema 3: a record whose challenge was still
        // held is found by it, and the challenge stays spent; one whose challenge was
        // forgotten is found by its hash.
        let old = pg::cluster().unwrap().new_database();
        madoguchi_server::pg::migrate_only(&old, 3).unwrap();
        let old_db = old.rsplit('/').next().unwrap().to_owned();
        pg::cluster().unwrap().psql(
            &old_db,
            "INSERT INTO requests (receipt_id, request_hash, procedure, outcome, cert_issuer,
                cert_issuer_text, cert_serial, holder_name, received_at, answer, document, cms)
             VALUES ('R7', '\\x0707070707070707070707070707070707070707070707070707070707070707',
                'revocation', 'accepted', '\\x6973', 'CN=CA', '07', 'x', '2026-11-21T05:40:00Z',
                '{\"outcome\":\"accepted\"}', '\\x7b7d', '\\x'),
                ('R6', '\\x0606060606060606060606060606060606060606060606060606060606060606',
                'validity_check', 'valid', '\\x6973', 'CN=CA', '06', 'x', '2026-11-21T05:40:00Z',
                '{\"outcome\":\"valid\"}', '\\x7b7d', '\\x');
             INSERT INTO spent_challenges (nonce, document_hash, expires_at) VALUES
                ('\\x050505050505050505050505',
                 '\\x0707070707070707070707070707070707070707070707070707070707070707', 300);",
        );
        let mut migrated = PostgresStore::open(&old).unwrap();
        assert_eq!(migrated.schema_version().unwrap(), SCHEMA_VERSION);
        let spent = Ticket {
            nonce: [5; 12],
            expires_at: 300,
        };
        let mut tx = migrated.transaction().unwrap();
        assert_eq!(
            tx.recorded(&[7; 32], Some(&spent)).unwrap(),
            Recorded::Answer(r#"{"outcome":"accepted"}"#.into())
        );
        assert_eq!(
            tx.recorded(&[9; 32], Some(&spent)).unwrap(),
            Recorded::OtherDocument
        );
        assert_eq!(
            tx.recorded(&[6; 32], Some(&spent)).unwrap(),
            Recorded::OtherDocument
        );
        assert_eq!(
            tx.recorded(&[6; 32], None).unwrap(),
            Recorded::Answer(r#"{"outcome":"valid"}"#.into())
        );
        drop(tx);
        drop(migrated);

        // A database written by a newer server is refused.
        pg::cluster()
            .unwrap()
            .psql(&db, "INSERT INTO madoguchi_schema (version) VALUES (99)");
        assert!(matches!(
            PostgresStore::open(&url),
            Err(StoreError::TooNew { .. })
        ));
    })
    .await;
}

/// The committer's batches on PostgreSQL and on SQLite give the same answers, byte for byte,
/// and the same records: batches whose submissions are independent (decided together: one
/// lookup and one insert for the whole batch on PostgreSQL), reaching every status outcome, a
/// document sent again, a spent challenge, validity checks of one certificate; and a batch
/// with two revocations of one certificate (decided one after the other).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_batches_decide_as_sqlite_batches() {
    use madoguchi_server::challenge::{ChallengeProblem, Ticket};
    use madoguchi_server::commit::{Decision, Submission, commit_batch};
    use madoguchi_server::pg::PostgresStore;
    use madoguchi_server::store::{NewCrl, SqliteStore, Store};
    use madoguchi_server::testkit::TestHolder;
    use std::time::{Duration, SystemTime};
    let Some(cluster) = pg::cluster() else {
        return;
    };
    let url = cluster.new_database();
    pg::blocking(move || {
        let holder = TestHolder::from_card("normal").unwrap();
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let ticket = |n: u8| Ticket {
            nonce: [n; 12],
            expires_at: 1_800_000_300,
        };
        let sub = |p: Procedure, serial: &str, n: u8| {
            let mut document = holder.document(p, &format!("challenge-number-{n:04}"));
            document.certificate.serial = serial.into();
            let document_bytes = document.to_canonical_bytes();
            Submission {
                procedure: p,
                document_hash: madoguchi_pki::cms::sha256(&document_bytes),
                document,
                document_bytes,
                issuer_der: b"issuer".to_vec(),
                cms: vec![0x30, n],
                received_at: at,
                challenge_key: Some(ticket(n)),
                challenge: Ok(ticket(n)),
            }
        };
        use Procedure::{Revocation as R, ValidityCheck as V};
        let first_check = sub(V, "03", 3);
        let mut reused = sub(V, "04", 9);
        reused.challenge_key = Some(ticket(1));
        reused.challenge = Ok(ticket(1));
        let mut expired = sub(R, "08", 10);
        expired.challenge = Err(ChallengeProblem::Expired);
        let batches = [
            vec![sub(R, "01", 1), sub(R, "02", 2), first_check.clone()],
            vec![
                sub(R, "01", 4),
                sub(V, "02", 5),
                first_check,
                reused,
                sub(V, "06", 6),
                sub(R, "07", 7),
                expired,
            ],
            vec![
                sub(R, "05", 11),
                sub(V, "05", 12),
                sub(R, "05", 13),
                sub(V, "01", 14),
                sub(V, "01", 15),
            ],
        ];
        let run = |store: &mut dyn Store| -> (Vec<Vec<Decision>>, Vec<String>) {
            let mut tx = store.transaction().unwrap();
            tx.insert_crl(&NewCrl {
                issuer_der: b"issuer",
                issuer_text: "CN=CA",
                crl_number: Some(1),
                this_update: "2027-01-01T00:00:00Z",
                next_update: None,
                source: "imported",
                der: b"crl",
                entries: &[
                    ("06".into(), "2027-01-01T00:00:00Z".into()),
                    ("07".into(), "2027-01-01T00:00:00Z".into()),
                ],
                added_at: "2027-01-01T00:00:00Z",
            })
            .unwrap();
            tx.commit().unwrap();
            let decisions = batches
                .iter()
                .map(|b| {
                    let refs: Vec<&Submission> = b.iter().collect();
                    let mut all: Vec<Option<Decision>> = vec![None; b.len()];
                    let rest = commit_batch(store, &refs, &mut |i, d| all[i] = Some(d)).unwrap();
                    for (i, d) in rest.into_iter().enumerate() {
                        if let Some(d) = d {
                            all[i] = Some(d);
                        }
                    }
                    all.into_iter().map(|d| d.unwrap()).collect()
                })
                .collect();
            let records = store
                .list_requests()
                .unwrap()
                .into_iter()
                .map(|r| {
                    format!(
                        "{} {} {} {}",
                        r.procedure, r.certificate_serial, r.outcome, r.status
                    )
                })
                .collect();
            (decisions, records)
        };
        let mut pg = PostgresStore::open(&url).unwrap();
        let mut sqlite = SqliteStore::open_in_memory().unwrap();
        let (pg_decisions, pg_records) = run(&mut pg);
        let (sqlite_decisions, sqlite_records) = run(&mut sqlite);
        let outcomes: Vec<Vec<Outcome>> = pg_decisions
            .iter()
            .map(|b| b.iter().map(|d| d.outcome).collect())
            .collect();
        assert_eq!(
            outcomes,
            [
                vec![Outcome::Accepted, Outcome::Accepted, Outcome::Valid],
                vec![
                    Outcome::DuplicateRequest,
                    Outcome::RevocationAccepted,
                    Outcome::Valid,
                    Outcome::ChallengeInvalid,
                    Outcome::Revoked,
                    Outcome::AlreadyRevoked,
                    Outcome::ChallengeInvalid,
                ],
                vec![
                    Outcome::Accepted,
                    // Validity checks are decided first, from the committed state.
                    Outcome::Valid,
                    Outcome::DuplicateRequest,
                    Outcome::RevocationAccepted,
                    Outcome::RevocationAccepted,
                ],
            ]
        );
        // The document sent again got its first answer, byte for byte.
        assert_eq!(pg_decisions[1][2], pg_decisions[0][2]);
        assert_eq!(pg_decisions, sqlite_decisions);
        assert_eq!(pg_records, sqlite_records);
        assert_eq!(pg_records.len(), 3 + 4 + 5);
    })
    .await;
}
