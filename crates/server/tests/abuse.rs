//! Abuse: one client flooding challenges, or holding 2,000 trickling connections, does not stop
//! another client from being answered. The abuser speaks from 127.0.0.2, the resident from
//! 127.0.0.1 (Linux routes all of 127.0.0.0/8 to the loopback interface).

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::Outcome;
use madoguchi_server::config::Limits;

const ABUSER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

fn client_from(addr: IpAddr) -> reqwest::Client {
    let ca = pki_dir().join("tls-ca.pem");
    let tls = madoguchi_server::material::tls_client_config(&[ca.as_path()]).unwrap();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .local_address(addr)
        .build()
        .unwrap()
}

/// The resident's deadline for one whole procedure (challenge, then the signed request).
const RESIDENT_DEADLINE: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_flood_from_one_client_does_not_make_another_busy() {
    let limits = Limits {
        per_client_requests_per_sec: 5,
        per_client_burst: 10,
        ..Limits::default()
    };
    let w = start_window(limits, None).await;
    let flooder = client_from(ABUSER);
    let url = w.url.clone();
    let busy = Arc::new(AtomicUsize::new(0));
    let issued = Arc::new(AtomicUsize::new(0));
    let mut flood = Vec::new();
    for _ in 0..16 {
        let (flooder, url, busy, issued) =
            (flooder.clone(), url.clone(), busy.clone(), issued.clone());
        flood.push(tokio::spawn(async move {
            for _ in 0..50 {
                match flooder
                    .post(format!("{url}/v1/challenges"))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                {
                    Ok(503) => busy.fetch_add(1, Ordering::Relaxed),
                    Ok(200) => issued.fetch_add(1, Ordering::Relaxed),
                    other => panic!("flood answer {other:?}"),
                };
            }
        }));
    }
    // While the flood runs, the resident does a whole validity check, several times.
    let h = holder(0xA001);
    for _ in 0..3 {
        let a = tokio::time::timeout(RESIDENT_DEADLINE, w.run(&h, Procedure::ValidityCheck))
            .await
            .expect("the resident is answered within the deadline");
        assert_eq!(
            (a.status, a.answer.outcome),
            (200, Outcome::Valid),
            "{}",
            a.body
        );
    }
    for f in flood {
        f.await.unwrap();
    }
    let (busy, issued) = (busy.load(Ordering::Relaxed), issued.load(Ordering::Relaxed));
    eprintln!("flood: {issued} challenges issued, {busy} answered busy");
    assert_eq!(busy + issued, 800);
    assert!(busy > 0, "the flooder was limited");
    // Burst plus at most 5/s over the flood's duration: far fewer than 800.
    assert!(issued < 400, "{issued}");
    // What the flooder is told: the protocol's busy, with when to come back.
    // (The bucket refills at 5/s meanwhile: at most burst + a few go through first.)
    let mut r = None;
    for _ in 0..40 {
        let x = flooder
            .post(format!("{url}/v1/challenges"))
            .send()
            .await
            .unwrap();
        if x.status().as_u16() == 503 {
            r = Some(x);
            break;
        }
    }
    let r = r.expect("the flooder is limited again");
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=5).contains(&wait), "{wait}");
    let a: madoguchi_pki::wire::OutcomeAnswer =
        serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(
        (a.outcome, a.retry_after),
        (Outcome::Busy, Some(wait as u32))
    );
    w.server.shutdown().await;
}

/// Lets this process hold a few thousand sockets (CI machines often start at 1,024); fails
/// the test, rather than letting it hang, when the hard limit is lower.
fn raise_fd_limit(want: u64) {
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    let now = unsafe {
        let mut l = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 && l.rlim_cur < want {
            l.rlim_cur = want.min(l.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut l);
        l.rlim_cur
    };
    assert!(
        now >= want,
        "this test needs {want} open files; the limit is {now} (raise it: ulimit -Hn {want})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_tricklers_do_not_stop_a_resident() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const TRICKLERS: usize = 2000;
    raise_fd_limit(3 * TRICKLERS as u64 + 512);
    let w = start_window(Limits::default(), None).await;
    let target: SocketAddr = w.server.local_addr();
    let stop = Arc::new(tokio::sync::Notify::new());
    let connected = Arc::new(AtomicUsize::new(0));
    let mut tricklers = Vec::new();
    for _ in 0..TRICKLERS {
        let (stop, connected) = (stop.clone(), connected.clone());
        tricklers.push(tokio::spawn(async move {
            // Connect, announce a 16 KiB TLS handshake record, then send it one byte every
            // 500 ms, for ever; reconnect when the window closes the connection.
            loop {
                let sock = tokio::net::TcpSocket::new_v4().unwrap();
                sock.bind(SocketAddr::new(ABUSER, 0)).unwrap();
                let Ok(mut s) = sock.connect(target).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                connected.fetch_add(1, Ordering::Relaxed);
                if s.write_all(&[0x16, 0x03, 0x01, 0x40, 0x00]).await.is_err() {
                    continue;
                }
                let mut buf = [0u8; 64];
                loop {
                    tokio::select! {
                        _ = stop.notified() => return,
                        _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                    }
                    if s.write_all(&[0x01]).await.is_err() {
                        break;
                    }
                    // A closed connection reads 0 (or fails) at once; an open one has nothing.
                    match tokio::time::timeout(Duration::from_millis(1), s.read(&mut buf)).await {
                        Ok(Ok(0)) | Ok(Err(_)) => break,
                        _ => {}
                    }
                }
            }
        }));
    }
    // Let the tricklers take what they can.
    let since = std::time::Instant::now();
    while connected.load(Ordering::Relaxed) < TRICKLERS {
        assert!(
            since.elapsed() < Duration::from_secs(120),
            "only {} tricklers could connect",
            connected.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Shorter than the window's read timeouts (10 s): waiting for tricklers to time out is
    // not good enough, the resident must get in while they are all still there.
    let h = holder(0xA101);
    for p in [Procedure::ValidityCheck, Procedure::Revocation] {
        let a = tokio::time::timeout(Duration::from_secs(5), w.run(&h, p))
            .await
            .expect("the resident is answered within the deadline");
        assert!(
            matches!(a.answer.outcome, Outcome::Valid | Outcome::Accepted),
            "{}",
            a.body
        );
    }
    stop.notify_waiters();
    for t in tricklers {
        t.abort();
    }
    eprintln!(
        "tricklers: {} connections opened by 2,000 tricklers",
        connected.load(Ordering::Relaxed)
    );
    w.server.shutdown().await;
}
