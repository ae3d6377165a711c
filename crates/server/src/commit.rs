//! The group committer: one thread owns the [`Store`]; submissions queue up while it writes,
//! and each round takes everything queued (up to `max_commit_batch`) into one transaction and
//! one commit (one fsync of the SQLite WAL). Nobody is answered before that commit returned, so
//! an `accepted` answer is always durable, and concurrent revocations share the fsync.
//!
//! Deciding happens here too, inside the transaction, so that two concurrent revocations of the
//! same certificate cannot both be accepted.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use madoguchi_pki::request::{CertificateRef, Procedure, RequestDocument};
use madoguchi_pki::wire::{Outcome, OutcomeAnswer};
use tokio::sync::{mpsc, oneshot};

use crate::challenge::ChallengeBook;
use crate::clock::rfc3339;
use crate::store::{CrlRecord, NewRecord, Store, StoreError, Transaction};

/// A request that passed every check up to the challenge.
#[derive(Clone, Debug)]
pub struct Submission {
    /// The procedure.
    pub procedure: Procedure,
    /// The parsed document.
    pub document: RequestDocument,
    /// Its bytes.
    pub document_bytes: Vec<u8>,
    /// SHA-256 of the document: the idempotency key.
    pub document_hash: [u8; 32],
    /// DER of the certificate's issuer name.
    pub issuer_der: Vec<u8>,
    /// The signed request as received.
    pub cms: Vec<u8>,
    /// When it was received.
    pub received_at: SystemTime,
}

/// The answer: outcome and the exact JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The outcome.
    pub outcome: Outcome,
    /// The JSON body.
    pub body: String,
}

enum Job {
    Submit(Box<Submission>, oneshot::Sender<Decision>),
    LatestCrl(
        Option<Vec<u8>>,
        oneshot::Sender<Result<Option<CrlRecord>, String>>,
    ),
}

/// Handle to the committer thread.
#[derive(Clone)]
pub struct Committer {
    tx: mpsc::UnboundedSender<Job>,
}

/// The committer's thread; joins when every [`Committer`] handle is gone.
pub struct CommitterThread(std::thread::JoinHandle<()>);

impl CommitterThread {
    /// Waits for the thread to drain and stop.
    pub fn join(self) {
        let _ = self.0.join();
    }
}

impl Committer {
    /// Starts the thread.
    pub fn start(
        store: Box<dyn Store>,
        challenges: Arc<Mutex<ChallengeBook>>,
        max_batch: usize,
    ) -> (Committer, CommitterThread) {
        let (tx, rx) = mpsc::unbounded_channel();
        let handle = std::thread::Builder::new()
            .name("madoguchi-commit".into())
            .spawn(move || run(store, rx, challenges, max_batch.max(1)))
            .expect("spawn committer thread");
        (Committer { tx }, CommitterThread(handle))
    }

    /// Decides and records a submission; answers after the commit.
    pub async fn submit(&self, s: Submission) -> Decision {
        let now = rfc3339(s.received_at);
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Job::Submit(Box::new(s), reply)).is_err() {
            return service_error(&now, "the window is shutting down");
        }
        rx.await
            .unwrap_or_else(|_| service_error(&now, "the committer stopped"))
    }

    /// The latest CRL (of `issuer` when given).
    pub async fn latest_crl(&self, issuer: Option<Vec<u8>>) -> Result<Option<CrlRecord>, String> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job::LatestCrl(issuer, reply))
            .map_err(|_| "the window is shutting down".to_string())?;
        rx.await.map_err(|_| "the committer stopped".to_string())?
    }
}

/// A `service_error` answer.
pub fn service_error(now: &str, detail: &str) -> Decision {
    let answer = OutcomeAnswer::new(Outcome::ServiceError, now).with_detail(detail);
    Decision {
        outcome: Outcome::ServiceError,
        body: serde_json::to_string(&answer).expect("answer serialises"),
    }
}

fn run(
    mut store: Box<dyn Store>,
    mut rx: mpsc::UnboundedReceiver<Job>,
    challenges: Arc<Mutex<ChallengeBook>>,
    max_batch: usize,
) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Submit(s, reply) => batch.push((s, reply)),
                Job::LatestCrl(issuer, reply) => {
                    let _ = reply.send(
                        store
                            .latest_crl(issuer.as_deref())
                            .map_err(|e| e.to_string()),
                    );
                }
            }
            if batch.len() < max_batch {
                next = rx.try_recv().ok();
            }
        }
        if batch.is_empty() {
            continue;
        }
        let decisions = commit_batch(store.as_mut(), &challenges, &batch);
        match decisions {
            Ok(decisions) => {
                for ((_, reply), d) in batch.into_iter().zip(decisions) {
                    let _ = reply.send(d);
                }
            }
            Err(e) => {
                tracing::error!("commit failed: {e}");
                for (s, reply) in batch {
                    let _ = reply.send(service_error(
                        &rfc3339(s.received_at),
                        "the request could not be recorded",
                    ));
                }
            }
        }
    }
}

fn commit_batch(
    store: &mut dyn Store,
    challenges: &Mutex<ChallengeBook>,
    batch: &[(Box<Submission>, oneshot::Sender<Decision>)],
) -> Result<Vec<Decision>, StoreError> {
    let mut tx = store.transaction()?;
    let mut out = Vec::with_capacity(batch.len());
    for (s, _) in batch {
        out.push(decide(tx.as_mut(), challenges, s)?);
    }
    tx.commit()?;
    Ok(out)
}

fn outcome_of(body: &str) -> Outcome {
    serde_json::from_str::<OutcomeAnswer>(body)
        .map(|a| a.outcome)
        .unwrap_or(Outcome::ServiceError)
}

/// The receipt id of a document: `R` + date + 16 hex digits of its hash.
pub fn receipt_id(hash: &[u8; 32], at: SystemTime) -> String {
    let t = time::OffsetDateTime::from(at);
    format!(
        "R{:04}{:02}{:02}-{}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        hex::encode(&hash[..8])
    )
}

fn decide(
    tx: &mut dyn Transaction,
    challenges: &Mutex<ChallengeBook>,
    s: &Submission,
) -> Result<Decision, StoreError> {
    // 1. The same document again: the same answer, no new record.
    if let Some(body) = tx.answer_for(&s.document_hash)? {
        return Ok(Decision {
            outcome: outcome_of(&body),
            body,
        });
    }
    let now = rfc3339(s.received_at);
    let cert: CertificateRef = s.document.certificate.clone();
    let mut answer = OutcomeAnswer::new(Outcome::ServiceError, now.clone());
    answer.procedure = Some(s.procedure);
    answer.certificate = Some(cert.clone());

    // 2. The challenge.
    let consumed = challenges
        .lock()
        .map_err(|_| StoreError::Other("challenge book poisoned".into()))?
        .consume(&s.document.challenge, &s.document_hash, s.received_at);
    if let Err(problem) = consumed {
        answer.outcome = Outcome::ChallengeInvalid;
        answer.detail = Some(problem.detail().into());
        return Ok(Decision {
            outcome: Outcome::ChallengeInvalid,
            body: serde_json::to_string(&answer).expect("answer serialises"),
        });
    }

    // 3. The status: CRL first, then accepted revocations.
    let on_crl = tx.crl_revocation(&s.issuer_der, &cert.serial)?;
    let accepted = if on_crl.is_none() {
        tx.accepted_revocation(&s.issuer_der, &cert.serial)?
    } else {
        None
    };
    let receipt = receipt_id(&s.document_hash, s.received_at);
    answer.receipt_id = Some(receipt.clone());
    answer.outcome = match (s.procedure, &on_crl, &accepted) {
        (Procedure::Revocation, Some(_), _) => Outcome::AlreadyRevoked,
        (Procedure::Revocation, None, Some(_)) => Outcome::DuplicateRequest,
        (Procedure::Revocation, None, None) => Outcome::Accepted,
        (Procedure::ValidityCheck, Some(_), _) => Outcome::Revoked,
        (Procedure::ValidityCheck, None, Some(_)) => Outcome::RevocationAccepted,
        (Procedure::ValidityCheck, None, None) => Outcome::Valid,
    };
    answer.revoked_at = on_crl;
    match (&accepted, answer.outcome) {
        (Some(a), _) => {
            answer.accepted_receipt_id = Some(a.receipt_id.clone());
            answer.accepted_at = Some(a.accepted_at.clone());
        }
        (None, Outcome::Accepted) => answer.accepted_at = Some(now.clone()),
        _ => {}
    }
    let body = serde_json::to_string(&answer).expect("answer serialises");
    let issuer_text = &cert.issuer;
    tx.insert_request(&NewRecord {
        receipt_id: &receipt,
        request_hash: &s.document_hash,
        procedure: s.procedure.as_str(),
        outcome: answer.outcome.as_str(),
        issuer_der: &s.issuer_der,
        issuer_text,
        serial: &cert.serial,
        holder_name: &s.document.holder.name,
        received_at: &now,
        answer_json: &body,
        document: &s.document_bytes,
        cms: &s.cms,
    })?;
    Ok(Decision {
        outcome: answer.outcome,
        body,
    })
}
