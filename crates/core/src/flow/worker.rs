//! Card work: one session (channel, JPKI AP, password guard) driven by
//! [`CardJob`]s. Runs on the executor's card thread; blocking.
//!
//! Every job is one atomic card sequence ([`JpkiCard::atomic`], a PC/SC
//! transaction): it selects what it needs inside it, so nothing selected
//! before a wait for the resident is trusted. A job that sends the
//! password (login, signature) ends its transaction by powering the card
//! off and on, so the password's verified state ends with the certificate
//! read or the signature it was given for; the manual's second login
//! (2.1.7) asks for the password again anyway.

use std::time::SystemTime;

use madoguchi_card::{
    CardChannel, CardError, GuardError, JpkiCard, Normalisation, PasswordGuard, RejectedBook,
    Secret, TransactionEnd, VerifyOutcome,
};
use madoguchi_pki::cms::{self, SignError};
use zeroize::Zeroizing;

use super::engine::{CardJob, Completion, JobFailure, Prepared};
use crate::card_session;
use crate::client::bytes_like::Body;

/// Opens a connection to the card: the reader's name and the channel.
pub type CardOpener =
    Box<dyn FnMut() -> Result<(String, Box<dyn CardChannel>), CardError> + Send + 'static>;

struct Session {
    card: JpkiCard<Box<dyn CardChannel>>,
    guard: PasswordGuard,
}

/// The card side of the executor.
pub struct CardWorker {
    opener: CardOpener,
    session: Option<Session>,
    /// Rejected passwords by card, for the worker's owner's lifetime.
    book: RejectedBook,
}

impl CardWorker {
    /// A worker with a memory of rejected passwords of its own.
    pub fn new(opener: CardOpener) -> CardWorker {
        CardWorker::with_book(opener, RejectedBook::default())
    }

    /// A worker that shares `book` (the app's memory of rejected passwords
    /// by card) with other workers and screens.
    pub fn with_book(opener: CardOpener, book: RejectedBook) -> CardWorker {
        CardWorker {
            opener,
            session: None,
            book,
        }
    }

    /// Disconnect (the guard's memory goes too: the next card may be
    /// another one).
    pub fn release(&mut self) {
        self.session = None;
    }

    /// Run one job.
    pub fn run(&mut self, job: CardJob) -> Completion {
        let completion = match job {
            CardJob::Prepare => Completion::Prepared(self.prepare()),
            CardJob::Status => Completion::Status(self.status()),
            CardJob::Login {
                password,
                last_try_confirmed,
            } => Completion::LoggedIn(self.login(password, last_try_confirmed)),
            CardJob::Sign {
                password,
                last_try_confirmed,
                content,
                certificate,
            } => Completion::Signed(self.sign(password, last_try_confirmed, content, certificate)),
        };
        if removed(&completion) {
            self.session = None;
        }
        completion
    }

    fn prepare(&mut self) -> Result<Prepared, CardError> {
        self.session = None;
        // The guard's memory of rejected passwords is the card's, kept for
        // the app's lifetime (a cancelled login or Retry keeps it).
        let opened = card_session::open(&mut self.opener, &self.book)?;
        self.session = Some(Session {
            card: opened.card,
            guard: opened.guard,
        });
        Ok(Prepared {
            reader: opened.reader,
            token: opened.token,
            password: opened.state,
        })
    }

    fn session(&mut self) -> Result<&mut Session, CardError> {
        // The card went away since Prepare (or was released): the card must
        // be prepared again from 2.1.3.
        self.session.as_mut().ok_or(CardError::CardRemoved)
    }

    fn status(&mut self) -> Result<madoguchi_card::PasswordState, CardError> {
        let s = self.session()?;
        let guard = &mut s.guard;
        s.card
            .atomic(TransactionEnd::Leave, |card| guard.status(card))
    }

    /// One guarded VERIFY. With one try left, the guard's request is
    /// confirmed only if the resident confirmed (`confirmed`); otherwise
    /// nothing is sent.
    fn verify<C: CardChannel>(
        guard: &mut PasswordGuard,
        card: &mut JpkiCard<C>,
        password: &Secret,
        confirmed: bool,
    ) -> Result<Option<Normalisation>, JobFailure> {
        match guard.verify(card, password, None) {
            Ok(VerifyOutcome::Verified { normalisation }) => Ok(normalisation),
            Ok(VerifyOutcome::NeedsLastTryConfirmation(request)) => {
                if !confirmed {
                    return Err(JobFailure::NeedsLastTryConfirmation);
                }
                let confirmation = guard.confirm_last_try(request).map_err(JobFailure::Guard)?;
                match guard.verify(card, password, Some(confirmation)) {
                    Ok(VerifyOutcome::Verified { normalisation }) => Ok(normalisation),
                    Ok(VerifyOutcome::NeedsLastTryConfirmation(_)) => {
                        Err(JobFailure::NeedsLastTryConfirmation)
                    }
                    Err(e) => Err(JobFailure::Guard(e)),
                }
            }
            Err(e) => Err(JobFailure::Guard(e)),
        }
    }

    /// Guarded VERIFY and the signing certificate's read, in one
    /// transaction that powers the card off and on at its end.
    fn login(
        &mut self,
        password: Secret,
        confirmed: bool,
    ) -> Result<(Zeroizing<Vec<u8>>, Option<Normalisation>), JobFailure> {
        let s = self
            .session()
            .map_err(|e| JobFailure::Guard(GuardError::Card(e)))?;
        let guard = &mut s.guard;
        s.card.atomic(TransactionEnd::Unpower, |card| {
            let normalisation = Self::verify(guard, card, &password, confirmed)?;
            let der = card.read_signing_certificate().map_err(JobFailure::Read)?;
            Ok((Zeroizing::new(der), normalisation))
        })
    }

    /// Guarded VERIFY and the signature, in one transaction that powers the
    /// card off and on at its end.
    fn sign(
        &mut self,
        password: Secret,
        confirmed: bool,
        content: Zeroizing<Vec<u8>>,
        certificate: Zeroizing<Vec<u8>>,
    ) -> Result<(Body, Option<Normalisation>), JobFailure> {
        let s = self
            .session()
            .map_err(|e| JobFailure::Guard(GuardError::Card(e)))?;
        let guard = &mut s.guard;
        s.card.atomic(TransactionEnd::Unpower, |card| {
            let normalisation = Self::verify(guard, card, &password, confirmed)?;
            let signed = cms::sign(&content, &certificate, SystemTime::now(), |digest_info| {
                card.sign(digest_info)
            })
            .map_err(|e| match e {
                SignError::Signer(c) => JobFailure::Sign(c),
                SignError::SignatureMismatch => JobFailure::SignatureMismatch,
                other => JobFailure::Cms(other.to_string()),
            })?;
            Ok((Body::new(signed), normalisation))
        })
    }
}

fn removed(c: &Completion) -> bool {
    let is = |e: &CardError| matches!(e, CardError::CardRemoved);
    match c {
        Completion::Prepared(Err(e)) | Completion::Status(Err(e)) => is(e),
        Completion::LoggedIn(Err(f)) | Completion::Signed(Err(f)) => match f {
            JobFailure::Guard(GuardError::Card(e)) | JobFailure::Read(e) | JobFailure::Sign(e) => {
                is(e)
            }
            _ => false,
        },
        _ => false,
    }
}

/// A transaction that could not begin or end: a card failure around the
/// guarded work (nothing was sent when it could not begin).
impl From<CardError> for JobFailure {
    fn from(e: CardError) -> Self {
        JobFailure::Guard(GuardError::Card(e))
    }
}
