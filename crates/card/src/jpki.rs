//! JPKI AP operations over any [`CardChannel`]: select by AID, token kind,
//! certificates, tries left, VERIFY, signature, CHANGE REFERENCE DATA, and
//! the card-info AP's PIN status.
//!
//! Every card answer is untrusted: lengths are checked, loops are bounded,
//! and every unexpected status word becomes a typed [`CardError`].
//!
//! [`JpkiCard`] remembers which application and EF are selected so it does
//! not send a SELECT it does not need, whether extended READ BINARY works on
//! this card, and which secrets it has seen verified. It counts every APDU
//! and byte ([`JpkiCard::stats`]).
//!
//! The raw VERIFY and CHANGE REFERENCE DATA are crate-private: a password
//! reaches the card only through [`crate::guard::PasswordGuard`], which adds
//! the format check, the tries read and the last-try confirmation. There is
//! no way to the bare channel while a [`JpkiCard`] owns it.

use der::{Decode, Encode, Header, Reader, SliceReader, Tag};
use zeroize::Zeroizing;

use crate::apdu::{Command, Le, Response};
use crate::channel::{CardChannel, TransactionEnd, TransportError};
use crate::error::{CardError, PinKind};
use crate::ids;
use crate::secret::Secret;
use crate::sw::StatusWord;

/// What the token EF (`0006`) says the JPKI AP lives on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `JPKIAPICCTOKEN2`: マイナンバーカード.
    MyNumberCard,
    /// `JPKIAPICCTOKEN`: 住民基本台帳カード (old Juki card).
    JukiCard,
    /// `JPKIAPGPSETOKEN`: smartphone JPKI on Android.
    SmartphoneAndroid,
    /// `JPKIAPIOSTOKEN`: smartphone JPKI on iPhone.
    SmartphoneIphone,
    /// Any other label (trimmed, control characters replaced by U+FFFD).
    Other(String),
}

/// Length of the token label at the start of EF `0006`.
pub const TOKEN_LABEL_LEN: usize = 32;

/// Read the token kind from the first bytes of EF `0006`: the first 32
/// bytes, trailing space or NUL padding trimmed. Never fails; anything
/// unrecognised is [`TokenKind::Other`].
pub fn parse_token_info(data: &[u8]) -> TokenKind {
    let label = &data[..data.len().min(TOKEN_LABEL_LEN)];
    let end = label
        .iter()
        .rposition(|&b| b != b' ' && b != 0)
        .map_or(0, |i| i + 1);
    let label = &label[..end];
    match label {
        l if l == ids::token::MY_NUMBER_CARD.as_bytes() => TokenKind::MyNumberCard,
        l if l == ids::token::JUKI_CARD.as_bytes() => TokenKind::JukiCard,
        l if l == ids::token::ANDROID.as_bytes() => TokenKind::SmartphoneAndroid,
        l if l == ids::token::IPHONE.as_bytes() => TokenKind::SmartphoneIphone,
        l => TokenKind::Other(
            String::from_utf8_lossy(l)
                .chars()
                .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
                .collect(),
        ),
    }
}

/// Why a DER length could not be taken from a header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DerLengthError {
    /// The bytes end inside the tag or length.
    #[error("the DER header is cut short")]
    Truncated,
    /// Not a DER header (long-form tag, indefinite or non-minimal length…).
    #[error("not a DER header: {0}")]
    Invalid(String),
}

/// Tag and total encoded length (header + value) of the DER object that
/// starts `bytes`. Only the header has to be present.
pub fn der_header(bytes: &[u8]) -> Result<(Tag, usize), DerLengthError> {
    let invalid = |e: der::Error| match e.kind() {
        der::ErrorKind::Incomplete { .. } => DerLengthError::Truncated,
        _ => DerLengthError::Invalid(e.to_string()),
    };
    let mut reader = SliceReader::new(bytes).map_err(invalid)?;
    let header = Header::decode(&mut reader).map_err(invalid)?;
    debug_assert_eq!(header.encoded_len().ok(), Some(reader.position()));
    let total = (reader.position() + header.length).map_err(invalid)?;
    let total = usize::try_from(total).map_err(invalid)?;
    Ok((header.tag, total))
}

/// Total encoded length (header + value) of the DER object at the start of
/// `bytes`, from its header alone (decoded with the `der` crate).
pub fn der_total_length(bytes: &[u8]) -> Result<usize, DerLengthError> {
    der_header(bytes).map(|(_, n)| n)
}

/// Largest DER object read from an EF: READ BINARY offsets have 15 bits.
pub const MAX_EF_OBJECT_LEN: usize = 0x8000;

/// The tries-left answer to an empty VERIFY.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PinStatus {
    /// `63 Cx`, x > 0: this many wrong entries are left before the lock.
    TriesLeft(u8),
    /// `63 C0` or `69 84`: locked; only the municipal counter can unlock.
    Locked,
    /// `90 00`: some cards answer so when the secret is already verified in
    /// this session; they give no count.
    AlreadyVerified,
}

/// Which certificate to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertificateKind {
    /// 署名用電子証明書 (EF `0001`): needs the signing password first.
    Signing,
    /// 署名用CA証明書 (EF `0002`).
    SigningCa,
    /// 利用者証明用電子証明書 (EF `000A`).
    Authentication,
    /// 利用者証明用CA証明書 (EF `000B`).
    AuthenticationCa,
}

impl CertificateKind {
    fn fid(self) -> u16 {
        match self {
            CertificateKind::Signing => ids::jpki::SIGNING_CERTIFICATE,
            CertificateKind::SigningCa => ids::jpki::SIGNING_CA_CERTIFICATE,
            CertificateKind::Authentication => ids::jpki::AUTHENTICATION_CERTIFICATE,
            CertificateKind::AuthenticationCa => ids::jpki::AUTHENTICATION_CA_CERTIFICATE,
        }
    }
    fn operation(self) -> &'static str {
        match self {
            CertificateKind::Signing => "read signing certificate",
            CertificateKind::SigningCa => "read signing CA certificate",
            CertificateKind::Authentication => "read authentication certificate",
            CertificateKind::AuthenticationCa => "read authentication CA certificate",
        }
    }
}

/// Whether this card takes READ BINARY with an extended Le.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtendedRead {
    /// The ATR does not announce extended Lc/Le fields (the My Number card's
    /// ATR has no historical bytes): short reads only, never tried.
    NotOffered,
    /// The ATR announces it and it was not tried yet: the next certificate
    /// read tries it first.
    Untested,
    /// The card answered an extended READ BINARY with data.
    Works,
    /// The card (or reader) refused it; only short reads from now on.
    Refused,
}

/// APDUs and bytes exchanged, GET RESPONSE and `6Cxx` resends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IoStats {
    /// Command APDUs sent.
    pub apdus: u32,
    /// Command bytes sent (headers, Lc, data, Le).
    pub bytes_sent: u64,
    /// Response bytes received (data + status words).
    pub bytes_received: u64,
}

impl IoStats {
    const ZERO: IoStats = IoStats {
        apdus: 0,
        bytes_sent: 0,
        bytes_received: 0,
    };

    /// What was exchanged since `earlier` (a previous [`JpkiCard::stats`]).
    pub fn since(self, earlier: IoStats) -> IoStats {
        IoStats {
            apdus: self.apdus.saturating_sub(earlier.apdus),
            bytes_sent: self.bytes_sent.saturating_sub(earlier.bytes_sent),
            bytes_received: self.bytes_received.saturating_sub(earlier.bytes_received),
        }
    }
}

/// Counts what passes through a channel.
struct Counted<C> {
    inner: C,
    stats: IoStats,
}

impl<C: CardChannel> CardChannel for Counted<C> {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.stats.apdus = self.stats.apdus.saturating_add(1);
        self.stats.bytes_sent += command.len() as u64;
        let answer = self.inner.transmit_raw(command)?;
        self.stats.bytes_received += answer.len() as u64;
        Ok(answer)
    }
    fn atr(&self) -> Vec<u8> {
        self.inner.atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
}

/// Why a VERIFY with data failed, by when: what the card may have counted.
#[derive(Debug)]
pub(crate) enum VerifyFailure {
    /// Before the VERIFY was handed to the reader: nothing was sent.
    Before(CardError),
    /// The VERIFY was handed to the reader and no answer came back (card
    /// removed, no answer, reader failure): the card may or may not have
    /// checked the password and counted a try.
    NoAnswer(CardError),
    /// The card answered (wrong, locked, or an unexpected status).
    Answered(CardError),
}

impl VerifyFailure {
    #[cfg(test)]
    pub(crate) fn into_error(self) -> CardError {
        match self {
            VerifyFailure::Before(e) | VerifyFailure::NoAnswer(e) | VerifyFailure::Answered(e) => e,
        }
    }
}

/// The two applications Madoguchi selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum App {
    Jpki,
    CardInfo,
}

impl App {
    fn aid(self) -> &'static [u8] {
        match self {
            App::Jpki => &ids::AID_JPKI,
            App::CardInfo => &ids::AID_CARD_INFO,
        }
    }
}

fn pin_location(kind: PinKind) -> (App, u16) {
    match kind {
        PinKind::SigningPassword => (App::Jpki, ids::jpki::SIGNING_PASSWORD),
        PinKind::AuthenticationPin => (App::Jpki, ids::jpki::AUTHENTICATION_PIN),
        PinKind::CardInfoPin => (App::CardInfo, ids::card_info::PIN),
    }
}

/// Status words after which an extended READ BINARY is taken as refused by
/// the card: wrong length, wrong P1/P2, offset/parameters wrong, INS or CLA
/// not supported, function not supported, conditions not satisfied (one
/// test card refuses extended GET CHALLENGE so), no precise diagnosis.
fn refuses_extended(sw: StatusWord) -> bool {
    matches!(
        sw,
        StatusWord::WrongLength
            | StatusWord::IncorrectP1P2
            | StatusWord::WrongParameters
            | StatusWord::InsNotSupported
            | StatusWord::ClaNotSupported
            | StatusWord::ConditionsNotSatisfied
            | StatusWord::NoPreciseDiagnosis
            | StatusWord::FUNCTION_NOT_SUPPORTED
    )
}

/// Transport failures after which an extended READ BINARY is taken as
/// refused by the reader or driver (buffer, protocol or driver errors);
/// removal, timeouts and a lost service are passed on instead.
fn transport_refuses_extended(e: &TransportError) -> bool {
    matches!(e, TransportError::Other(_) | TransportError::Malformed(_))
}

/// What a [`JpkiCard`] remembers, carried into and out of a transaction.
struct Memory {
    app: Option<App>,
    ef: Option<u16>,
    verified: Vec<PinKind>,
    extended: ExtendedRead,
    stats: IoStats,
}

/// A JPKI card behind a [`CardChannel`].
pub struct JpkiCard<C: CardChannel> {
    channel: Counted<C>,
    app: Option<App>,
    ef: Option<u16>,
    verified: Vec<PinKind>,
    extended: ExtendedRead,
}

impl<C: CardChannel> JpkiCard<C> {
    /// Wrap a connected channel. Nothing is sent yet.
    pub fn new(channel: C) -> Self {
        let extended = if crate::atr::offers_extended_length(&channel.atr()) {
            ExtendedRead::Untested
        } else {
            ExtendedRead::NotOffered
        };
        JpkiCard {
            channel: Counted {
                inner: channel,
                stats: IoStats::ZERO,
            },
            app: None,
            ef: None,
            verified: Vec::new(),
            extended,
        }
    }

    /// The channel back.
    pub fn into_inner(self) -> C {
        self.channel.inner
    }

    /// The channel, read-only.
    pub fn channel(&self) -> &C {
        &self.channel.inner
    }

    /// The card's ATR (for display only: cards are told apart by AID).
    pub fn atr(&self) -> Vec<u8> {
        self.channel.atr()
    }

    /// APDUs and bytes exchanged since this value was made.
    pub fn stats(&self) -> IoStats {
        self.channel.stats
    }

    /// Whether extended READ BINARY works on this card, as far as known.
    pub fn extended_read(&self) -> ExtendedRead {
        self.extended
    }

    /// Whether `kind` was verified in this session (as far as this value
    /// has seen).
    pub fn is_verified(&self, kind: PinKind) -> bool {
        self.verified.contains(&kind)
    }

    /// Run `work` as one atomic card sequence ([`CardChannel::transaction`]):
    /// no other program's APDU comes between its APDUs, everything it
    /// needs is selected again inside it (no selection is trusted from
    /// before, since another program may have moved it meanwhile), and the
    /// card is left as `end` says. With [`TransactionEnd::Reset`] or
    /// [`TransactionEnd::Unpower`] no verified state outlives `work`.
    ///
    /// If the transaction cannot begin, `work` does not run. If `work`
    /// succeeded but the transaction could not end, the ending's error is
    /// returned.
    pub fn atomic<R, E: From<CardError>>(
        &mut self,
        end: TransactionEnd,
        work: impl FnOnce(&mut JpkiCard<&mut dyn CardChannel>) -> Result<R, E>,
    ) -> Result<R, E> {
        let mut memory = Some(Memory {
            app: None,
            ef: None,
            verified: std::mem::take(&mut self.verified),
            extended: self.extended,
            stats: self.channel.stats,
        });
        let mut work = Some(work);
        let mut outcome = None;
        let ended = self.channel.inner.transaction(end, &mut |channel| {
            let (Some(m), Some(work)) = (memory.take(), work.take()) else {
                return;
            };
            let mut inside = JpkiCard {
                channel: Counted {
                    inner: channel,
                    stats: m.stats,
                },
                app: m.app,
                ef: m.ef,
                verified: m.verified,
                extended: m.extended,
            };
            outcome = Some(work(&mut inside));
            memory = Some(Memory {
                app: None,
                ef: None,
                verified: inside.verified,
                extended: inside.extended,
                stats: inside.channel.stats,
            });
        });
        if let Some(m) = memory {
            self.verified = m.verified;
            self.extended = m.extended;
            self.channel.stats = m.stats;
        }
        // Whatever happened, the selection is not trusted after a
        // transaction, and a reset or power-off ended every VERIFY.
        self.app = None;
        self.ef = None;
        if end != TransactionEnd::Leave || ended.is_err() {
            self.verified.clear();
        }
        match (outcome, ended) {
            (Some(Err(e)), _) => Err(e),
            (_, Err(e)) => Err(CardError::from(e).into()),
            (Some(Ok(r)), Ok(())) => Ok(r),
            (None, Ok(())) => {
                Err(CardError::Transport("the transaction did not run".into()).into())
            }
        }
    }

    /// Warm-reset the card: all security state on the card is lost.
    pub fn reset(&mut self) -> Result<(), CardError> {
        self.forget_all();
        self.channel.reset()?;
        Ok(())
    }

    fn forget_all(&mut self) {
        self.app = None;
        self.ef = None;
        self.verified.clear();
    }

    fn set_verified(&mut self, kind: PinKind, on: bool) {
        self.verified.retain(|k| *k != kind);
        if on {
            self.verified.push(kind);
        }
    }

    /// Send one command. On a transport failure the selection is no longer
    /// trusted; after a removal nothing is.
    fn send(&mut self, cmd: &Command) -> Result<Response, CardError> {
        match self.channel.transmit(cmd) {
            Ok(r) => Ok(r),
            Err(e) => {
                self.app = None;
                self.ef = None;
                if matches!(
                    e,
                    TransportError::CardRemoved
                        | TransportError::NoCard
                        | TransportError::ServiceUnavailable
                        | TransportError::ReaderNotFound(_)
                ) {
                    self.verified.clear();
                }
                Err(e.into())
            }
        }
    }

    fn select_app(&mut self, app: App) -> Result<(), CardError> {
        let r = self.send(&Command::select_df(app.aid()))?;
        match r.sw {
            StatusWord::Ok => {
                self.app = Some(app);
                self.ef = None;
                // Secrets of other applications lose their state.
                self.verified.retain(|k| pin_location(*k).0 == app);
                Ok(())
            }
            StatusWord::FileNotFound
            | StatusWord::IncorrectP1P2
            | StatusWord::WrongParameters
            | StatusWord::InsNotSupported
            | StatusWord::ClaNotSupported
            | StatusWord::FUNCTION_NOT_SUPPORTED
                if app == App::Jpki =>
            {
                Err(CardError::NotJpki)
            }
            sw => Err(CardError::UnexpectedStatus {
                operation: match app {
                    App::Jpki => "select JPKI AP",
                    App::CardInfo => "select card-info AP",
                },
                sw,
            }),
        }
    }

    fn ensure_app(&mut self, app: App) -> Result<(), CardError> {
        if self.app == Some(app) {
            Ok(())
        } else {
            self.select_app(app)
        }
    }

    fn select_ef(&mut self, fid: u16, operation: &'static str) -> Result<(), CardError> {
        if self.ef == Some(fid) {
            return Ok(());
        }
        let r = self.send(&Command::select_ef(fid))?;
        match r.sw {
            StatusWord::Ok => {
                self.ef = Some(fid);
                Ok(())
            }
            sw => {
                self.ef = None;
                Err(CardError::UnexpectedStatus { operation, sw })
            }
        }
    }

    /// SELECT the JPKI AP by its AID (never by ATR). A card without it is
    /// [`CardError::NotJpki`].
    pub fn select_jpki_ap(&mut self) -> Result<(), CardError> {
        self.select_app(App::Jpki)
    }

    /// SELECT the card-info input support AP (券面事項入力補助AP). Selecting
    /// it drops the JPKI AP's verified state.
    pub fn select_card_info_ap(&mut self) -> Result<(), CardError> {
        self.select_app(App::CardInfo)
    }

    /// The token kind from EF `0006` (one READ BINARY of 32 bytes).
    pub fn token(&mut self) -> Result<TokenKind, CardError> {
        const OP: &str = "read token information";
        self.ensure_app(App::Jpki)?;
        self.select_ef(ids::jpki::TOKEN_INFO, OP)?;
        let r = self.send(&Command::read_binary(0, Le::Short(TOKEN_LABEL_LEN as u16)))?;
        match r.sw {
            StatusWord::Ok | StatusWord::EndOfFileWarning => Ok(parse_token_info(&r.data)),
            sw => Err(CardError::UnexpectedStatus { operation: OP, sw }),
        }
    }

    /// Select the JPKI AP and read the token kind; a card whose label is
    /// not one we know is still a JPKI card when the signing files answer
    /// (certificate `0001`, key `001A`, password `001B`): new labels may
    /// come with new cards (reference §13). The label is returned for
    /// display. [`CardError::NotJpki`] when the AP or those files are
    /// missing. Three APDUs for a known label, six for another.
    pub fn jpki_token(&mut self) -> Result<TokenKind, CardError> {
        const OP: &str = "check the signing files";
        self.select_app(App::Jpki)?;
        let token = self.token()?;
        if let TokenKind::Other(_) = token {
            for fid in [
                ids::jpki::SIGNING_CERTIFICATE,
                ids::jpki::SIGNING_KEY,
                ids::jpki::SIGNING_PASSWORD,
            ] {
                match self.select_ef(fid, OP) {
                    Ok(()) => {}
                    Err(CardError::UnexpectedStatus {
                        sw: StatusWord::FileNotFound,
                        ..
                    }) => return Err(CardError::NotJpki),
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(token)
    }

    /// Read a certificate (DER) in as few APDUs as the card allows.
    pub fn read_certificate(&mut self, kind: CertificateKind) -> Result<Vec<u8>, CardError> {
        self.ensure_app(App::Jpki)?;
        let der = self.read_der_ef(kind.fid(), kind.operation())?;
        match der_header(&der) {
            Ok((Tag::Sequence, _)) => Ok(der),
            _ => Err(CardError::MalformedData(format!(
                "{}: the file does not hold a certificate",
                kind.operation()
            ))),
        }
    }

    /// What tells this card apart without a password: SHA-256 of the first
    /// (at most 256) bytes of the authentication certificate, which hold its
    /// issuer and serial number. `None` when the card has no readable
    /// authentication certificate (a smartphone token protects it with the
    /// PIN). Two APDUs on a selected AP: SELECT EF `000A`, READ BINARY.
    pub fn identity(&mut self) -> Result<Option<crate::guard::CardIdentity>, CardError> {
        const OP: &str = "read the card's identity";
        self.ensure_app(App::Jpki)?;
        let r = self.send(&Command::select_ef(ids::jpki::AUTHENTICATION_CERTIFICATE))?;
        match r.sw {
            StatusWord::Ok => self.ef = Some(ids::jpki::AUTHENTICATION_CERTIFICATE),
            StatusWord::FileNotFound => {
                self.ef = None;
                return Ok(None);
            }
            sw => return Err(CardError::UnexpectedStatus { operation: OP, sw }),
        }
        let r = self.send(&Command::read_binary(0, Le::MAX_SHORT))?;
        match r.sw {
            StatusWord::Ok | StatusWord::EndOfFileWarning if !r.data.is_empty() => {
                use sha2::Digest;
                Ok(Some(crate::guard::CardIdentity(
                    sha2::Sha256::digest(&r.data).into(),
                )))
            }
            StatusWord::SecurityStatusNotSatisfied
            | StatusWord::Ok
            | StatusWord::EndOfFileWarning
            | StatusWord::WrongParameters => Ok(None),
            sw => Err(CardError::UnexpectedStatus { operation: OP, sw }),
        }
    }

    /// 署名用電子証明書. Needs the signing password verified first, else
    /// [`CardError::SecurityStatusNotSatisfied`].
    pub fn read_signing_certificate(&mut self) -> Result<Vec<u8>, CardError> {
        self.read_certificate(CertificateKind::Signing)
    }

    /// 署名用CA証明書.
    pub fn read_signing_ca_certificate(&mut self) -> Result<Vec<u8>, CardError> {
        self.read_certificate(CertificateKind::SigningCa)
    }

    /// 利用者証明用電子証明書.
    pub fn read_authentication_certificate(&mut self) -> Result<Vec<u8>, CardError> {
        self.read_certificate(CertificateKind::Authentication)
    }

    /// 利用者証明用CA証明書.
    pub fn read_authentication_ca_certificate(&mut self) -> Result<Vec<u8>, CardError> {
        self.read_certificate(CertificateKind::AuthenticationCa)
    }

    /// Read the DER object that fills (the start of) an EF of the current
    /// application; trailing filler is dropped.
    ///
    /// Strategy: short READ BINARYs, as every public JPKI tool sends: Le=256
    /// at offset 0, the DER header from those bytes, then ≤256-byte chunks,
    /// the last one exactly the remainder. Only when the ATR announces
    /// extended Lc/Le ([`crate::atr`]) is one READ BINARY with extended Le
    /// 65536 tried first; a card that sent less is read on from where it
    /// stopped. If the card refuses it (status words in
    /// [`refuses_extended`]) or the reader fails on it, the card is marked
    /// [`ExtendedRead::Refused`] and read with short APDUs **without any new
    /// SELECT**: re-selecting the AP is how OpenSC logs out (`card-jpki.c`
    /// `jpki_logout`), so it could end the VERIFY this read depends on.
    fn read_der_ef(&mut self, fid: u16, op: &'static str) -> Result<Vec<u8>, CardError> {
        self.select_ef(fid, op)?;
        let mut data = Vec::new();
        if matches!(self.extended, ExtendedRead::Untested | ExtendedRead::Works) {
            match self
                .channel
                .transmit(&Command::read_binary(0, Le::MAX_EXTENDED))
            {
                Ok(r) => match r.sw {
                    StatusWord::Ok | StatusWord::EndOfFileWarning if !r.data.is_empty() => {
                        self.extended = ExtendedRead::Works;
                        data = r.data;
                        data.truncate(Le::MAX_EXTENDED.ne() as usize);
                    }
                    sw if refuses_extended(sw) => {
                        tracing::debug!(target: "madoguchi::card", "extended READ BINARY refused ({sw}); short reads from now on");
                        self.extended = ExtendedRead::Refused;
                    }
                    sw => return Err(self.read_status_error(sw, op)),
                },
                Err(e) if transport_refuses_extended(&e) => {
                    tracing::debug!(target: "madoguchi::card", "extended READ BINARY failed in transport ({e}); short reads from now on");
                    self.extended = ExtendedRead::Refused;
                    // No re-select here (see above): a card that lost the
                    // EF answers the short read with a typed error.
                }
                Err(e) => {
                    // Same bookkeeping as `send`.
                    return Err(self.transport_failed(e));
                }
            }
        }
        if data.is_empty() {
            let r = self.send(&Command::read_binary(0, Le::MAX_SHORT))?;
            match r.sw {
                StatusWord::Ok | StatusWord::EndOfFileWarning if !r.data.is_empty() => {
                    data = r.data;
                    data.truncate(Le::MAX_SHORT.ne() as usize);
                }
                StatusWord::Ok | StatusWord::EndOfFileWarning => {
                    return Err(CardError::MalformedData(format!("{op}: the file is empty")));
                }
                sw => return Err(self.read_status_error(sw, op)),
            }
        }
        let total =
            der_total_length(&data).map_err(|e| CardError::MalformedData(format!("{op}: {e}")))?;
        if total > MAX_EF_OBJECT_LEN {
            return Err(CardError::MalformedData(format!(
                "{op}: object of {total} bytes is larger than a file can be"
            )));
        }
        // Each round adds at least one byte, so at most `total` rounds.
        while data.len() < total {
            // total <= MAX_EF_OBJECT_LEN, so the offset fits 15 bits.
            let offset = u16::try_from(data.len())
                .map_err(|_| CardError::MalformedData(format!("{op}: offset past 15 bits")))?;
            let want = (total - data.len()).min(Le::MAX_SHORT.ne() as usize);
            let r = self.send(&Command::read_binary(offset, Le::Short(want as u16)))?;
            match r.sw {
                StatusWord::Ok | StatusWord::EndOfFileWarning if !r.data.is_empty() => {
                    let take = r.data.len().min(want);
                    data.extend_from_slice(&r.data[..take]);
                }
                StatusWord::Ok | StatusWord::EndOfFileWarning | StatusWord::WrongParameters => {
                    return Err(CardError::MalformedData(format!(
                        "{op}: the file ends at {} bytes inside a {total}-byte object",
                        data.len()
                    )));
                }
                sw => return Err(self.read_status_error(sw, op)),
            }
        }
        data.truncate(total);
        Ok(data)
    }

    fn transport_failed(&mut self, e: TransportError) -> CardError {
        self.app = None;
        self.ef = None;
        if !matches!(e, TransportError::Timeout | TransportError::Sharing) {
            self.verified.clear();
        }
        e.into()
    }

    fn read_status_error(&mut self, sw: StatusWord, op: &'static str) -> CardError {
        match sw {
            StatusWord::SecurityStatusNotSatisfied => CardError::SecurityStatusNotSatisfied,
            StatusWord::WrongParameters => {
                CardError::MalformedData(format!("{op}: the file is empty"))
            }
            sw => CardError::UnexpectedStatus { operation: op, sw },
        }
    }

    /// Make the IEF of `kind` current (selecting its application first).
    fn select_pin(&mut self, kind: PinKind, op: &'static str) -> Result<(), CardError> {
        let (app, ief) = pin_location(kind);
        self.ensure_app(app)?;
        self.select_ef(ief, op)
    }

    /// Tries left for `kind` by an empty VERIFY (`00 20 00 80`), which
    /// spends no try.
    pub fn tries_left(&mut self, kind: PinKind) -> Result<PinStatus, CardError> {
        const OP: &str = "read tries left";
        self.select_pin(kind, OP)?;
        let r = self.send(&Command::verify_query())?;
        match r.sw {
            StatusWord::TriesLeft(0)
            | StatusWord::ReferenceDataNotUsable
            | StatusWord::AuthenticationMethodBlocked => {
                self.set_verified(kind, false);
                Ok(PinStatus::Locked)
            }
            StatusWord::TriesLeft(n) => {
                self.set_verified(kind, false);
                Ok(PinStatus::TriesLeft(n))
            }
            StatusWord::Ok => {
                self.set_verified(kind, true);
                Ok(PinStatus::AlreadyVerified)
            }
            sw => Err(CardError::UnexpectedStatus { operation: OP, sw }),
        }
    }

    /// Raw VERIFY of `secret` against `kind` (tests; the guard uses
    /// `verify_telling`): exactly one VERIFY with data,
    /// no tries check, no format check. For the signing password use
    /// [`crate::guard::PasswordGuard::verify`].
    ///
    /// `63 Cx` (x > 0) → [`CardError::WrongPassword`]; `63 C0`, `69 84` →
    /// [`CardError::Locked`]. An empty secret is refused unsent (it would be
    /// a tries query).
    #[cfg(test)]
    pub(crate) fn verify(&mut self, kind: PinKind, secret: &Secret) -> Result<(), CardError> {
        self.verify_telling(kind, secret)
            .map_err(VerifyFailure::into_error)
    }

    /// Raw VERIFY (the one above; tests use that form), telling whether a
    /// failure came before the VERIFY was handed to the reader, while
    /// waiting for its answer, or in the answer.
    pub(crate) fn verify_telling(
        &mut self,
        kind: PinKind,
        secret: &Secret,
    ) -> Result<(), VerifyFailure> {
        const OP: &str = "verify";
        let data = secret_data(secret).map_err(VerifyFailure::Before)?;
        self.select_pin(kind, OP).map_err(VerifyFailure::Before)?;
        self.set_verified(kind, false);
        let r = self
            .send(&Command::verify(&data))
            .map_err(VerifyFailure::NoAnswer)?;
        match r.sw {
            StatusWord::Ok => {
                self.set_verified(kind, true);
                Ok(())
            }
            StatusWord::TriesLeft(0)
            | StatusWord::ReferenceDataNotUsable
            | StatusWord::AuthenticationMethodBlocked => {
                Err(VerifyFailure::Answered(CardError::Locked(kind)))
            }
            StatusWord::TriesLeft(n) => Err(VerifyFailure::Answered(CardError::WrongPassword {
                kind,
                tries_left: n,
            })),
            sw => Err(VerifyFailure::Answered(CardError::UnexpectedStatus {
                operation: OP,
                sw,
            })),
        }
    }

    /// Sign a DER DigestInfo with the signing key (`80 2A 00 80`); the card
    /// adds the PKCS#1 v1.5 padding. Needs the signing password verified in
    /// this session: without it nothing is sent and the answer is
    /// [`CardError::SecurityStatusNotSatisfied`].
    pub fn sign(&mut self, digest_info: &[u8]) -> Result<Vec<u8>, CardError> {
        const OP: &str = "sign";
        if digest_info.is_empty() || digest_info.len() > 255 {
            return Err(CardError::InvalidRequest(
                "DigestInfo must be 1 to 255 bytes",
            ));
        }
        self.ensure_app(App::Jpki)?;
        if !self.is_verified(PinKind::SigningPassword) {
            return Err(CardError::SecurityStatusNotSatisfied);
        }
        self.select_ef(ids::jpki::SIGNING_KEY, OP)?;
        let r = self.send(&Command::compute_digital_signature(digest_info))?;
        match r.sw {
            StatusWord::Ok if !r.data.is_empty() => Ok(r.data),
            StatusWord::Ok => Err(CardError::MalformedData("empty signature".into())),
            StatusWord::SecurityStatusNotSatisfied => {
                self.set_verified(PinKind::SigningPassword, false);
                Err(CardError::SecurityStatusNotSatisfied)
            }
            sw => Err(CardError::UnexpectedStatus { operation: OP, sw }),
        }
    }

    /// Sign a SHA-256 digest: builds the DigestInfo from the SHA-256 prefix
    /// and calls [`JpkiCard::sign`].
    pub fn sign_sha256(&mut self, digest: &[u8; 32]) -> Result<Vec<u8>, CardError> {
        let mut di = Vec::with_capacity(ids::SHA256_DIGEST_INFO_PREFIX.len() + 32);
        di.extend_from_slice(&ids::SHA256_DIGEST_INFO_PREFIX);
        di.extend_from_slice(digest);
        self.sign(&di)
    }

    /// CHANGE REFERENCE DATA (`00 24 01 80`) of `kind` to `new`.
    ///
    /// The card accepts it only right after a successful VERIFY of the old
    /// value; that VERIFY (and the format check of `new`) is the caller's
    /// job — [`crate::guard::PasswordGuard::change_password`] does both.
    /// Without it the card answers `69 82`:
    /// [`CardError::SecurityStatusNotSatisfied`].
    pub(crate) fn change_reference_data(
        &mut self,
        kind: PinKind,
        new: &Secret,
    ) -> Result<(), CardError> {
        const OP: &str = "change password";
        let data = secret_data(new)?;
        self.select_pin(kind, OP)?;
        let r = self.send(&Command::change_reference_data(&data))?;
        match r.sw {
            StatusWord::Ok => Ok(()),
            StatusWord::SecurityStatusNotSatisfied => {
                self.set_verified(kind, false);
                Err(CardError::SecurityStatusNotSatisfied)
            }
            StatusWord::TriesLeft(0)
            | StatusWord::ReferenceDataNotUsable
            | StatusWord::AuthenticationMethodBlocked => Err(CardError::Locked(kind)),
            sw => Err(CardError::UnexpectedStatus { operation: OP, sw }),
        }
    }
}

impl<C: CardChannel> std::fmt::Debug for JpkiCard<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JpkiCard")
            .field("app", &self.app)
            .field("ef", &self.ef)
            .field("verified", &self.verified)
            .field("extended", &self.extended)
            .field("stats", &self.channel.stats)
            .finish()
    }
}

/// A secret's bytes for VERIFY or CHANGE REFERENCE DATA, in a zeroizing
/// buffer. An empty one is refused unsent: as VERIFY data it would turn the
/// command into a tries query.
fn secret_data(secret: &Secret) -> Result<Zeroizing<Vec<u8>>, CardError> {
    if secret.is_empty() {
        return Err(CardError::InvalidRequest("empty secret"));
    }
    Ok(Zeroizing::new(secret.expose().as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testcard::{self, FakeCard, JPKI, Seen, der_blob, fake_signature};
    use proptest::prelude::*;

    fn new_card() -> (FakeCard, JpkiCard<FakeCard>) {
        let fake = FakeCard::my_number_card();
        (fake.clone(), JpkiCard::new(fake))
    }

    /// A card whose ATR announces extended Lc/Le.
    fn new_extended_card() -> (FakeCard, JpkiCard<FakeCard>) {
        let fake = FakeCard::my_number_card();
        fake.state().extended_atr = true;
        (fake.clone(), JpkiCard::new(fake))
    }

    fn sign_pin() -> (u8, u16) {
        (JPKI, ids::jpki::SIGNING_PASSWORD)
    }

    fn reads(fake: &FakeCard) -> Vec<(u16, Le)> {
        fake.state()
            .log
            .iter()
            .filter_map(|s| match s {
                Seen::Read { offset, le } => Some((*offset, *le)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn token_labels() {
        let pad = |l: &str, p: u8| {
            let mut v = l.as_bytes().to_vec();
            v.resize(160, p);
            v
        };
        assert_eq!(
            parse_token_info(&pad("JPKIAPICCTOKEN2", b' ')),
            TokenKind::MyNumberCard
        );
        assert_eq!(
            parse_token_info(&pad("JPKIAPICCTOKEN2", 0)),
            TokenKind::MyNumberCard
        );
        assert_eq!(
            parse_token_info(&pad("JPKIAPICCTOKEN", b' ')),
            TokenKind::JukiCard
        );
        assert_eq!(
            parse_token_info(&pad("JPKIAPGPSETOKEN", b' ')),
            TokenKind::SmartphoneAndroid
        );
        assert_eq!(
            parse_token_info(&pad("JPKIAPIOSTOKEN", 0)),
            TokenKind::SmartphoneIphone
        );
        assert_eq!(
            parse_token_info(b"JPKIAPICCTOKEN2"),
            TokenKind::MyNumberCard
        );
        // Only the first 32 bytes count.
        let mut long = pad("JPKIAPICCTOKEN", b' ');
        long[32] = b'X';
        assert_eq!(parse_token_info(&long), TokenKind::JukiCard);
        assert_eq!(
            parse_token_info(&pad("JPKIAPICCTOKEN3", b' ')),
            TokenKind::Other("JPKIAPICCTOKEN3".into())
        );
        assert_eq!(parse_token_info(&[]), TokenKind::Other(String::new()));
        assert_eq!(
            parse_token_info(b"AB\x07\xFF  "),
            TokenKind::Other("AB\u{FFFD}\u{FFFD}".into())
        );
    }

    #[test]
    fn der_lengths() {
        assert_eq!(der_total_length(&[0x30, 0x03, 1, 2, 3]), Ok(5));
        assert_eq!(der_total_length(&[0x30, 0x03]), Ok(5));
        assert_eq!(der_total_length(&[0x30, 0x81, 0x80]), Ok(131));
        assert_eq!(der_total_length(&[0x30, 0x82, 0x07, 0x08]), Ok(0x708 + 4));
        assert_eq!(
            der_total_length(&[0x04, 0x83, 0x01, 0x00, 0x00]),
            Ok(0x10000 + 5)
        );
        assert_eq!(der_total_length(&[]), Err(DerLengthError::Truncated));
        assert_eq!(der_total_length(&[0x30]), Err(DerLengthError::Truncated));
        assert_eq!(
            der_total_length(&[0x30, 0x82, 0x07]),
            Err(DerLengthError::Truncated)
        );
        // Indefinite and non-minimal lengths are not DER.
        assert!(matches!(
            der_total_length(&[0x30, 0x80]),
            Err(DerLengthError::Invalid(_))
        ));
        assert!(matches!(
            der_total_length(&[0x30, 0x81, 0x05]),
            Err(DerLengthError::Invalid(_))
        ));
        assert!(matches!(
            der_total_length(&[0x30, 0x82, 0x00, 0x9F]),
            Err(DerLengthError::Invalid(_))
        ));
        assert_eq!(der_header(&[0x30, 0x00]).unwrap().0, Tag::Sequence);
    }

    proptest! {
        #[test]
        fn der_length_of_any_header(len in 0usize..0x0100_0000, cut in 0usize..6) {
            // Build a header the long way round and check the decoder agrees.
            let mut h = vec![0x30];
            if len < 0x80 {
                h.push(len as u8);
            } else {
                let bytes: Vec<u8> = (len as u32).to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
                h.push(0x80 | bytes.len() as u8);
                h.extend(bytes);
            }
            prop_assert_eq!(der_total_length(&h), Ok(h.len() + len));
            if cut > 0 && cut <= h.len() {
                let short = &h[..h.len() - cut];
                prop_assert_eq!(der_total_length(short), Err(DerLengthError::Truncated));
            }
        }

        #[test]
        fn der_length_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..12)) {
            if let Ok(n) = der_total_length(&bytes) {
                prop_assert!(n >= 2);
            }
            let _ = parse_token_info(&bytes);
        }
    }

    #[test]
    fn card_without_jpki_is_not_jpki() {
        let (fake, mut card) = new_card();
        fake.state().has_jpki = false;
        assert_eq!(card.select_jpki_ap(), Err(CardError::NotJpki));
        assert_eq!(card.token(), Err(CardError::NotJpki));
    }

    #[test]
    fn token_in_three_apdus() {
        let (_, mut card) = new_card();
        assert_eq!(card.token(), Ok(TokenKind::MyNumberCard));
        assert_eq!(card.stats().apdus, 3);
        // Selection remembered: a second read is one APDU.
        assert_eq!(card.token(), Ok(TokenKind::MyNumberCard));
        assert_eq!(card.stats().apdus, 4);
    }

    #[test]
    fn unknown_label_with_signing_files_is_jpki() {
        let (fake, mut card) = new_card();
        let mut t = b"JPKIAPICCTOKEN3".to_vec();
        t.resize(160, b' ');
        fake.state().files.insert((JPKI, ids::jpki::TOKEN_INFO), t);
        assert_eq!(
            card.jpki_token(),
            Ok(TokenKind::Other("JPKIAPICCTOKEN3".into()))
        );
        // SELECT AP, SELECT 0006, READ, then 0001, 001A, 001B.
        assert_eq!(card.stats().apdus, 6);
        // Without the signing certificate's EF it is not a JPKI card.
        fake.state()
            .files
            .remove(&(JPKI, ids::jpki::SIGNING_CERTIFICATE));
        assert_eq!(card.jpki_token(), Err(CardError::NotJpki));
        // A known label costs nothing more.
        let (_, mut card) = new_card();
        assert_eq!(card.jpki_token(), Ok(TokenKind::MyNumberCard));
        assert_eq!(card.stats().apdus, 3);
    }

    #[test]
    fn juki_token() {
        let (fake, mut card) = new_card();
        let mut t = ids::token::JUKI_CARD.as_bytes().to_vec();
        t.resize(160, b' ');
        fake.state().files.insert((JPKI, ids::jpki::TOKEN_INFO), t);
        assert_eq!(card.token(), Ok(TokenKind::JukiCard));
    }

    #[test]
    fn signing_certificate_needs_the_password() {
        let (fake, mut card) = new_extended_card();
        assert_eq!(
            card.read_signing_certificate(),
            Err(CardError::SecurityStatusNotSatisfied)
        );
        // The refusal says nothing about extended-Le support.
        assert_eq!(card.extended_read(), ExtendedRead::Untested);
        card.verify(
            PinKind::SigningPassword,
            &Secret::new(testcard::SIGN_PASSWORD),
        )
        .unwrap();
        let before = card.stats();
        let cert = card.read_signing_certificate().unwrap();
        assert_eq!(cert, der_blob(1800, 1), "filler trimmed");
        let used = card.stats().since(before);
        // SELECT EF 0001 + one extended READ BINARY.
        assert_eq!(used.apdus, 2);
        assert_eq!(card.extended_read(), ExtendedRead::Works);
        assert_eq!(reads(&fake).last(), Some(&(0, Le::MAX_EXTENDED)));
        assert_eq!(fake.tries(sign_pin()), 5);
    }

    #[test]
    fn all_certificates_read_with_short_apdus_by_default() {
        let (fake, mut card) = new_card();
        assert_eq!(card.extended_read(), ExtendedRead::NotOffered);
        assert_eq!(
            card.read_signing_ca_certificate().unwrap(),
            der_blob(1000, 2)
        );
        assert_eq!(
            card.read_authentication_certificate().unwrap(),
            der_blob(1500, 3)
        );
        assert_eq!(
            card.read_authentication_ca_certificate().unwrap(),
            der_blob(1000, 4)
        );
        // 1 SELECT AP + 3 SELECT EF + 4 + 6 + 4 reads of ≤256 bytes.
        assert_eq!(card.stats().apdus, 18);
        let r = reads(&fake);
        assert!(r.iter().all(|(_, le)| matches!(le, Le::Short(_))));
        assert_eq!(r[0], (0, Le::Short(256)));
        assert_eq!(card.extended_read(), ExtendedRead::NotOffered);
    }

    #[test]
    fn all_certificates_read_extended_where_offered() {
        let (_, mut card) = new_extended_card();
        assert_eq!(
            card.read_signing_ca_certificate().unwrap(),
            der_blob(1000, 2)
        );
        assert_eq!(
            card.read_authentication_certificate().unwrap(),
            der_blob(1500, 3)
        );
        assert_eq!(
            card.read_authentication_ca_certificate().unwrap(),
            der_blob(1000, 4)
        );
        // 1 SELECT AP + 3 × (SELECT EF + 1 READ).
        assert_eq!(card.stats().apdus, 7);
    }

    #[test]
    fn extended_refused_falls_back_to_short_reads_once() {
        for refusal in [
            StatusWord::WrongLength,
            StatusWord::IncorrectP1P2,
            StatusWord::WrongParameters,
            StatusWord::InsNotSupported,
            StatusWord::FUNCTION_NOT_SUPPORTED,
        ] {
            let (fake, mut card) = new_extended_card();
            fake.state().extended_refusal = Some(refusal);
            fake.state().max_read = 256;
            let cert = card.read_authentication_certificate().unwrap();
            assert_eq!(cert, der_blob(1500, 3));
            assert_eq!(card.extended_read(), ExtendedRead::Refused);
            // 1504 bytes: extended try, then 256 × 5 + 224.
            let r = reads(&fake);
            assert_eq!(r[0], (0, Le::MAX_EXTENDED));
            let short: Vec<_> = r[1..].to_vec();
            assert_eq!(
                short,
                vec![
                    (0, Le::Short(256)),
                    (256, Le::Short(256)),
                    (512, Le::Short(256)),
                    (768, Le::Short(256)),
                    (1024, Le::Short(256)),
                    (1280, Le::Short(224)),
                ]
            );
            fake.state().log.clear();
            card.read_signing_ca_certificate().unwrap();
            assert!(
                reads(&fake)
                    .iter()
                    .all(|(_, le)| matches!(le, Le::Short(_))),
                "extended Le not retried"
            );
        }
    }

    #[test]
    fn capped_extended_answer_is_read_on() {
        let (fake, mut card) = new_extended_card();
        fake.state().max_read = 256;
        let cert = card.read_authentication_certificate().unwrap();
        assert_eq!(cert, der_blob(1500, 3));
        let r = reads(&fake);
        assert_eq!(r[0], (0, Le::MAX_EXTENDED));
        assert_eq!(r[1], (256, Le::Short(256)));
        assert_eq!(r.last(), Some(&(1280, Le::Short(224))));
    }

    #[test]
    fn chained_answers_are_joined() {
        let (fake, mut card) = new_card();
        fake.state().chain = Some(200);
        let cert = card.read_authentication_certificate().unwrap();
        assert_eq!(cert, der_blob(1500, 3));
    }

    #[test]
    fn transport_failure_on_extended_falls_back() {
        /// Fails every extended-length command like a reader without
        /// extended APDU support.
        struct NoExtended(FakeCard);
        impl CardChannel for NoExtended {
            fn transmit_raw(&mut self, c: &[u8]) -> Result<Vec<u8>, TransportError> {
                if c.len() == 7 && c[4] == 0 {
                    return Err(TransportError::Other("insufficient buffer".into()));
                }
                self.0.transmit_raw(c)
            }
            fn atr(&self) -> Vec<u8> {
                self.0.atr()
            }
            fn reset(&mut self) -> Result<(), TransportError> {
                self.0.reset()
            }
        }
        let fake = FakeCard::my_number_card();
        fake.state().extended_atr = true;
        let mut card = JpkiCard::new(NoExtended(fake.clone()));
        card.verify(
            PinKind::SigningPassword,
            &Secret::new(testcard::SIGN_PASSWORD),
        )
        .unwrap();
        fake.state().log.clear();
        assert_eq!(card.read_signing_certificate().unwrap(), der_blob(1800, 1));
        assert_eq!(card.extended_read(), ExtendedRead::Refused);
        // Nothing re-selected between the VERIFY and the read: only the
        // EF's SELECT before the (failed) extended read.
        let selects: Vec<_> = fake
            .state()
            .log
            .iter()
            .filter(|s| matches!(s, Seen::SelectDf(_) | Seen::SelectEf(_)))
            .cloned()
            .collect();
        assert_eq!(
            selects,
            vec![Seen::SelectEf(ids::jpki::SIGNING_CERTIFICATE)]
        );
    }

    #[test]
    fn short_file_is_malformed_not_a_hang() {
        let (fake, mut card) = new_card();
        // Header claims 1500 content bytes; the file holds 300.
        let mut f = der_blob(1500, 3);
        f.truncate(300);
        fake.state()
            .files
            .insert((JPKI, ids::jpki::AUTHENTICATION_CERTIFICATE), f);
        assert!(matches!(
            card.read_authentication_certificate(),
            Err(CardError::MalformedData(_))
        ));
        // Empty file, and a file that is not a certificate.
        fake.state()
            .files
            .insert((JPKI, ids::jpki::AUTHENTICATION_CERTIFICATE), vec![]);
        assert!(matches!(
            card.read_authentication_certificate(),
            Err(CardError::MalformedData(_))
        ));
        fake.state().files.insert(
            (JPKI, ids::jpki::AUTHENTICATION_CERTIFICATE),
            vec![0x04, 0x01, 0x00],
        );
        assert!(matches!(
            card.read_authentication_certificate(),
            Err(CardError::MalformedData(_))
        ));
        // Larger than a file can be.
        fake.state().files.insert(
            (JPKI, ids::jpki::AUTHENTICATION_CERTIFICATE),
            vec![0x30, 0x83, 0x01, 0x00, 0x00],
        );
        assert!(matches!(
            card.read_authentication_certificate(),
            Err(CardError::MalformedData(_))
        ));
    }

    #[test]
    fn tries_left_answers() {
        let (fake, mut card) = new_card();
        assert_eq!(
            card.tries_left(PinKind::SigningPassword),
            Ok(PinStatus::TriesLeft(5))
        );
        assert_eq!(
            card.tries_left(PinKind::AuthenticationPin),
            Ok(PinStatus::TriesLeft(3))
        );
        assert_eq!(
            card.tries_left(PinKind::CardInfoPin),
            Ok(PinStatus::TriesLeft(3))
        );
        fake.state().pins.get_mut(&sign_pin()).unwrap().tries = 0;
        assert_eq!(
            card.tries_left(PinKind::SigningPassword),
            Ok(PinStatus::Locked)
        );
        // No try was spent by any of this.
        assert!(
            !fake
                .state()
                .log
                .iter()
                .any(|s| matches!(s, Seen::VerifyData { .. }))
        );

        let (fake, mut card) = new_card();
        fake.state().query_ok_when_verified = true;
        card.verify(PinKind::SigningPassword, &Secret::new("ABC123"))
            .unwrap();
        assert_eq!(
            card.tries_left(PinKind::SigningPassword),
            Ok(PinStatus::AlreadyVerified)
        );
    }

    #[test]
    fn verify_answers() {
        let (fake, mut card) = new_card();
        assert_eq!(
            card.verify(PinKind::SigningPassword, &Secret::new("WRONG1")),
            Err(CardError::WrongPassword {
                kind: PinKind::SigningPassword,
                tries_left: 4
            })
        );
        card.verify(PinKind::SigningPassword, &Secret::new("ABC123"))
            .unwrap();
        assert_eq!(fake.tries(sign_pin()), 5);
        assert!(card.is_verified(PinKind::SigningPassword));
        fake.state().pins.get_mut(&sign_pin()).unwrap().tries = 1;
        assert_eq!(
            card.verify(PinKind::SigningPassword, &Secret::new("WRONG1")),
            Err(CardError::Locked(PinKind::SigningPassword))
        );
        assert!(!card.is_verified(PinKind::SigningPassword));
        assert_eq!(
            card.verify(PinKind::SigningPassword, &Secret::new("ABC123")),
            Err(CardError::Locked(PinKind::SigningPassword))
        );
        assert_eq!(
            card.verify(PinKind::SigningPassword, &Secret::new("")),
            Err(CardError::InvalidRequest("empty secret"))
        );
        let sent = fake
            .state()
            .log
            .iter()
            .filter(|s| matches!(s, Seen::VerifyData { .. }))
            .count();
        assert_eq!(sent, 4, "the empty secret never left");
    }

    #[test]
    fn sign_needs_verify_and_uses_the_digest_info() {
        let (fake, mut card) = new_card();
        let digest = [7u8; 32];
        assert_eq!(
            card.sign_sha256(&digest),
            Err(CardError::SecurityStatusNotSatisfied)
        );
        assert!(
            !fake
                .state()
                .log
                .iter()
                .any(|s| matches!(s, Seen::Sign { .. }))
        );
        card.verify(PinKind::SigningPassword, &Secret::new("ABC123"))
            .unwrap();
        let sig = card.sign_sha256(&digest).unwrap();
        let mut di = ids::SHA256_DIGEST_INFO_PREFIX.to_vec();
        di.extend_from_slice(&digest);
        assert_eq!(sig, fake_signature(&di));
        assert_eq!(
            card.sign(&[]),
            Err(CardError::InvalidRequest(
                "DigestInfo must be 1 to 255 bytes"
            ))
        );
        // A card that lost the state answers 6982, typed.
        fake.state().verified.clear();
        assert_eq!(
            card.sign_sha256(&digest),
            Err(CardError::SecurityStatusNotSatisfied)
        );
        assert!(!card.is_verified(PinKind::SigningPassword));
    }

    #[test]
    fn signature_flow_apdu_count() {
        let (_, mut card) = new_card();
        assert_eq!(
            card.tries_left(PinKind::SigningPassword),
            Ok(PinStatus::TriesLeft(5))
        );
        card.verify(PinKind::SigningPassword, &Secret::new("ABC123"))
            .unwrap();
        card.sign_sha256(&[1; 32]).unwrap();
        // SELECT AP, SELECT 001B, empty VERIFY, VERIFY, SELECT 001A, 80 2A.
        assert_eq!(card.stats().apdus, 6);
    }

    #[test]
    fn change_reference_data_after_verify_only() {
        let (fake, mut card) = new_card();
        let new = Secret::new("NEW999");
        assert_eq!(
            card.change_reference_data(PinKind::SigningPassword, &new),
            Err(CardError::SecurityStatusNotSatisfied)
        );
        card.verify(PinKind::SigningPassword, &Secret::new("ABC123"))
            .unwrap();
        card.change_reference_data(PinKind::SigningPassword, &new)
            .unwrap();
        assert_eq!(fake.state().pins[&sign_pin()].value, b"NEW999");
    }

    #[test]
    fn card_info_ap_drops_jpki_state() {
        let (fake, mut card) = new_card();
        card.verify(PinKind::SigningPassword, &Secret::new("ABC123"))
            .unwrap();
        assert_eq!(
            card.tries_left(PinKind::CardInfoPin),
            Ok(PinStatus::TriesLeft(3))
        );
        assert!(!card.is_verified(PinKind::SigningPassword));
        assert_eq!(
            card.sign_sha256(&[0; 32]),
            Err(CardError::SecurityStatusNotSatisfied)
        );
        assert!(
            !fake
                .state()
                .log
                .iter()
                .any(|s| matches!(s, Seen::Sign { .. }))
        );
        card.select_card_info_ap().unwrap();
        card.select_jpki_ap().unwrap();
    }

    #[test]
    fn removal_after_every_apdu_is_typed() {
        // verify + read signing certificate, and verify + sign, cut after
        // each APDU in turn.
        for refused in [false, true] {
            for n in 0..8 {
                let (fake, mut card) = new_card();
                if refused {
                    fake.state().extended_refusal = Some(StatusWord::WrongLength);
                    fake.state().max_read = 256;
                }
                fake.state().remove_after = Some(n);
                let r = card
                    .verify(PinKind::SigningPassword, &Secret::new("ABC123"))
                    .and_then(|()| card.read_signing_certificate());
                if let Err(e) = &r {
                    assert_eq!(e, &CardError::CardRemoved, "cut after {n}");
                }
                assert_eq!(fake.tries(sign_pin()), 5);
            }
        }
        // SELECT AP, SELECT 001B, VERIFY, SELECT 001A, 80 2A: five APDUs.
        for n in 0..5 {
            let (fake, mut card) = new_card();
            fake.state().remove_after = Some(n);
            let r = card
                .verify(PinKind::SigningPassword, &Secret::new("ABC123"))
                .and_then(|()| card.sign_sha256(&[3; 32]));
            assert_eq!(r.err(), Some(CardError::CardRemoved), "cut after {n}");
            assert_eq!(fake.tries(sign_pin()), 5);
            assert!(!card.is_verified(PinKind::SigningPassword));
        }
    }

    /// Answers with whatever bytes the test gives, in turn.
    struct Chaos(std::collections::VecDeque<Vec<u8>>);
    impl CardChannel for Chaos {
        fn transmit_raw(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.0.pop_front().ok_or(TransportError::CardRemoved)
        }
        fn atr(&self) -> Vec<u8> {
            vec![]
        }
        fn reset(&mut self) -> Result<(), TransportError> {
            Ok(())
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_card_answers_give_results_or_typed_errors(
            answers in proptest::collection::vec(
                prop_oneof![
                    Just(vec![0x90, 0x00]),
                    Just(vec![0x63, 0xC2]),
                    Just(vec![0x69, 0x82]),
                    Just(vec![0x6A, 0x82]),
                    Just(vec![0x67, 0x00]),
                    Just(vec![0x61, 0x10]),
                    Just(vec![0x6C, 0x05]),
                    (0usize..3000).prop_map(|n| {
                        let mut v = der_blob(n, 9);
                        v.truncate(v.len().min(700));
                        v.extend([0x90, 0x00]);
                        v
                    }),
                    proptest::collection::vec(any::<u8>(), 0..300),
                ],
                0..40,
            ),
            op in 0u8..6,
        ) {
            let mut card = JpkiCard::new(Chaos(answers.into()));
            let _ = match op {
                0 => card.token().map(|_| ()),
                1 => card.read_authentication_certificate().map(|_| ()),
                2 => card.tries_left(PinKind::SigningPassword).map(|_| ()),
                3 => card.verify(PinKind::SigningPassword, &Secret::new("ABC123")),
                4 => card.read_signing_ca_certificate().and_then(|_| card.read_signing_ca_certificate()).map(|_| ()),
                _ => card.verify(PinKind::SigningPassword, &Secret::new("ABC123")).and_then(|()| card.sign_sha256(&[0; 32]).map(|_| ())),
            };
            prop_assert!(card.stats().apdus <= 40 + 1);
        }
    }
}
