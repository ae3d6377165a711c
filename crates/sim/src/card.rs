//! The virtual card's state machine: command APDU bytes in, response APDU
//! bytes out (reference `jpki-card.md` §1–§6 and the §11 checklist).
//!
//! Applications and files:
//!
//! | DF | FID | content | access |
//! |---|---|---|---|
//! | JPKI AP | `0001` | signing certificate | signing password |
//! | | `0002` | signing CA certificate | free |
//! | | `0006` | token info, 160 bytes, label space padded | free |
//! | | `0008` | `8F 8F 00` (certificate flags) | free |
//! | | `000A` | authentication certificate | free (auth PIN on smartphone tokens) |
//! | | `000B` | authentication CA certificate | free |
//! | | `0017` / `0018` | authentication key / PIN (IEF) | |
//! | | `001A` / `001B` | signing key / password (IEF) | |
//! | 券面事項入力補助AP | `0001` | My Number, 17 bytes | card-info PIN |
//! | | `0002` | basic four, BER-TLV `FF20` | card-info PIN |
//! | | `0003` | integrity record `FF30` | card-info PIN |
//! | | `0011` | card-info PIN (IEF) | |
//!
//! Choices where the sources are silent (reference §12), all documented in
//! the code where they are made: a wrong-length VERIFY value counts as a
//! wrong entry; `80 2A` with no key selected answers `69 86`; VERIFY with
//! P2=`80` and no IEF selected answers `69 86`; an SFI that names no IEF/key
//! answers `6A 88`; READ BINARY of an IEF or key answers `69 81`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use madoguchi_card::apdu::{cla, ins};
use madoguchi_card::{Command, PinKind, Response, StatusWord, ids};
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pss::Pss;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::SimError;
use crate::profile::{CardOptions, Profile};
use crate::state::{self, SecretRecord, StateDoc, StateError};

/// The JPKI contact ATR (T=1, no historical bytes) that OpenSC's `jpki`
/// driver matches.
pub const ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// [`ATR`] with 5 historical bytes: category `80`, card capabilities
/// (compact-TLV `73`) `00 00 40`, b7 of the third byte = extended Lc/Le
/// (ISO/IEC 7816-4 §12.1.1.9); T0 counts them, TCK covers them.
pub const EXTENDED_ATR: [u8; 14] = [
    0x3B, 0xE5, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x80, 0x73, 0x00, 0x00, 0x40, 0xA2,
];

/// `69 81`: command incompatible with file structure.
const INCOMPATIBLE_FILE: StatusWord = StatusWord::Other(0x69, 0x81);
/// `6A 88`: referenced data (key or IEF) not found.
const REFERENCE_NOT_FOUND: StatusWord = StatusWord::Other(0x6A, 0x88);
/// `68 84`: command chaining not supported.
const CHAINING_NOT_SUPPORTED: StatusWord = StatusWord::Other(0x68, 0x84);

/// Longest DF name SELECT accepts (ISO 7816-4).
const MAX_DF_NAME: usize = 16;

/// An application on the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Application {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    CardInfo,
}

impl Application {
    pub fn aid(self) -> &'static [u8] {
        match self {
            Application::Jpki => &ids::AID_JPKI,
            Application::CardInfo => &ids::AID_CARD_INFO,
        }
    }
}

fn owner(kind: PinKind) -> Application {
    match kind {
        PinKind::SigningPassword | PinKind::AuthenticationPin => Application::Jpki,
        PinKind::CardInfoPin => Application::CardInfo,
    }
}

fn max_tries(kind: PinKind) -> u8 {
    match kind {
        PinKind::SigningPassword => ids::SIGNING_PASSWORD_TRIES,
        PinKind::AuthenticationPin => ids::AUTHENTICATION_PIN_TRIES,
        PinKind::CardInfoPin => ids::CARD_INFO_PIN_TRIES,
    }
}

/// What an EF is.
enum FileKind {
    /// A transparent EF; reading needs `read_needs` verified, if set.
    Binary {
        content: Vec<u8>,
        read_needs: Option<PinKind>,
    },
    /// An IEF holding a secret.
    Secret(PinKind),
    /// A private key EF, usable once its secret is verified.
    Key(PinKind),
}

/// A secret's live state.
struct SecretCell {
    reference: Zeroizing<Vec<u8>>,
    /// Whether `reference` differs from the profile's (then it is persisted).
    changed: bool,
    tries_left: u8,
}

type SignResult = Result<Vec<u8>, StatusWord>;

/// A virtual JPKI card.
pub struct VirtualCard {
    options: CardOptions,
    files: HashMap<(Application, u16), FileKind>,
    secrets: HashMap<PinKind, SecretCell>,
    keys: HashMap<PinKind, RsaPrivateKey>,
    current_df: Option<Application>,
    current_ef: Option<u16>,
    verified: HashSet<PinKind>,
    state_path: Option<PathBuf>,
    /// Length rule for CHANGE REFERENCE DATA, per secret.
    juki: bool,
    /// The in-process client holding a transaction, if any (see
    /// [`crate::SimChannel`]); PC/SC clients get theirs from pcscd.
    holder: Option<u64>,
}

impl std::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCard")
            .field("current_df", &self.current_df)
            .field("current_ef", &self.current_ef)
            .field("verified", &self.verified)
            .field("state_path", &self.state_path)
            .finish_non_exhaustive()
    }
}

impl VirtualCard {
    /// A card from a loaded profile, with counters in memory only.
    pub fn new(profile: Profile) -> VirtualCard {
        let Profile {
            token,
            signing,
            authentication,
            card_info,
            options,
            source: _,
        } = profile;
        let mut files = HashMap::new();
        let mut secrets = HashMap::new();
        let mut keys = HashMap::new();
        let pad = |der: Vec<u8>| {
            let mut v = der;
            v.resize(v.len() + options.certificate_padding, 0xFF);
            v
        };
        let smartphone = token == ids::token::ANDROID || token == ids::token::IPHONE;
        let j = Application::Jpki;
        let bin = |content: Vec<u8>, read_needs: Option<PinKind>| FileKind::Binary {
            content,
            read_needs,
        };
        files.insert(
            (j, ids::jpki::SIGNING_CERTIFICATE),
            bin(pad(signing.certificate), Some(PinKind::SigningPassword)),
        );
        files.insert(
            (j, ids::jpki::SIGNING_CA_CERTIFICATE),
            bin(pad(signing.ca_certificate), None),
        );
        files.insert((j, ids::jpki::TOKEN_INFO), bin(token_info(&token), None));
        let flags = vec![
            0x8F,
            if authentication.is_some() { 0x8F } else { 0x00 },
            0x00,
        ];
        files.insert((j, ids::jpki::CERTIFICATE_FLAGS), bin(flags, None));
        files.insert(
            (j, ids::jpki::SIGNING_KEY),
            FileKind::Key(PinKind::SigningPassword),
        );
        files.insert(
            (j, ids::jpki::SIGNING_PASSWORD),
            FileKind::Secret(PinKind::SigningPassword),
        );
        keys.insert(PinKind::SigningPassword, signing.private_key);
        secrets.insert(
            PinKind::SigningPassword,
            SecretCell {
                reference: signing.secret,
                changed: false,
                tries_left: signing.tries_left,
            },
        );
        if let Some(auth) = authentication {
            let needs = smartphone.then_some(PinKind::AuthenticationPin);
            files.insert(
                (j, ids::jpki::AUTHENTICATION_CERTIFICATE),
                bin(pad(auth.certificate), needs),
            );
            files.insert(
                (j, ids::jpki::AUTHENTICATION_CA_CERTIFICATE),
                bin(pad(auth.ca_certificate), None),
            );
            files.insert(
                (j, ids::jpki::AUTHENTICATION_KEY),
                FileKind::Key(PinKind::AuthenticationPin),
            );
            files.insert(
                (j, ids::jpki::AUTHENTICATION_PIN),
                FileKind::Secret(PinKind::AuthenticationPin),
            );
            keys.insert(PinKind::AuthenticationPin, auth.private_key);
            secrets.insert(
                PinKind::AuthenticationPin,
                SecretCell {
                    reference: auth.secret,
                    changed: false,
                    tries_left: auth.tries_left,
                },
            );
        }
        if let Some(info) = card_info {
            let c = Application::CardInfo;
            let pin = Some(PinKind::CardInfoPin);
            let my_number = my_number_ef(&info.my_number);
            let (basic, basic_from_df22) =
                basic_four_ef(&info.name, &info.address, &info.birth_date, &info.sex);
            let integrity = integrity_ef(&my_number, &basic[basic_from_df22..]);
            files.insert((c, ids::card_info::MY_NUMBER), bin(my_number, pin));
            files.insert((c, ids::card_info::BASIC_FOUR), bin(basic, pin));
            files.insert((c, ids::card_info::INTEGRITY), bin(integrity, pin));
            files.insert(
                (c, ids::card_info::PIN),
                FileKind::Secret(PinKind::CardInfoPin),
            );
            secrets.insert(
                PinKind::CardInfoPin,
                SecretCell {
                    reference: info.pin,
                    changed: false,
                    tries_left: info.tries_left,
                },
            );
        }
        VirtualCard {
            options,
            files,
            secrets,
            keys,
            current_df: None,
            current_ef: None,
            verified: HashSet::new(),
            state_path: None,
            juki: token == ids::token::JUKI_CARD,
            holder: None,
        }
    }

    /// Load a profile and, if given, the state file (created on the first
    /// counter change when it does not exist yet).
    pub fn open(profile: impl AsRef<Path>, state: Option<&Path>) -> Result<VirtualCard, SimError> {
        let card = VirtualCard::new(Profile::load(profile)?);
        match state {
            Some(path) => Ok(card.with_state_file(path)?),
            None => Ok(card),
        }
    }

    /// Persist counters and changed secrets in `path`; if it exists, its
    /// values replace the profile's.
    pub fn with_state_file(mut self, path: impl Into<PathBuf>) -> Result<VirtualCard, StateError> {
        let path = path.into();
        if let Some(doc) = state::load(&path)? {
            for (kind, record) in [
                (PinKind::SigningPassword, doc.signing),
                (PinKind::AuthenticationPin, doc.authentication),
                (PinKind::CardInfoPin, doc.card_info),
            ] {
                let (Some(record), Some(cell)) = (record, self.secrets.get_mut(&kind)) else {
                    continue;
                };
                cell.tries_left = record.tries_left.min(max_tries(kind));
                if let Some(hex) = record.reference_hex.as_deref() {
                    let value = state::from_hex(hex).ok_or_else(|| StateError::Parse {
                        path: path.clone(),
                        message: format!("{kind:?}: reference_hex is not hex"),
                    })?;
                    cell.reference = value;
                    cell.changed = true;
                }
            }
        }
        self.state_path = Some(path);
        Ok(self)
    }

    /// The answer to reset: the My Number card's, or with
    /// [`CardOptions::extended_length`] the same interface bytes with
    /// historical bytes announcing extended Lc/Le ([`EXTENDED_ATR`]).
    pub fn atr(&self) -> &'static [u8] {
        if self.options.extended_length {
            &EXTENDED_ATR
        } else {
            &ATR
        }
    }

    pub fn options(&self) -> &CardOptions {
        &self.options
    }

    /// Change behaviour switches at run time.
    pub fn options_mut(&mut self) -> &mut CardOptions {
        &mut self.options
    }

    /// Tries left for a secret (`None` if the card has no such secret).
    pub fn tries_left(&self, kind: PinKind) -> Option<u8> {
        self.secrets.get(&kind).map(|c| c.tries_left)
    }

    /// Whether a secret is verified in the current session.
    pub fn is_verified(&self, kind: PinKind) -> bool {
        self.verified.contains(&kind)
    }

    /// The public half of the signing (`SigningPassword`) or authentication
    /// (`AuthenticationPin`) key.
    pub fn public_key(&self, kind: PinKind) -> Option<RsaPublicKey> {
        self.keys.get(&kind).map(RsaPrivateKey::to_public_key)
    }

    /// The currently selected application, if any.
    pub fn current_application(&self) -> Option<Application> {
        self.current_df
    }

    /// The current EF of the current application, if any.
    pub fn current_ef(&self) -> Option<u16> {
        self.current_ef
    }

    /// Whether some in-process client holds a transaction.
    pub fn is_held(&self) -> bool {
        self.holder.is_some()
    }

    /// Whether in-process client `client` may talk to the card now: no
    /// other client holds a transaction.
    pub fn free_for(&self, client: u64) -> bool {
        self.holder.is_none_or(|h| h == client)
    }

    /// Start a transaction for `client`; `false` while another holds one.
    pub fn hold(&mut self, client: u64) -> bool {
        if self.free_for(client) {
            self.holder = Some(client);
            true
        } else {
            false
        }
    }

    /// End `client`'s transaction (nothing if it holds none).
    pub fn release(&mut self, client: u64) {
        if self.holder == Some(client) {
            self.holder = None;
        }
    }

    /// Warm reset, power-off or removal: security state and selection are
    /// lost; counters and secrets stay.
    pub fn reset(&mut self) {
        self.current_df = None;
        self.current_ef = None;
        self.verified.clear();
    }

    /// Process one command APDU; always returns a response (≥ 2 bytes).
    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        if self.options.apdu_latency_ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(
                self.options.apdu_latency_ms,
            ));
        }
        self.respond(apdu).to_bytes()
    }

    /// Process one command APDU into a [`Response`].
    pub fn respond(&mut self, apdu: &[u8]) -> Response {
        let response = self.dispatch(apdu);
        tracing::debug!(target: "madoguchi::sim", "< {response:?}");
        response
    }

    fn dispatch(&mut self, apdu: &[u8]) -> Response {
        let sw = |sw| Response::new(Vec::new(), sw);
        if apdu.len() < 4 {
            tracing::debug!(target: "madoguchi::sim", "> {} bytes: too short", apdu.len());
            return sw(StatusWord::WrongLength);
        }
        let (class, ins) = (apdu[0], apdu[1]);
        // Rejected before decoding: log the header only (the body may hold
        // a password).
        let rejected = |e: StatusWord| {
            tracing::debug!(
                target: "madoguchi::sim",
                "> {class:02X} {ins:02X} {:02X} {:02X} ({} bytes): rejected",
                apdu[2],
                apdu[3],
                apdu.len()
            );
            sw(e)
        };
        let proprietary = match classify(class) {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let secure_messaging = class & 0x0C != 0;
        let channel = class & 0x03;
        let chaining = class & 0x10 != 0;
        let interindustry_ins = [
            ins::SELECT,
            ins::READ_BINARY,
            ins::VERIFY,
            ins::CHANGE_REFERENCE_DATA,
        ];
        let known = if proprietary {
            ins == ins::COMPUTE_DIGITAL_SIGNATURE
        } else {
            interindustry_ins.contains(&ins)
        };
        if !known {
            let other_class = if proprietary {
                interindustry_ins.contains(&ins)
            } else {
                ins == ins::COMPUTE_DIGITAL_SIGNATURE
            };
            return rejected(if other_class {
                StatusWord::ClaNotSupported
            } else {
                StatusWord::InsNotSupported
            });
        }
        if channel != 0 {
            return rejected(StatusWord::LogicalChannelNotSupported);
        }
        if secure_messaging {
            // Reference §3: SM CLA → 68 82 on SELECT, 69 FC on READ BINARY
            // and VERIFY.
            return rejected(match ins {
                ins::READ_BINARY | ins::VERIFY => StatusWord::SecureMessagingRejected,
                _ => StatusWord::SecureMessagingNotSupported,
            });
        }
        if chaining {
            return rejected(CHAINING_NOT_SUPPORTED);
        }
        let extended = apdu.len() > 5 && apdu[4] == 0;
        if extended && !self.options.extended_length {
            return rejected(StatusWord::WrongLength);
        }
        let cmd = match Command::parse(apdu) {
            Ok(c) => c,
            Err(_) => return rejected(StatusWord::WrongLength),
        };
        // Command's Debug masks VERIFY / CHANGE REFERENCE DATA data.
        tracing::debug!(target: "madoguchi::sim", "> {cmd:?}");
        let result = match ins {
            ins::SELECT => self.select(&cmd).map(|()| Vec::new()),
            ins::READ_BINARY => self.read_binary(&cmd),
            ins::VERIFY => self.verify(&cmd).map(|()| Vec::new()),
            ins::CHANGE_REFERENCE_DATA => self.change_reference_data(&cmd).map(|()| Vec::new()),
            _ => self.compute_signature(&cmd),
        };
        match result {
            Ok(data) => Response::new(data, StatusWord::Ok),
            Err(e) => sw(e),
        }
    }

    // -- SELECT --------------------------------------------------------------

    fn select(&mut self, cmd: &Command) -> Result<(), StatusWord> {
        // P2 0C = no FCI; 00 (FCI wanted) is accepted and answered without
        // FCI, whose content no source documents.
        if cmd.p2 != 0x0C && cmd.p2 != 0x00 {
            return Err(StatusWord::IncorrectP1P2);
        }
        match cmd.p1 {
            0x04 => {
                let name = cmd.data();
                if name.is_empty() || name.len() > MAX_DF_NAME {
                    return Err(StatusWord::WrongLength);
                }
                // JICSAP: a DF may be selected by a prefix of its name.
                let df = [Application::Jpki, Application::CardInfo]
                    .into_iter()
                    .filter(|&a| self.has_application(a))
                    .find(|a| a.aid().starts_with(name))
                    .ok_or(StatusWord::FileNotFound)?;
                self.enter_df(df);
                Ok(())
            }
            0x02 => {
                let fid = match cmd.data() {
                    &[hi, lo] => u16::from_be_bytes([hi, lo]),
                    _ => return Err(StatusWord::WrongLength),
                };
                let df = self.current_df.ok_or(StatusWord::FileNotFound)?;
                if !self.files.contains_key(&(df, fid)) {
                    return Err(StatusWord::FileNotFound);
                }
                self.current_ef = Some(fid);
                Ok(())
            }
            // "Select MF": 6A86 after cold reset, accepted (and doing
            // nothing) when a DF is current (reference §1, SOL).
            0x00 if self.current_df.is_some() => Ok(()),
            _ => Err(StatusWord::IncorrectP1P2),
        }
    }

    fn has_application(&self, app: Application) -> bool {
        self.files.keys().any(|(a, _)| *a == app)
    }

    fn enter_df(&mut self, df: Application) {
        if self.options.clear_verification_on_reselect {
            self.verified.clear();
        } else if self.current_df != Some(df) && self.options.clear_verification_on_df_select {
            self.verified.retain(|&k| owner(k) == df);
        }
        self.current_df = Some(df);
        self.current_ef = None;
    }

    // -- READ BINARY ---------------------------------------------------------

    fn read_binary(&mut self, cmd: &Command) -> Result<Vec<u8>, StatusWord> {
        if !cmd.data().is_empty() {
            return Err(StatusWord::WrongLength);
        }
        let le = cmd.le.ok_or(StatusWord::WrongLength)?;
        let (fid, offset) = if cmd.p1 & 0x80 != 0 {
            // SFI form: P1 = 1 0 0 SFI, P2 = offset; the EF becomes current.
            let sfi = cmd.p1 & 0x1F;
            if cmd.p1 & 0x60 != 0 || sfi == 0 || sfi == 0x1F {
                return Err(StatusWord::IncorrectP1P2);
            }
            let df = self.current_df.ok_or(StatusWord::FileNotFound)?;
            let fid = u16::from(sfi);
            if !self.files.contains_key(&(df, fid)) {
                return Err(StatusWord::FileNotFound);
            }
            self.current_ef = Some(fid);
            (fid, usize::from(cmd.p2))
        } else {
            let fid = self.current_ef.ok_or(StatusWord::CommandNotAllowed)?;
            (fid, usize::from(u16::from_be_bytes([cmd.p1, cmd.p2])))
        };
        let df = self.current_df.ok_or(StatusWord::CommandNotAllowed)?;
        let Some(FileKind::Binary {
            content,
            read_needs,
        }) = self.files.get(&(df, fid))
        else {
            return Err(INCOMPATIBLE_FILE);
        };
        if let Some(kind) = read_needs
            && !self.verified.contains(kind)
        {
            return Err(StatusWord::SecurityStatusNotSatisfied);
        }
        if offset >= content.len() {
            return Err(StatusWord::WrongParameters);
        }
        // Up to Le bytes, stopping at the end of the file, with 90 00
        // (JICSAP 6.4.1(4)).
        let end = content.len().min(offset + le.ne() as usize);
        Ok(content[offset..end].to_vec())
    }

    // -- VERIFY / CHANGE REFERENCE DATA ---------------------------------------

    /// The secret a VERIFY / CHANGE REFERENCE DATA names in P2.
    fn secret_target(&self, p2: u8) -> Result<PinKind, StatusWord> {
        match p2 {
            // The current EF (an IEF).
            0x80 => match self.current_file() {
                Some(FileKind::Secret(kind)) => Ok(*kind),
                _ => Err(StatusWord::CommandNotAllowed),
            },
            0x81..=0x9E => {
                let df = self.current_df.ok_or(REFERENCE_NOT_FOUND)?;
                match self.files.get(&(df, u16::from(p2 & 0x1F))) {
                    Some(FileKind::Secret(kind)) => Ok(*kind),
                    _ => Err(REFERENCE_NOT_FOUND),
                }
            }
            _ => Err(StatusWord::IncorrectP1P2),
        }
    }

    fn current_file(&self) -> Option<&FileKind> {
        let df = self.current_df?;
        let ef = self.current_ef?;
        self.files.get(&(df, ef))
    }

    fn verify(&mut self, cmd: &Command) -> Result<(), StatusWord> {
        if cmd.p1 != 0x00 {
            return Err(StatusWord::IncorrectP1P2);
        }
        let kind = self.secret_target(cmd.p2)?;
        if cmd.le.is_some() {
            return Err(StatusWord::WrongLength);
        }
        let verified = self.verified.contains(&kind);
        let answer_ok_when_verified = self.options.verified_query_answers_ok;
        let cell = self
            .secrets
            .get_mut(&kind)
            .ok_or(StatusWord::CommandNotAllowed)?;
        if cmd.data().is_empty() {
            // The retry query: never spends a try.
            if cell.tries_left > 0 && verified && answer_ok_when_verified {
                return Ok(());
            }
            return Err(StatusWord::TriesLeft(cell.tries_left));
        }
        if cell.tries_left == 0 {
            return Err(StatusWord::ReferenceDataNotUsable);
        }
        // A value of the wrong length counts as a wrong entry (reference
        // §12 leaves it open; this is the cautious reading for clients).
        if constant_time_eq(cmd.data(), &cell.reference) {
            let max = max_tries(kind);
            let changed = cell.tries_left != max;
            cell.tries_left = max;
            self.verified.insert(kind);
            if changed {
                self.persist()?;
            }
            tracing::info!(target: "madoguchi::sim", "VERIFY {kind:?}: ok");
            Ok(())
        } else {
            cell.tries_left -= 1;
            let left = cell.tries_left;
            self.verified.remove(&kind);
            self.persist()?;
            tracing::info!(target: "madoguchi::sim", "VERIFY {kind:?}: wrong, {left} left");
            Err(StatusWord::TriesLeft(left))
        }
    }

    fn change_reference_data(&mut self, cmd: &Command) -> Result<(), StatusWord> {
        // P1 01: new value only, after VERIFY of the old one. P1 00 (old ‖
        // new in one field) is not used by JPKI clients.
        if cmd.p1 != 0x01 {
            return Err(StatusWord::IncorrectP1P2);
        }
        let kind = self.secret_target(cmd.p2)?;
        if cmd.le.is_some() {
            return Err(StatusWord::WrongLength);
        }
        let cell = self
            .secrets
            .get_mut(&kind)
            .ok_or(StatusWord::CommandNotAllowed)?;
        if cell.tries_left == 0 {
            return Err(StatusWord::ReferenceDataNotUsable);
        }
        if !self.verified.contains(&kind) {
            return Err(StatusWord::SecurityStatusNotSatisfied);
        }
        let allowed = match kind {
            PinKind::SigningPassword if self.juki => 4..=16,
            PinKind::SigningPassword => 6..=16,
            PinKind::AuthenticationPin | PinKind::CardInfoPin => 4..=4,
        };
        if !allowed.contains(&cmd.data().len()) {
            return Err(StatusWord::WrongLength);
        }
        cell.reference = Zeroizing::new(cmd.data().to_vec());
        cell.changed = true;
        cell.tries_left = max_tries(kind);
        self.persist()?;
        tracing::info!(target: "madoguchi::sim", "CHANGE REFERENCE DATA {kind:?}: ok");
        Ok(())
    }

    /// Write the state file, if there is one. A failed write answers
    /// `65 81` (memory failure), like a card whose EEPROM write failed; the
    /// in-memory counter keeps the decrement either way.
    fn persist(&self) -> Result<(), StatusWord> {
        let Some(path) = &self.state_path else {
            return Ok(());
        };
        let record = |kind| {
            self.secrets.get(&kind).map(|c: &SecretCell| SecretRecord {
                tries_left: c.tries_left,
                reference_hex: c.changed.then(|| state::to_hex(&c.reference).to_string()),
            })
        };
        let doc = StateDoc {
            signing: record(PinKind::SigningPassword),
            authentication: record(PinKind::AuthenticationPin),
            card_info: record(PinKind::CardInfoPin),
        };
        state::save(path, &doc).map_err(|e| {
            tracing::error!(target: "madoguchi::sim", "{e}");
            StatusWord::MemoryFailure
        })
    }

    // -- COMPUTE DIGITAL SIGNATURE -------------------------------------------

    fn compute_signature(&mut self, cmd: &Command) -> Result<Vec<u8>, StatusWord> {
        if cmd.p1 > 0x05 {
            return Err(StatusWord::IncorrectP1P2);
        }
        let kind = match cmd.p2 {
            0x80 => match self.current_file() {
                Some(FileKind::Key(kind)) => *kind,
                // No key selected (assumed; unconfirmed on a real card).
                _ => return Err(StatusWord::CommandNotAllowed),
            },
            0x81..=0x9E => {
                let df = self.current_df.ok_or(REFERENCE_NOT_FOUND)?;
                match self.files.get(&(df, u16::from(cmd.p2 & 0x1F))) {
                    Some(FileKind::Key(kind)) => *kind,
                    _ => return Err(REFERENCE_NOT_FOUND),
                }
            }
            _ => return Err(StatusWord::IncorrectP1P2),
        };
        if !self.verified.contains(&kind) {
            return Err(StatusWord::SecurityStatusNotSatisfied);
        }
        let key = self.keys.get(&kind).ok_or(StatusWord::CommandNotAllowed)?;
        let k = key.size();
        if let Some(le) = cmd.le
            && (le.ne() as usize) < k
        {
            return Err(StatusWord::WrongLength);
        }
        let signature = sign(key, cmd.p1, cmd.data())?;
        if self.options.signature_ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(self.options.signature_ms));
        }
        tracing::info!(target: "madoguchi::sim", "signature with {kind:?} key (scheme {:02X})", cmd.p1);
        Ok(signature)
    }
}

/// Signature schemes by P1 (reference §5, SOL): `00` PKCS#1 v1.5 over the
/// data as given (normally a DigestInfo); `01` card SHA-256, bare hash;
/// `02` 32-byte hash wrapped in a SHA-256 DigestInfo; `03` card SHA-256 +
/// DigestInfo; `04` PSS over a 32-byte SHA-256 hash; `05` card SHA-256 +
/// PSS.
fn sign(key: &RsaPrivateKey, p1: u8, data: &[u8]) -> SignResult {
    let k = key.size();
    let fail = |e: rsa::Error| {
        tracing::error!(target: "madoguchi::sim", "signature failed: {e}");
        StatusWord::NoPreciseDiagnosis
    };
    let hash32 = |d: &[u8]| -> Result<Vec<u8>, StatusWord> {
        if d.len() == 32 {
            Ok(d.to_vec())
        } else {
            Err(StatusWord::WrongLength)
        }
    };
    let nonempty = |d: &[u8]| {
        if d.is_empty() {
            Err(StatusWord::WrongLength)
        } else {
            Ok(Sha256::digest(d).to_vec())
        }
    };
    match p1 {
        0x00 => {
            // PKCS#1 v1.5 type 1 needs 11 bytes of overhead: ≤ 245 on RSA-2048.
            if data.is_empty() || data.len() > k.saturating_sub(11) {
                return Err(StatusWord::WrongLength);
            }
            key.sign(Pkcs1v15Sign::new_unprefixed(), data).map_err(fail)
        }
        0x01 => key
            .sign(Pkcs1v15Sign::new_unprefixed(), &nonempty(data)?)
            .map_err(fail),
        0x02 => key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &hash32(data)?)
            .map_err(fail),
        0x03 => key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &nonempty(data)?)
            .map_err(fail),
        0x04 => key
            .sign_with_rng(
                &mut rand::thread_rng(),
                Pss::new::<Sha256>(),
                &hash32(data)?,
            )
            .map_err(fail),
        _ => key
            .sign_with_rng(
                &mut rand::thread_rng(),
                Pss::new::<Sha256>(),
                &nonempty(data)?,
            )
            .map_err(fail),
    }
}

/// Class byte: `Ok(false)` interindustry, `Ok(true)` proprietary (`8x`,
/// `9x`), else the status word to answer.
fn classify(class: u8) -> Result<bool, StatusWord> {
    match class {
        0xFF => Err(StatusWord::ClaNotSupported),
        // Further interindustry class: logical channels 4..19.
        0x40..=0x7F => Err(StatusWord::LogicalChannelNotSupported),
        0x00..=0x3F => Ok(false),
        c if c & 0xE0 == cla::PROPRIETARY => Ok(true),
        _ => Err(StatusWord::ClaNotSupported),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// EF 0006: a serialised PKCS#11 `CK_TOKEN_INFO` (reference §2.2).
fn token_info(label: &str) -> Vec<u8> {
    fn padded(s: &str, n: usize) -> Vec<u8> {
        let mut v: Vec<u8> = s.bytes().take(n).collect();
        v.resize(n, b' ');
        v
    }
    let mut v = Vec::with_capacity(160);
    v.extend(padded(label, 32));
    v.extend(padded("Madoguchi virtual card", 32)); // manufacturerID
    v.extend(padded("madoguchi-sim", 16)); // model
    v.extend(padded("0000000000000001", 16)); // serialNumber
    for n in [
        0x0000_040Du32, // flags
        0,              // ulMaxSessionCount (effectively infinite)
        u32::MAX,       // ulSessionCount (unavailable)
        0,              // ulMaxRwSessionCount
        u32::MAX,       // ulRwSessionCount
        16,             // ulMaxPinLen
        6,              // ulMinPinLen
        u32::MAX,       // total/free public/private memory: unavailable
        u32::MAX,
        u32::MAX,
        u32::MAX,
    ] {
        v.extend(n.to_be_bytes());
    }
    v.extend(b"03"); // hardwareVersion
    v.extend(b"01"); // firmwareVersion
    v.extend(padded("", 16)); // utcTime
    debug_assert_eq!(v.len(), 160);
    v
}

/// BER definite length, minimal form.
fn ber_len(n: usize) -> Vec<u8> {
    match n {
        0..=0x7F => vec![n as u8],
        0x80..=0xFF => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut v = tag.to_vec();
    v.extend(ber_len(value.len()));
    v.extend_from_slice(value);
    v
}

/// EF 0001 of the card-info AP: `FF 10 0C` + 12 digits + `FF FF`.
fn my_number_ef(number: &str) -> Vec<u8> {
    let mut v = tlv(&[0xFF, 0x10], number.as_bytes());
    v.extend([0xFF, 0xFF]);
    v
}

/// EF 0002: `FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth date,
/// DF25 sex }`, offsets (u16 BE) counted from the start of the file
/// (reference §6.2). Returns the file and the offset of DF22.
fn basic_four_ef(name: &str, address: &str, birth: &str, sex: &str) -> (Vec<u8>, usize) {
    let items = [
        tlv(&[0xDF, 0x22], name.as_bytes()),
        tlv(&[0xDF, 0x23], address.as_bytes()),
        tlv(&[0xDF, 0x24], birth.as_bytes()),
        tlv(&[0xDF, 0x25], sex.as_bytes()),
    ];
    let offsets_tlv_len = 3 + 8;
    let content_len = offsets_tlv_len + items.iter().map(Vec::len).sum::<usize>();
    let header_len = 2 + ber_len(content_len).len();
    let mut offsets = Vec::with_capacity(8);
    let mut at = header_len + offsets_tlv_len;
    for item in &items {
        offsets.extend((at as u16).to_be_bytes());
        at += item.len();
    }
    let mut content = tlv(&[0xDF, 0x21], &offsets);
    for item in &items {
        content.extend_from_slice(item);
    }
    (tlv(&[0xFF, 0x20], &content), header_len + offsets_tlv_len)
}

/// EF 0003: `FF30 { DF31 SHA-256(EF 0001), DF32 SHA-256(EF 0002 from DF22
/// to the end), DF33 signature }`. The real DF33 is J-LIS's signature; the
/// virtual card has no such key and writes 256 zero bytes.
fn integrity_ef(my_number: &[u8], basic_from_df22: &[u8]) -> Vec<u8> {
    let mut content = tlv(&[0xDF, 0x31], &Sha256::digest(my_number));
    content.extend(tlv(&[0xDF, 0x32], &Sha256::digest(basic_from_df22)));
    content.extend(tlv(&[0xDF, 0x33], &[0u8; 256]));
    tlv(&[0xFF, 0x30], &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atr_checksum() {
        // TCK: XOR of T0..TCK is zero.
        assert_eq!(ATR[1..].iter().fold(0, |a, b| a ^ b), 0);
        assert_eq!(EXTENDED_ATR[1..].iter().fold(0, |a, b| a ^ b), 0);
        assert!(!madoguchi_card::atr::offers_extended_length(&ATR));
        assert!(madoguchi_card::atr::offers_extended_length(&EXTENDED_ATR));
    }

    #[test]
    fn token_info_layout() {
        let t = token_info(ids::token::MY_NUMBER_CARD);
        assert_eq!(t.len(), 160);
        assert_eq!(&t[..32], b"JPKIAPICCTOKEN2                 ");
        assert_eq!(&t[96..100], &[0, 0, 4, 0x0D]);
        assert_eq!(&t[140..144], b"0301");
    }

    #[test]
    fn basic_four_matches_reference_bytes() {
        // Reference §6.2: a 5-character name (15 bytes UTF-8) and an
        // 18-character address (54 bytes) give exactly this header.
        let name = "山田\u{3000}太郎";
        let address = "東京都千代田区霞が関２丁目１番２号";
        assert_eq!(name.len(), 15);
        let address = format!("{address}あ");
        assert_eq!(address.len(), 54);
        let (ef, df22) = basic_four_ef(name, &address, "19800217", "1");
        let expected_head = [
            0xFF, 0x20, 0x65, 0xDF, 0x21, 0x08, 0x00, 0x0E, 0x00, 0x20, 0x00, 0x59, 0x00, 0x64,
            0xDF, 0x22, 0x0F,
        ];
        assert_eq!(&ef[..17], &expected_head);
        assert_eq!(df22, 0x0E);
        assert_eq!(&ef[0x20..0x23], &[0xDF, 0x23, 0x36]);
        assert_eq!(&ef[0x59..0x64], b"\xDF\x24\x0819800217");
        assert_eq!(&ef[0x64..], b"\xDF\x25\x011");
        assert_eq!(ef.len(), 3 + 0x65);
    }

    #[test]
    fn basic_four_long_form_offsets() {
        let address = "長".repeat(90); // 270 bytes → 82 01 0E
        let (ef, _) = basic_four_ef("名", &address, "19581201", "2");
        // Outer length > 255 → FF 20 82 HH LL.
        assert_eq!(&ef[..3], &[0xFF, 0x20, 0x82]);
        let off = |i: usize| usize::from(u16::from_be_bytes([ef[8 + 2 * i], ef[9 + 2 * i]]));
        assert_eq!(&ef[off(0)..off(0) + 2], &[0xDF, 0x22]);
        assert_eq!(&ef[off(1)..off(1) + 5], &[0xDF, 0x23, 0x82, 0x01, 0x0E]);
        assert_eq!(&ef[off(2)..off(2) + 2], &[0xDF, 0x24]);
        assert_eq!(&ef[off(3)..], b"\xDF\x25\x012");
    }

    #[test]
    fn my_number_is_17_bytes() {
        let ef = my_number_ef("123456789018");
        assert_eq!(ef.len(), 17);
        assert_eq!(&ef[..3], &[0xFF, 0x10, 0x0C]);
        assert_eq!(&ef[15..], &[0xFF, 0xFF]);
    }

    #[test]
    fn classes() {
        assert_eq!(classify(0x00), Ok(false));
        assert_eq!(classify(0x80), Ok(true));
        assert_eq!(classify(0x0C), Ok(false));
        assert_eq!(classify(0x41), Err(StatusWord::LogicalChannelNotSupported));
        assert_eq!(classify(0xFF), Err(StatusWord::ClaNotSupported));
        assert_eq!(classify(0xA0), Err(StatusWord::ClaNotSupported));
    }
}
