//! PostgreSQL stops at once (a crash, a failover) and comes back while revocations pour in.
//! Clients meanwhile get `service_error` (or `busy`), never a false `accepted`, and once the
//! database is back everything acknowledged is on record exactly once. A binary of its own:
//! restarting the cluster must not disturb other tests.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::Outcome;
use madoguchi_server::config::Limits;

/// (receipt id, answer body, signed request) of an `accepted` answer.
type Accepted = (String, String, Vec<u8>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarting_postgres_under_load_loses_nothing_and_lies_never() {
    const N: u64 = 300;
    const STOP_AFTER: usize = 50;
    let Some(db) = Db::fresh(Kind::Postgres) else {
        return;
    };
    let limits = Limits {
        per_client_requests_per_sec: 1_000_000,
        per_client_burst: 1_000_000,
        ..Limits::default()
    };
    let w = Arc::new(start_window(limits, Some(db.open().await)).await);
    let mut queue = Vec::new();
    for i in 0..N {
        let c = w.challenge().await;
        queue.push(holder(0xD000 + i).signed_request(Procedure::Revocation, &c.challenge));
    }
    let queue = Arc::new(Mutex::new(queue));
    let accepted: Arc<Mutex<Vec<Accepted>>> = Arc::default();
    let refused = Arc::new(AtomicUsize::new(0));
    let (stop_tx, mut stop_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (w, queue, accepted, refused, stop_tx) = (
            w.clone(),
            queue.clone(),
            accepted.clone(),
            refused.clone(),
            stop_tx.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(body) = queue.lock().unwrap().pop() else {
                    break;
                };
                // A client sends the same signed request again until it has an answer that
                // decides it.
                loop {
                    // Paced, so that the load outlasts the stop and start of the database even on a slow
                    // machine (250 requests after the stop take at least 1.5 s).
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let a = w.submit(Procedure::Revocation, body.clone()).await;
                    match a.answer.outcome {
                        Outcome::Accepted => {
                            let mut acc = accepted.lock().unwrap();
                            acc.push((a.answer.receipt_id.unwrap(), a.body, body.clone()));
                            if acc.len() == STOP_AFTER {
                                let _ = stop_tx.send(());
                            }
                            break;
                        }
                        Outcome::ServiceError | Outcome::Busy => {
                            refused.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        other => panic!("{other:?}: {}", a.body),
                    }
                }
            }
        }));
    }
    drop(stop_tx);
    stop_rx
        .recv()
        .await
        .expect("revocations accepted before the stop");
    tokio::task::spawn_blocking(|| {
        pg::cluster().unwrap().stop_immediately();
        std::thread::sleep(Duration::from_millis(1500));
        pg::cluster().unwrap().start_again();
    })
    .await
    .unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let refused = refused.load(Ordering::Relaxed);
    let accepted = accepted.lock().unwrap().clone();
    eprintln!(
        "PostgreSQL restart: {} accepted, {refused} answers busy/service_error during the outage",
        accepted.len()
    );
    assert!(refused > 0, "the outage was felt (the load ran through it)");
    assert_eq!(accepted.len(), N as usize);
    let rows = db.with(|s| s.list_requests().unwrap()).await;
    assert_eq!(rows.len(), N as usize, "one record per document");
    for (receipt, _, _) in &accepted {
        let n = rows.iter().filter(|r| &r.receipt_id == receipt).count();
        assert_eq!(n, 1, "accepted {receipt} on record {n} times");
    }
    // An answer given before the outage is given again, byte for byte, after it.
    let (_, first, request) = &accepted[0];
    let again = w.submit(Procedure::Revocation, request.clone()).await;
    assert_eq!(&again.body, first);
    match Arc::try_unwrap(w) {
        Ok(w) => w.server.shutdown().await,
        Err(_) => panic!("the window is still shared"),
    }
}
