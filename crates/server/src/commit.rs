//! The group committer: one thread owns the [`Store`]; submissions queue up while it writes,
//! and each round takes everything queued (up to `max_commit_batch`) into one transaction and
//! one commit (one fsync of the SQLite WAL). No revocation is answered before that commit
//! returned, so an `accepted` answer is always durable, and concurrent revocations share the
//! fsync. Validity checks acknowledge nothing: they are decided first in the batch, from the
//! committed state, committed without waiting for the fsync, and answered then (see
//! [`commit_batch`]).
//!
//! Deciding happens here too, inside the transaction, so that two concurrent revocations of the
//! same certificate cannot both be accepted. A batch is first decided straight through; if
//! anything fails, it is rolled back and decided again with each submission inside a savepoint
//! of its own: one that fails in the store is rolled back and answered `service_error` alone,
//! and the others of its batch are committed. One that lost a race with another window instance
//! on the same database (a unique key taken meanwhile) is decided again from its savepoint, and
//! then sees the winner's record.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use madoguchi_pki::request::{Procedure, RequestDocument};
use madoguchi_pki::wire::{Outcome, OutcomeAnswer};
use tokio::sync::{mpsc, oneshot};

use crate::challenge::{ChallengeProblem, Ticket};
use crate::clock::rfc3339;
use crate::store::{
    CrlRecord, Lookup, LookupKey, NewRecord, Recorded, Store, StoreError, Transaction,
};

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
    /// The challenge the document carries, read from it before any check (`None` when it
    /// is not one this window could have issued): the key its record is found by.
    pub challenge_key: Option<Ticket>,
    /// The challenge's MAC and expiry verdict (set by the route; single use is decided here).
    pub challenge: Result<Ticket, ChallengeProblem>,
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
    checking: Arc<AtomicUsize>,
}

/// A submission being checked (checks 1–4), counted from before its checks until it is queued
/// or refused. The committer waits a little for these before it commits (see [`run`]).
#[must_use]
pub struct Checking(Arc<AtomicUsize>);

impl Drop for Checking {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A queued submission's answer, to wait for.
pub struct Pending {
    received_at: SystemTime,
    rx: Option<oneshot::Receiver<Decision>>,
}

impl Pending {
    /// The decision, once its commit returned.
    pub async fn answer(self) -> Decision {
        let now = rfc3339(self.received_at);
        match self.rx {
            None => service_error(&now, "the window is shutting down"),
            Some(rx) => rx
                .await
                .unwrap_or_else(|_| service_error(&now, "the committer stopped")),
        }
    }
}

/// How long a commit waits at most for submissions still being checked.
const GATHER: Duration = Duration::from_micros(2000);
/// How often it looks for them meanwhile: every look is a wake-up and a switch of the
/// core between the committer and the checks, so it looks every 100 µs, not every 50 µs
/// (a fifth fewer context switches under load, equally full commits: docs/benchmarks.md).
const GATHER_STEP: Duration = Duration::from_micros(100);
/// How many looks in a row that find nothing new and nothing being checked end the wait.
const QUIET_STEPS: u32 = 3;

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
    pub fn start(store: Box<dyn Store>, max_batch: usize) -> (Committer, CommitterThread) {
        Committer::start_gathering(store, max_batch, GATHER)
    }

    /// Starts the thread; a commit waits at most `gather` for submissions being checked.
    pub fn start_gathering(
        store: Box<dyn Store>,
        max_batch: usize,
        gather: Duration,
    ) -> (Committer, CommitterThread) {
        let (tx, rx) = mpsc::unbounded_channel();
        let checking = Arc::new(AtomicUsize::new(0));
        let counted = checking.clone();
        let handle = std::thread::Builder::new()
            .name("madoguchi-commit".into())
            .spawn(move || run(store, rx, max_batch.max(1), &counted, gather))
            .expect("spawn committer thread");
        (Committer { tx, checking }, CommitterThread(handle))
    }

    /// Counts a submission in while its checks run (drop it, or give it to
    /// [`Committer::enqueue`], to count it out).
    pub fn checking(&self) -> Checking {
        self.checking.fetch_add(1, Ordering::AcqRel);
        Checking(self.checking.clone())
    }

    /// Queues a checked submission for deciding and recording, and counts it out of the
    /// ones being checked.
    pub fn enqueue(&self, s: Submission, checked: Checking) -> Pending {
        let received_at = s.received_at;
        let (reply, rx) = oneshot::channel();
        let rx = self
            .tx
            .send(Job::Submit(Box::new(s), reply))
            .ok()
            .map(|_| rx);
        drop(checked);
        Pending { received_at, rx }
    }

    /// Decides and records a submission; answers after the commit.
    pub async fn submit(&self, s: Submission, checked: Checking) -> Decision {
        self.enqueue(s, checked).answer().await
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

/// Times a submission that lost a race is decided again before it gets `service_error`.
const CONFLICT_RETRIES: usize = 3;

type Queued = (Box<Submission>, Option<oneshot::Sender<Decision>>);

/// Takes what is queued, up to `max_batch` submissions.
fn drain(
    batch: &mut Vec<Queued>,
    rx: &mut mpsc::UnboundedReceiver<Job>,
    store: &mut dyn Store,
    max_batch: usize,
) {
    while batch.len() < max_batch {
        match rx.try_recv() {
            Ok(job) => take(job, batch, store),
            Err(_) => break,
        }
    }
}

/// Takes one job: a submission into the batch; a CRL question is answered at once.
fn take(job: Job, batch: &mut Vec<Queued>, store: &mut dyn Store) {
    match job {
        Job::Submit(s, reply) => batch.push((s, Some(reply))),
        Job::LatestCrl(issuer, reply) => {
            let _ = reply.send(
                store
                    .latest_crl(issuer.as_deref())
                    .map_err(|e| e.to_string()),
            );
        }
    }
}

/// The committer's loop. A round takes everything queued; then, if a submission is being
/// checked, it keeps gathering, at most `gather`, for as long as submissions keep arriving or
/// being checked (it stops after `QUIET_STEPS` looks in a row that find neither), so that they
/// share this commit instead of each paying for one more: each commit writes its pages again
/// (the table's last page, the index pages, the header) whatever the number of records in
/// it. On one core the committer and the checks take turns, so a look often falls between
/// two checks; stopping at the first such look gave commits of 4.7 submissions on average
/// under load, waiting for quiet gives 14–15 (docs/benchmarks.md). With nothing being checked,
/// nothing waits.
fn run(
    mut store: Box<dyn Store>,
    mut rx: mpsc::UnboundedReceiver<Job>,
    max_batch: usize,
    checking: &AtomicUsize,
    gather: Duration,
) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = Vec::new();
        take(first, &mut batch, store.as_mut());
        drain(&mut batch, &mut rx, store.as_mut(), max_batch);
        let until = Instant::now() + gather;
        // Quiet steps in a row: nothing arrived and nothing was being checked.
        let mut quiet = if checking.load(Ordering::Acquire) > 0 {
            0
        } else {
            QUIET_STEPS
        };
        while !batch.is_empty()
            && batch.len() < max_batch
            && quiet < QUIET_STEPS
            && Instant::now() < until
        {
            std::thread::sleep(GATHER_STEP.min(gather));
            let before = batch.len();
            drain(&mut batch, &mut rx, store.as_mut(), max_batch);
            if batch.len() > before || checking.load(Ordering::Acquire) > 0 {
                quiet = 0;
            } else {
                quiet += 1;
            }
        }
        if batch.is_empty() {
            continue;
        }
        let (owned, mut replies): (Vec<Box<Submission>>, Vec<Option<oneshot::Sender<Decision>>>) =
            batch.into_iter().unzip();
        let submissions: Vec<&Submission> = owned.iter().map(|s| s.as_ref()).collect();
        let decisions = commit_batch(store.as_mut(), &submissions, &mut |i, d| {
            if let Some(r) = replies[i].take() {
                let _ = r.send(d);
            }
        });
        match decisions {
            Ok(decisions) => {
                for (reply, d) in replies.into_iter().zip(decisions) {
                    if let (Some(r), Some(d)) = (reply, d) {
                        let _ = r.send(d);
                    }
                }
            }
            Err(e) => {
                tracing::error!("commit failed: {e}");
                for (s, reply) in submissions.iter().zip(replies) {
                    if let Some(r) = reply {
                        let _ = r.send(service_error(
                            &rfc3339(s.received_at),
                            "the request could not be recorded",
                        ));
                    }
                }
            }
        }
    }
}

/// Decides and records a batch; one submission that fails in the store fails alone (see
/// [`decide_batch`]).
///
/// The batch's validity checks go first, in a transaction of their own that is committed
/// without waiting for durability (`Store::lazy_transaction`), and are handed to
/// `answer_now` as soon as that commit returned: they read the committed state (no revocation
/// of this batch is written yet), their records are visible before their answers leave, and
/// their answers promise nothing durable — they say what the records held at that moment
/// (manual 3.1.9: 「現時点において失効記録に記載されておらず」). A crash can lose those audit
/// records, never an acknowledgement. Revocations follow in a durable transaction and are
/// answered (`Ok` entries) only after its commit; `None` marks the submissions already
/// answered. `Err`: a transaction as a whole could not be started or committed, and nothing
/// of the batch not yet answered is promised recorded.
pub fn commit_batch(
    store: &mut dyn Store,
    batch: &[&Submission],
    answer_now: &mut dyn FnMut(usize, Decision),
) -> Result<Vec<Option<Decision>>, StoreError> {
    let is_check = |s: &Submission| s.procedure == Procedure::ValidityCheck;
    if batch.iter().any(|s| is_check(s)) {
        for (i, d) in decide_batch(store, batch, &is_check, Durability::Lazy)? {
            answer_now(i, d);
        }
    }
    let mut out: Vec<Option<Decision>> = vec![None; batch.len()];
    if batch.iter().any(|s| !is_check(s)) {
        for (i, d) in decide_batch(store, batch, &|s| !is_check(s), Durability::Durable)? {
            out[i] = Some(d);
        }
    }
    Ok(out)
}

/// Which commit a transaction of [`decide_batch`] ends with.
#[derive(Clone, Copy)]
enum Durability {
    /// [`Store::lazy_transaction`]: visible at its commit, durable with the next durable one.
    Lazy,
    /// [`Store::transaction`]: durable at its commit.
    Durable,
}

fn begin(store: &mut dyn Store, d: Durability) -> Result<Box<dyn Transaction + '_>, StoreError> {
    match d {
        Durability::Lazy => store.lazy_transaction(),
        Durability::Durable => store.transaction(),
    }
}

/// Decides and records the submissions of `batch` that `pick` chooses, in one transaction,
/// and commits it: their decisions, by index in `batch`.
///
/// The first attempt uses no savepoint: nearly every batch records all its submissions, and
/// a savepoint per submission costs statements (in PostgreSQL a round trip and a
/// subtransaction each; past 64 subtransactions in one transaction, PostgreSQL's snapshots
/// overflow to `pg_subtrans` for every session). When no record can change another's
/// lookup ([`independent`]), all are looked up at once, then all recorded at once (in
/// PostgreSQL one statement each for the whole batch); otherwise one after the other. If
/// anything fails in the store, that transaction is rolled back whole and the batch decided
/// again with a savepoint per submission ([`decide_alone`]), so that the one that fails fails
/// alone and a race lost to another instance is decided again.
fn decide_batch(
    store: &mut dyn Store,
    batch: &[&Submission],
    pick: &dyn Fn(&Submission) -> bool,
    durability: Durability,
) -> Result<Vec<(usize, Decision)>, StoreError> {
    let picked: Vec<(usize, &Submission)> = batch
        .iter()
        .enumerate()
        .filter(|(_, s)| pick(s))
        .map(|(i, s)| (i, *s))
        .collect();
    {
        let mut tx = begin(store, durability)?;
        let decided = if independent(&picked) {
            decide_together(tx.as_mut(), &picked)
        } else {
            picked
                .iter()
                .map(|(i, s)| Ok((*i, decide(tx.as_mut(), s)?)))
                .collect()
        };
        match decided {
            Ok(decided) => {
                tx.commit()?;
                return Ok(decided);
            }
            // Dropping the transaction rolls it back.
            Err(e) => tracing::debug!("a batch is decided again, submission by submission: {e}"),
        }
    }
    let mut tx = begin(store, durability)?;
    let mut decided = Vec::new();
    for (i, s) in picked {
        decided.push((i, decide_alone(tx.as_mut(), s)?));
    }
    tx.commit()?;
    Ok(decided)
}

/// One submission inside its savepoint. A store failure of this submission is answered
/// `service_error` and undone; only a failure of the savepoint machinery itself (the
/// connection is gone) fails the batch.
fn decide_alone(tx: &mut dyn Transaction, s: &Submission) -> Result<Decision, StoreError> {
    let mut attempt = 0;
    loop {
        tx.savepoint()?;
        match decide(tx, s) {
            Ok(d) => {
                tx.release_savepoint()?;
                return Ok(d);
            }
            Err(e) => {
                tx.rollback_to_savepoint()?;
                attempt += 1;
                if e.is_conflict() && attempt < CONFLICT_RETRIES {
                    continue;
                }
                tracing::error!("a submission could not be recorded: {e}");
                return Ok(service_error(
                    &rfc3339(s.received_at),
                    "the request could not be recorded",
                ));
            }
        }
    }
}

fn outcome_of(body: &str) -> Outcome {
    serde_json::from_str::<OutcomeAnswer>(body)
        .map(|a| a.outcome)
        .unwrap_or(Outcome::ServiceError)
}

/// The receipt id of a document: `R` + date + the 64 hex digits of its SHA-256. The whole
/// hash, so that two documents can only share a receipt by being the same document (whose
/// second sending gets the first answer): a receipt cannot be made to collide.
pub fn receipt_id(hash: &[u8; 32], at: SystemTime) -> String {
    let t = time::OffsetDateTime::from(at);
    format!(
        "R{:04}{:02}{:02}-{}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        hex::encode(hash)
    )
}

fn decide(tx: &mut dyn Transaction, s: &Submission) -> Result<Decision, StoreError> {
    let key = lookup_key(s);
    let found = tx.lookup(key.request_hash, key.challenge, key.issuer_der, key.serial)?;
    let decided = decide_from(s, found);
    if let Some(r) = &decided.record {
        tx.insert_request(&r.new_record(s, &decided.decision.body))?;
    }
    Ok(decided.decision)
}

/// Decides submissions whose records cannot change each other's reads ([`independent`]):
/// every lookup first, then every record, each in one call to the store.
fn decide_together(
    tx: &mut dyn Transaction,
    picked: &[(usize, &Submission)],
) -> Result<Vec<(usize, Decision)>, StoreError> {
    let keys: Vec<LookupKey<'_>> = picked.iter().map(|(_, s)| lookup_key(s)).collect();
    let found = tx.lookup_many(&keys)?;
    if found.len() != picked.len() {
        return Err(StoreError::Other(
            "the store answered another number of lookups".into(),
        ));
    }
    let decided: Vec<Decided> = picked
        .iter()
        .zip(found)
        .map(|((_, s), f)| decide_from(s, f))
        .collect();
    let records: Vec<NewRecord<'_>> = picked
        .iter()
        .zip(&decided)
        .filter_map(|((_, s), d)| Some(d.record.as_ref()?.new_record(s, &d.decision.body)))
        .collect();
    tx.insert_requests(&records)?;
    Ok(picked
        .iter()
        .zip(decided)
        .map(|((i, _), d)| (*i, d.decision))
        .collect())
}

/// True when no submission's record can change what another's lookup reads: no two share a
/// challenge or a document, and a revocation's certificate is no other's (only a revocation's
/// record can be the accepted revocation another one finds). Then they can all be looked up
/// before any is recorded.
fn independent(picked: &[(usize, &Submission)]) -> bool {
    let certificate =
        |s: &Submission| (s.issuer_der.clone(), s.document.certificate.serial.clone());
    let revoked: HashSet<_> = picked
        .iter()
        .filter(|(_, s)| s.procedure == Procedure::Revocation)
        .map(|(_, s)| certificate(s))
        .collect();
    let mut challenges = HashSet::new();
    let mut documents = HashSet::new();
    let mut certificates = HashSet::new();
    picked.iter().all(|(_, s)| {
        let own: HashSet<&Ticket> = s
            .challenge_key
            .iter()
            .chain(s.challenge.as_ref().ok())
            .collect();
        let c = certificate(s);
        own.into_iter().all(|t| challenges.insert(*t))
            && documents.insert(s.document_hash)
            && (!revoked.contains(&c) || certificates.insert(c))
    })
}

fn lookup_key(s: &Submission) -> LookupKey<'_> {
    LookupKey {
        request_hash: &s.document_hash,
        challenge: s.challenge_key.as_ref(),
        issuer_der: &s.issuer_der,
        serial: &s.document.certificate.serial,
    }
}

/// A submission decided from what its lookup read: the answer, and the record to write
/// (none when the answer is the one already on record, or the challenge is refused).
struct Decided {
    decision: Decision,
    record: Option<Record>,
}

/// What a new record holds besides the submission and its answer.
struct Record {
    receipt: String,
    received_at: String,
    outcome: Outcome,
    challenge: Ticket,
}

impl Record {
    fn new_record<'a>(&'a self, s: &'a Submission, answer_json: &'a str) -> NewRecord<'a> {
        NewRecord {
            receipt_id: &self.receipt,
            request_hash: &s.document_hash,
            challenge: self.challenge,
            procedure: s.procedure.as_str(),
            outcome: self.outcome.as_str(),
            issuer_der: &s.issuer_der,
            issuer_text: &s.document.certificate.issuer,
            serial: &s.document.certificate.serial,
            holder_name: &s.document.holder.name,
            received_at: &self.received_at,
            answer_json,
            document: &s.document_bytes,
            // The signed envelope is the resident's proof of a revocation request and is kept;
            // a validity check keeps its document and answer only (a quarter of the bytes: the
            // envelope carries the certificate), which is most of its record's cost.
            cms: match s.procedure {
                Procedure::Revocation => &s.cms,
                Procedure::ValidityCheck => &[],
            },
        }
    }
}

fn decide_from(s: &Submission, found: Lookup) -> Decided {
    // 1. The same document again: the same answer, no new record, even once its challenge
    // expired. (What its challenge holds and the status, step 3, are read at the same time;
    // a race lost to another instance ends at a unique key.)
    let spent = match found.recorded {
        Recorded::Answer(body) => {
            return Decided {
                decision: Decision {
                    outcome: outcome_of(&body),
                    body,
                },
                record: None,
            };
        }
        Recorded::OtherDocument => true,
        Recorded::Nothing => false,
    };
    let now = rfc3339(s.received_at);
    let mut answer = OutcomeAnswer::new(Outcome::ServiceError, now.clone());
    answer.procedure = Some(s.procedure);
    answer.certificate = Some(s.document.certificate.clone());

    // 2. The challenge: MAC and expiry were checked by the route; single use is the
    // database's (the record's unique key on the expiry and nonce, both under the MAC).
    let ticket = match (&s.challenge, spent) {
        (Err(p), _) => Err(*p),
        (Ok(_), true) => Err(ChallengeProblem::Used),
        (Ok(t), false) => Ok(*t),
    };
    let ticket = match ticket {
        Ok(t) => t,
        Err(problem) => {
            answer.outcome = Outcome::ChallengeInvalid;
            answer.detail = Some(problem.detail().into());
            return Decided {
                decision: Decision {
                    outcome: Outcome::ChallengeInvalid,
                    body: serde_json::to_string(&answer).expect("answer serialises"),
                },
                record: None,
            };
        }
    };

    // 3. The status: CRL first, then accepted revocations.
    let on_crl = found.on_crl;
    let accepted = found.accepted;
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
    let outcome = answer.outcome;
    Decided {
        decision: Decision { outcome, body },
        record: Some(Record {
            receipt,
            received_at: now,
            outcome,
            challenge: ticket,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{
        AcceptedRevocation, HeldCrl, NewCrl, RequestRecord, SqliteStore, Store, StoreError,
    };
    use crate::testkit::TestHolder;

    /// SQLite, except that recording a request for serial `bad` fails (a full disk, a
    /// constraint the window did not expect): the failure to inject; and whether durable
    /// commits fail; and counts of the transactions started and of the savepoints made.
    struct FailOne(SqliteStore, bool, Arc<AtomicUsize>, Arc<AtomicUsize>);

    fn fail_one(fail_commit: bool) -> FailOne {
        let started = Arc::new(AtomicUsize::new(0));
        let savepoints = Arc::new(AtomicUsize::new(0));
        FailOne(
            SqliteStore::open_in_memory().unwrap(),
            fail_commit,
            started,
            savepoints,
        )
    }
    /// The transaction, whether its commit fails (the disk fills up at the fsync), and the
    /// count of savepoints.
    struct FailOneTx<'a>(Box<dyn Transaction + 'a>, bool, Arc<AtomicUsize>);

    impl Transaction for FailOneTx<'_> {
        fn recorded(&mut self, h: &[u8; 32], c: Option<&Ticket>) -> Result<Recorded, StoreError> {
            self.0.recorded(h, c)
        }
        fn crl_revocation(&mut self, i: &[u8], s: &str) -> Result<Option<String>, StoreError> {
            self.0.crl_revocation(i, s)
        }
        fn accepted_revocation(
            &mut self,
            i: &[u8],
            s: &str,
        ) -> Result<Option<AcceptedRevocation>, StoreError> {
            self.0.accepted_revocation(i, s)
        }
        fn insert_request(&mut self, r: &NewRecord<'_>) -> Result<(), StoreError> {
            if r.serial == "BAD" {
                return Err(StoreError::Other("injected failure".into()));
            }
            self.0.insert_request(r)
        }
        fn accepted_revocations(
            &mut self,
            i: &[u8],
        ) -> Result<Vec<AcceptedRevocation>, StoreError> {
            self.0.accepted_revocations(i)
        }
        fn latest_crl_entries(&mut self, i: &[u8]) -> Result<Option<HeldCrl>, StoreError> {
            self.0.latest_crl_entries(i)
        }
        fn insert_crl(&mut self, c: &NewCrl<'_>) -> Result<(), StoreError> {
            self.0.insert_crl(c)
        }
        fn savepoint(&mut self) -> Result<(), StoreError> {
            self.2.fetch_add(1, Ordering::SeqCst);
            self.0.savepoint()
        }
        fn release_savepoint(&mut self) -> Result<(), StoreError> {
            self.0.release_savepoint()
        }
        fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
            self.0.rollback_to_savepoint()
        }
        fn commit(self: Box<Self>) -> Result<(), StoreError> {
            if self.1 {
                return Err(StoreError::Other("injected commit failure".into()));
            }
            self.0.commit()
        }
    }

    impl Store for FailOne {
        fn transaction(&mut self) -> Result<Box<dyn Transaction + '_>, StoreError> {
            self.2.fetch_add(1, Ordering::SeqCst);
            let fail_commit = self.1;
            let savepoints = self.3.clone();
            Ok(Box::new(FailOneTx(
                self.0.transaction()?,
                fail_commit,
                savepoints,
            )))
        }
        /// The injected commit failure is the fsync's: a lazy commit has none.
        fn lazy_transaction(&mut self) -> Result<Box<dyn Transaction + '_>, StoreError> {
            self.2.fetch_add(1, Ordering::SeqCst);
            let savepoints = self.3.clone();
            Ok(Box::new(FailOneTx(
                self.0.lazy_transaction()?,
                false,
                savepoints,
            )))
        }
        fn list_requests(&mut self) -> Result<Vec<RequestRecord>, StoreError> {
            self.0.list_requests()
        }
        fn latest_crl(&mut self, i: Option<&[u8]>) -> Result<Option<CrlRecord>, StoreError> {
            self.0.latest_crl(i)
        }
        fn challenge_key(&mut self) -> Result<[u8; 32], StoreError> {
            self.0.challenge_key()
        }
    }

    fn submission(serial: &str, n: u8) -> Submission {
        submission_for(Procedure::Revocation, serial, n)
    }

    fn submission_for(procedure: Procedure, serial: &str, n: u8) -> Submission {
        let h = TestHolder::from_card("normal").unwrap();
        let mut document = h.document(procedure, "unused-by-this-test");
        document.certificate.serial = serial.into();
        let document_bytes = document.to_canonical_bytes();
        Submission {
            procedure,
            document_hash: madoguchi_pki::cms::sha256(&document_bytes),
            document,
            document_bytes,
            issuer_der: b"issuer".to_vec(),
            cms: Vec::new(),
            received_at: SystemTime::now(),
            challenge_key: Some(ticket(n)),
            challenge: Ok(ticket(n)),
        }
    }

    fn ticket(n: u8) -> Ticket {
        Ticket {
            nonce: [n; 12],
            expires_at: i64::MAX / 2,
        }
    }

    #[test]
    fn a_submission_failing_in_the_store_fails_alone() {
        let mut store = fail_one(false);
        let batch = [
            submission("01", 1),
            submission("BAD", 2),
            submission("03", 3),
        ];
        let refs: Vec<&Submission> = batch.iter().collect();
        let d: Vec<Decision> = commit_batch(&mut store, &refs, &mut |_, _| {
            panic!("no validity check here")
        })
        .unwrap()
        .into_iter()
        .map(|d| d.expect("revocations are answered after the commit"))
        .collect();
        let outcomes: Vec<Outcome> = d.iter().map(|d| d.outcome).collect();
        assert_eq!(
            outcomes,
            [Outcome::Accepted, Outcome::ServiceError, Outcome::Accepted]
        );
        assert!(
            !d[1].body.contains("injected"),
            "internal details stay inside"
        );
        let rows = store.list_requests().unwrap();
        let serials: Vec<&str> = rows.iter().map(|r| r.certificate_serial.as_str()).collect();
        assert_eq!(serials, ["01", "03"]);
        // Decided straight through first; that failed, so the batch was decided again in a
        // second transaction, a savepoint per submission.
        assert_eq!(store.2.load(Ordering::SeqCst), 2);
        assert_eq!(store.3.load(Ordering::SeqCst), 3);
        // The failed one left nothing behind, not even a spent challenge: sent again (the
        // disk has room now), it is decided afresh. Its neighbours' challenges are spent.
        let mut tx = store.0.transaction().unwrap();
        let hash = &batch[1].document_hash;
        assert_eq!(
            tx.recorded(hash, Some(&ticket(2))).unwrap(),
            Recorded::Nothing
        );
        assert_eq!(
            tx.recorded(hash, Some(&ticket(1))).unwrap(),
            Recorded::OtherDocument
        );
        assert!(matches!(
            tx.recorded(&batch[0].document_hash, Some(&ticket(1))).unwrap(),
            Recorded::Answer(a) if a == d[0].body
        ));
    }

    #[test]
    fn a_batch_without_failures_is_decided_in_one_transaction_without_savepoints() {
        let mut store = fail_one(false);
        let batch = [
            submission("01", 1),
            submission("02", 2),
            // The same certificate again: decided after the first one's record, in the same
            // transaction.
            submission("01", 3),
            submission_for(Procedure::ValidityCheck, "02", 4),
        ];
        let refs: Vec<&Submission> = batch.iter().collect();
        let mut early = Vec::new();
        let d = commit_batch(&mut store, &refs, &mut |i, d| early.push((i, d.outcome))).unwrap();
        assert_eq!(early, [(3, Outcome::Valid)]);
        let outcomes: Vec<Option<Outcome>> =
            d.iter().map(|d| d.as_ref().map(|d| d.outcome)).collect();
        assert_eq!(
            outcomes,
            [
                Some(Outcome::Accepted),
                Some(Outcome::Accepted),
                Some(Outcome::DuplicateRequest),
                None
            ]
        );
        // One transaction for the validity check, one for the revocations; no savepoint.
        assert_eq!(store.2.load(Ordering::SeqCst), 2);
        assert_eq!(store.3.load(Ordering::SeqCst), 0);
        assert_eq!(store.list_requests().unwrap().len(), 4);
    }

    #[test]
    fn validity_checks_are_answered_before_the_durable_commit_revocations_after() {
        let mut store = fail_one(true);
        let batch = [
            submission("01", 1),
            submission_for(Procedure::ValidityCheck, "01", 2),
        ];
        let refs: Vec<&Submission> = batch.iter().collect();
        let mut early = Vec::new();
        let r = commit_batch(&mut store, &refs, &mut |i, d| early.push((i, d.outcome)));
        // The validity check read the committed state (the revocation before it in the batch
        // was not written yet) and was answered once its record was visible, before the
        // revocations' durable commit, which failed.
        assert_eq!(early, [(1, Outcome::Valid)]);
        // The revocation gets no answer from the batch (the runner answers service_error),
        // and is not on record; the validity check's record is.
        assert!(r.is_err());
        let rows = store.list_requests().unwrap();
        let procedures: Vec<&str> = rows.iter().map(|r| r.procedure.as_str()).collect();
        assert_eq!(procedures, ["validity_check"]);
    }

    #[tokio::test]
    async fn a_commit_waits_for_submissions_being_checked_and_only_for_them() {
        let store = fail_one(false);
        let started = store.2.clone();
        let hour = Duration::from_secs(3600);
        let (c, thread) = Committer::start_gathering(Box::new(store), 512, hour);
        let second = c.checking();
        let first = c.enqueue(submission("01", 1), c.checking());
        // The second is still being checked: the committer holds the first for it, and both
        // share one transaction.
        let second = c.enqueue(submission("02", 2), second);
        let (a, b) = tokio::join!(first.answer(), second.answer());
        assert_eq!(
            (a.outcome, b.outcome),
            (Outcome::Accepted, Outcome::Accepted)
        );
        assert_eq!(started.load(Ordering::SeqCst), 1);
        // Nothing being checked: a submission alone is committed without waiting (the hour
        // would stop this test at the timeout).
        let alone = tokio::time::timeout(
            Duration::from_secs(60),
            c.submit(submission("03", 3), c.checking()),
        )
        .await
        .expect("answered without waiting for submissions that do not exist");
        assert_eq!(alone.outcome, Outcome::Accepted);
        assert_eq!(started.load(Ordering::SeqCst), 2);
        drop(c);
        thread.join();
    }

    #[tokio::test]
    async fn a_check_that_ends_in_a_refusal_does_not_hold_the_commit() {
        let store = fail_one(false);
        let hour = Duration::from_secs(3600);
        let (c, thread) = Committer::start_gathering(Box::new(store), 512, hour);
        let refused = c.checking();
        let first = c.enqueue(submission("01", 1), c.checking());
        // The other check ends without a submission (a refusal): once the committer finds
        // nothing arriving and nothing being checked, the first is committed alone.
        drop(refused);
        let a = tokio::time::timeout(Duration::from_secs(60), first.answer())
            .await
            .expect("committed once quiet, not after the hour");
        assert_eq!(a.outcome, Outcome::Accepted);
        drop(c);
        thread.join();
    }

    #[test]
    fn submissions_are_looked_up_together_only_when_no_record_changes_another_lookup() {
        use Procedure::{Revocation as R, ValidityCheck as V};
        // Documents that differ (the helper's differ only when their serials do).
        let submission_for = |p: Procedure, serial: &str, n: u8| Submission {
            document_hash: [n; 32],
            ..submission_for(p, serial, n)
        };
        let together = |subs: &[Submission]| {
            let picked: Vec<(usize, &Submission)> = subs.iter().enumerate().collect();
            independent(&picked)
        };
        // Validity checks of one certificate: none of their records is a revocation.
        assert!(together(&[
            submission_for(V, "01", 1),
            submission_for(V, "01", 2)
        ]));
        assert!(together(&[
            submission_for(R, "01", 1),
            submission_for(R, "02", 2)
        ]));
        // A revocation's record is what the other's lookup of that certificate finds.
        assert!(!together(&[
            submission_for(R, "01", 1),
            submission_for(R, "01", 2)
        ]));
        assert!(!together(&[
            submission_for(V, "01", 1),
            submission_for(R, "01", 2)
        ]));
        // One challenge: the first record spends it for the other.
        assert!(!together(&[
            submission_for(V, "01", 1),
            submission_for(V, "02", 1)
        ]));
        let mut claimed_only = submission_for(V, "02", 2);
        claimed_only.challenge_key = Some(ticket(1));
        assert!(!together(&[submission_for(V, "01", 1), claimed_only]));
        // One document twice.
        let again = Submission {
            challenge_key: Some(ticket(2)),
            challenge: Ok(ticket(2)),
            ..submission_for(V, "01", 1)
        };
        assert!(!together(&[submission_for(V, "01", 1), again]));
    }

    #[test]
    fn receipts_hold_the_whole_hash() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let mut a = [0x11; 32];
        let r1 = receipt_id(&a, at);
        a[31] = 0x12;
        let r2 = receipt_id(&a, at);
        assert_ne!(r1, r2, "hashes that differ only in their last byte");
        assert_eq!(r1, format!("R20270115-{}", "11".repeat(32)));
    }
}
