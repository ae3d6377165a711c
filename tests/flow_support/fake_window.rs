//! A scripted online window for the answers the reference window does not
//! give to a correct client (service errors, malformed-request and
//! signature refusals, lost connections), and for the TLS negatives: HTTP/1.1
//! over rustls on 127.0.0.1, recording everything that arrives.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the window does with the next submission.
#[derive(Clone, Debug)]
pub enum Scripted {
    /// Answer with this status and JSON body.
    Answer { status: u16, body: String },
    /// Read the whole request, then close the connection unanswered.
    CloseAfterReading,
    /// Answer 200 with a chunked body that never ends (until the client
    /// goes).
    Endless,
    /// Answer 200 announcing 1,000 bytes, then send one byte every `every`
    /// (never enough for a per-read timeout, never finished).
    Trickle { every: std::time::Duration },
}

impl Scripted {
    /// An answer with `outcome` (and its HTTP status).
    pub fn outcome(outcome: madoguchi_pki::wire::Outcome) -> Scripted {
        let mut a = madoguchi_pki::wire::OutcomeAnswer::new(outcome, "2026-11-21T05:40:00Z");
        if outcome.is_result() {
            a.receipt_id = Some("FAKE-0001".into());
        }
        Scripted::Answer {
            status: outcome.http_status(),
            body: serde_json::to_string(&a).unwrap(),
        }
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Scripted>,
    /// (path, body) of every complete request.
    received: Vec<(String, Vec<u8>)>,
    tcp_connections: usize,
    handshakes: usize,
    plaintext_bytes: usize,
    /// Answer bytes written by `Endless` / `Trickle` before the client left.
    streamed: usize,
    /// Streams that ended because the client closed the connection.
    streams_cut: usize,
}

/// The running fake. Stops when dropped.
pub struct FakeWindow {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl FakeWindow {
    /// Serve with the fixture TLS certificate `certificate` (`server`,
    /// `server-expired`, `server-wrong-host`, `server-untrusted`).
    pub fn start(certificate: &str, script: Vec<Scripted>) -> FakeWindow {
        let pki = super::pki_dir();
        let mut tls = (*madoguchi_server::material::tls_server_config(
            &pki.join(format!("{certificate}.pem")),
            &pki.join(format!("{certificate}-key.pem")),
        )
        .unwrap())
        .clone();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            ..State::default()
        }));
        let st = state.clone();
        runtime.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                st.lock().unwrap().tcp_connections += 1;
                let acceptor = acceptor.clone();
                let st = st.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    st.lock().unwrap().handshakes += 1;
                    serve(&mut tls, &st).await;
                });
            }
        });
        FakeWindow {
            runtime: Some(runtime),
            addr,
            state,
        }
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    /// Bodies of the submissions received, in order.
    pub fn submissions(&self) -> Vec<Vec<u8>> {
        self.state
            .lock()
            .unwrap()
            .received
            .iter()
            .filter(|(p, _)| p != "/v1/challenges")
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// Challenge requests received.
    pub fn challenges(&self) -> usize {
        self.state
            .lock()
            .unwrap()
            .received
            .iter()
            .filter(|(p, _)| p == "/v1/challenges")
            .count()
    }

    /// TLS handshakes completed.
    pub fn handshakes(&self) -> usize {
        self.state.lock().unwrap().handshakes
    }

    /// TCP connections accepted.
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().tcp_connections
    }

    /// (bytes streamed, streams the client cut off) of `Endless` and
    /// `Trickle` answers.
    pub fn streamed(&self) -> (usize, usize) {
        let g = self.state.lock().unwrap();
        (g.streamed, g.streams_cut)
    }

    /// Decrypted bytes received (request heads and bodies).
    pub fn plaintext_bytes(&self) -> usize {
        self.state.lock().unwrap().plaintext_bytes
    }
}

impl Drop for FakeWindow {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn serve<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    s: &mut S,
    st: &Arc<Mutex<State>>,
) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // Head.
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    st.lock().unwrap().plaintext_bytes += n;
                    buf.extend_from_slice(&chunk[..n]);
                }
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let path = head
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("")
            .to_owned();
        let length = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    st.lock().unwrap().plaintext_bytes += n;
                    buf.extend_from_slice(&chunk[..n]);
                }
            }
        }
        let body = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        let reply = {
            let mut g = st.lock().unwrap();
            g.received.push((path.clone(), body));
            if path == "/v1/challenges" {
                let n = g.received.len();
                let challenge = format!("fakechallenge{n:0>20}");
                Scripted::Answer {
                    status: 200,
                    body: format!(
                        "{{\"challenge\":\"{challenge}\",\"expires_at\":\"2099-01-01T00:00:00Z\"}}"
                    ),
                }
            } else {
                g.script
                    .pop_front()
                    .unwrap_or_else(|| Scripted::outcome(madoguchi_pki::wire::Outcome::Accepted))
            }
        };
        match reply {
            Scripted::CloseAfterReading => return,
            Scripted::Endless => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if s.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let piece = format!("4000\r\n{}\r\n", " ".repeat(0x4000));
                loop {
                    if s.write_all(piece.as_bytes()).await.is_err() || s.flush().await.is_err() {
                        st.lock().unwrap().streams_cut += 1;
                        return;
                    }
                    st.lock().unwrap().streamed += 0x4000;
                }
            }
            Scripted::Trickle { every } => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{";
                if s.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    let _ = s.flush().await;
                    tokio::time::sleep(every).await;
                    if s.write_all(b" ").await.is_err() || s.flush().await.is_err() {
                        st.lock().unwrap().streams_cut += 1;
                        return;
                    }
                    st.lock().unwrap().streamed += 1;
                }
            }
            Scripted::Answer { status, body } => {
                let text = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{}\r\n{body}",
                    body.len(),
                    if status == 503 {
                        "retry-after: 1\r\n"
                    } else {
                        ""
                    }
                );
                if s.write_all(text.as_bytes()).await.is_err() {
                    return;
                }
                let _ = s.flush().await;
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
