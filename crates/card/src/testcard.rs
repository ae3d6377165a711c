//! A small model of a JPKI card for this crate's unit and property tests
//! (the faithful virtual card is `madoguchi-sim`, which depends on this
//! crate). It decodes every command with [`Command::parse`], keeps the
//! selection, retry counters and verified flags like a card, enforces the
//! access rules the client relies on, and logs what reached it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use crate::apdu::{Command, Le, Response, cla, ins};
use crate::channel::{CardChannel, TransportError};
use crate::ids;
use crate::sw::StatusWord;

pub const JPKI: u8 = 1;
pub const CARD_INFO: u8 = 2;

/// What reached the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    SelectDf(Vec<u8>),
    SelectEf(u16),
    Read {
        offset: u16,
        le: Le,
    },
    /// Empty VERIFY on a PIN with this many tries.
    Query {
        pin: u16,
        tries: u8,
    },
    /// VERIFY with data; `tries` is the counter before it.
    VerifyData {
        pin: u16,
        tries: u8,
        data: Vec<u8>,
    },
    Change {
        pin: u16,
        data: Vec<u8>,
    },
    Sign {
        data: Vec<u8>,
    },
    GetResponse,
    Other(Vec<u8>),
}

#[derive(Clone, Debug)]
pub struct Pin {
    pub value: Vec<u8>,
    pub tries: u8,
    pub max: u8,
}

#[derive(Debug)]
pub struct CardState {
    pub has_jpki: bool,
    pub files: BTreeMap<(u8, u16), Vec<u8>>,
    pub pins: BTreeMap<(u8, u16), Pin>,
    pub verified: BTreeSet<(u8, u16)>,
    pub df: Option<u8>,
    pub ef: Option<u16>,
    /// Extended Le on READ BINARY: `None` = served; `Some(sw)` = refused so.
    pub extended_refusal: Option<StatusWord>,
    /// Most data bytes one READ BINARY returns.
    pub max_read: usize,
    /// Answer `90 00` to an empty VERIFY when verified.
    pub query_ok_when_verified: bool,
    /// Announce extended Lc/Le in the ATR's card capabilities.
    pub extended_atr: bool,
    /// Answer long responses with `61xx` in pieces of this size.
    pub chain: Option<usize>,
    pending: Vec<u8>,
    /// Fault injection: every command after this many is "card removed".
    pub remove_after: Option<usize>,
    pub commands: usize,
    pub log: Vec<Seen>,
}

/// The card; clones share one state, so a test can watch and change it
/// while a [`crate::jpki::JpkiCard`] owns the channel.
#[derive(Clone)]
pub struct FakeCard(pub Arc<Mutex<CardState>>);

pub const SIGN_PASSWORD: &str = "ABC123";

/// The My Number card's ATR: no historical bytes, so short APDUs only.
pub const MY_NUMBER_ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];
/// The same interface bytes with historical bytes `80 73 00 00 40`: card
/// capabilities announcing extended Lc/Le (TCK not checked by the client).
pub const EXTENDED_ATR: [u8; 14] = [
    0x3B, 0xE5, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x80, 0x73, 0x00, 0x00, 0x40, 0x00,
];
pub const AUTH_PIN: &str = "1234";

/// A DER SEQUENCE of `len` content bytes (`30 82 HH LL …` for len ≥ 256).
pub fn der_blob(len: usize, fill: u8) -> Vec<u8> {
    let mut v = vec![0x30];
    if len < 0x80 {
        v.push(len as u8);
    } else if len < 0x100 {
        v.extend_from_slice(&[0x81, len as u8]);
    } else {
        v.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
    v.extend((0..len).map(|i| fill.wrapping_add(i as u8)));
    v
}

/// The signature the fake card gives for `data`: 256 bytes from SHA-256.
pub fn fake_signature(data: &[u8]) -> Vec<u8> {
    let h = Sha256::digest(data);
    h.iter().cycle().take(256).copied().collect()
}

impl FakeCard {
    /// A My Number card: signing cert 1800 B + 64 B of FF filler, CA certs,
    /// auth cert, token `JPKIAPICCTOKEN2`, signing password `ABC123` with 5
    /// tries, auth PIN `1234` with 3, card-info PIN `1234` with 3.
    pub fn my_number_card() -> Self {
        let mut files = BTreeMap::new();
        let mut sign = der_blob(1800, 1);
        sign.extend(std::iter::repeat_n(0xFF, 64));
        files.insert((JPKI, ids::jpki::SIGNING_CERTIFICATE), sign);
        files.insert((JPKI, ids::jpki::SIGNING_CA_CERTIFICATE), der_blob(1000, 2));
        files.insert(
            (JPKI, ids::jpki::AUTHENTICATION_CERTIFICATE),
            der_blob(1500, 3),
        );
        files.insert(
            (JPKI, ids::jpki::AUTHENTICATION_CA_CERTIFICATE),
            der_blob(1000, 4),
        );
        let mut token = ids::token::MY_NUMBER_CARD.as_bytes().to_vec();
        token.resize(160, b' ');
        files.insert((JPKI, ids::jpki::TOKEN_INFO), token);
        let mut pins = BTreeMap::new();
        pins.insert(
            (JPKI, ids::jpki::SIGNING_PASSWORD),
            Pin {
                value: SIGN_PASSWORD.into(),
                tries: 5,
                max: 5,
            },
        );
        pins.insert(
            (JPKI, ids::jpki::AUTHENTICATION_PIN),
            Pin {
                value: AUTH_PIN.into(),
                tries: 3,
                max: 3,
            },
        );
        pins.insert(
            (CARD_INFO, ids::card_info::PIN),
            Pin {
                value: AUTH_PIN.into(),
                tries: 3,
                max: 3,
            },
        );
        FakeCard(Arc::new(Mutex::new(CardState {
            has_jpki: true,
            files,
            pins,
            verified: BTreeSet::new(),
            df: None,
            ef: None,
            extended_refusal: None,
            max_read: 65536,
            query_ok_when_verified: false,
            extended_atr: false,
            chain: None,
            pending: Vec::new(),
            remove_after: None,
            commands: 0,
            log: Vec::new(),
        })))
    }

    pub fn state(&self) -> MutexGuard<'_, CardState> {
        self.0.lock().unwrap()
    }

    pub fn tries(&self, pin: (u8, u16)) -> u8 {
        self.state().pins[&pin].tries
    }
}

fn ok(data: Vec<u8>) -> Response {
    Response::new(data, StatusWord::Ok)
}

fn sw(sw: StatusWord) -> Response {
    Response::new(Vec::new(), sw)
}

impl CardState {
    fn answer(&mut self, cmd: &Command) -> Response {
        match (cmd.cla, cmd.ins, cmd.p1, cmd.p2) {
            (cla::ISO, ins::SELECT, 0x04, 0x0C) => {
                self.log.push(Seen::SelectDf(cmd.data().to_vec()));
                let df = if cmd.data() == ids::AID_JPKI && self.has_jpki {
                    JPKI
                } else if cmd.data() == ids::AID_CARD_INFO {
                    CARD_INFO
                } else {
                    return sw(StatusWord::FileNotFound);
                };
                if self.df != Some(df) {
                    self.verified.clear();
                }
                self.df = Some(df);
                self.ef = None;
                ok(vec![])
            }
            (cla::ISO, ins::SELECT, 0x02, 0x0C) => {
                let Ok(fid) = <[u8; 2]>::try_from(cmd.data()).map(u16::from_be_bytes) else {
                    return sw(StatusWord::WrongLength);
                };
                self.log.push(Seen::SelectEf(fid));
                let Some(df) = self.df else {
                    return sw(StatusWord::FileNotFound);
                };
                if self.files.contains_key(&(df, fid))
                    || self.pins.contains_key(&(df, fid))
                    || fid == ids::jpki::SIGNING_KEY
                {
                    self.ef = Some(fid);
                    ok(vec![])
                } else {
                    sw(StatusWord::FileNotFound)
                }
            }
            (cla::ISO, ins::READ_BINARY, p1, p2) => {
                let offset = u16::from_be_bytes([p1, p2]);
                let le = cmd.le.unwrap_or(Le::MAX_SHORT);
                self.log.push(Seen::Read { offset, le });
                if let (Le::Extended(_), Some(refusal)) = (le, self.extended_refusal) {
                    return sw(refusal);
                }
                let (Some(df), Some(ef)) = (self.df, self.ef) else {
                    return sw(StatusWord::CommandNotAllowed);
                };
                if df == JPKI
                    && ef == ids::jpki::SIGNING_CERTIFICATE
                    && !self.verified.contains(&(JPKI, ids::jpki::SIGNING_PASSWORD))
                {
                    return sw(StatusWord::SecurityStatusNotSatisfied);
                }
                let Some(file) = self.files.get(&(df, ef)) else {
                    return sw(StatusWord::CommandNotAllowed);
                };
                let offset = usize::from(offset);
                if offset >= file.len() {
                    return sw(StatusWord::WrongParameters);
                }
                let n = (le.ne() as usize).min(self.max_read);
                let end = (offset + n).min(file.len());
                ok(file[offset..end].to_vec())
            }
            (cla::ISO, ins::VERIFY, 0x00, 0x80) => {
                let (Some(df), Some(ef)) = (self.df, self.ef) else {
                    return sw(StatusWord::CommandNotAllowed);
                };
                let verified = self.verified.contains(&(df, ef));
                let Some(pin) = self.pins.get_mut(&(df, ef)) else {
                    return sw(StatusWord::CommandNotAllowed);
                };
                if cmd.data().is_empty() {
                    self.log.push(Seen::Query {
                        pin: ef,
                        tries: pin.tries,
                    });
                    if verified && self.query_ok_when_verified {
                        return ok(vec![]);
                    }
                    return sw(StatusWord::TriesLeft(pin.tries));
                }
                self.log.push(Seen::VerifyData {
                    pin: ef,
                    tries: pin.tries,
                    data: cmd.data().to_vec(),
                });
                if pin.tries == 0 {
                    return sw(StatusWord::ReferenceDataNotUsable);
                }
                if cmd.data() == pin.value.as_slice() {
                    pin.tries = pin.max;
                    self.verified.insert((df, ef));
                    ok(vec![])
                } else {
                    pin.tries -= 1;
                    self.verified.remove(&(df, ef));
                    sw(StatusWord::TriesLeft(pin.tries))
                }
            }
            (cla::ISO, ins::CHANGE_REFERENCE_DATA, 0x01, 0x80) => {
                let (Some(df), Some(ef)) = (self.df, self.ef) else {
                    return sw(StatusWord::CommandNotAllowed);
                };
                self.log.push(Seen::Change {
                    pin: ef,
                    data: cmd.data().to_vec(),
                });
                if !self.verified.contains(&(df, ef)) {
                    return sw(StatusWord::SecurityStatusNotSatisfied);
                }
                match self.pins.get_mut(&(df, ef)) {
                    Some(pin) => {
                        pin.value = cmd.data().to_vec();
                        ok(vec![])
                    }
                    None => sw(StatusWord::CommandNotAllowed),
                }
            }
            (cla::PROPRIETARY, ins::COMPUTE_DIGITAL_SIGNATURE, 0x00, 0x80) => {
                self.log.push(Seen::Sign {
                    data: cmd.data().to_vec(),
                });
                if self.df != Some(JPKI) || self.ef != Some(ids::jpki::SIGNING_KEY) {
                    return sw(StatusWord::CommandNotAllowed);
                }
                if !self.verified.contains(&(JPKI, ids::jpki::SIGNING_PASSWORD)) {
                    return sw(StatusWord::SecurityStatusNotSatisfied);
                }
                ok(fake_signature(cmd.data()))
            }
            (cla::ISO, ins::GET_RESPONSE, 0x00, 0x00) => {
                self.log.push(Seen::GetResponse);
                let n = cmd
                    .le
                    .map_or(256, |l| l.ne() as usize)
                    .min(self.pending.len());
                let rest = self.pending.split_off(n);
                let data = std::mem::replace(&mut self.pending, rest);
                if self.pending.is_empty() {
                    ok(data)
                } else {
                    Response::new(
                        data,
                        StatusWord::MoreData(self.pending.len().min(255) as u8),
                    )
                }
            }
            _ => {
                self.log.push(Seen::Other(cmd.to_bytes().unwrap().to_vec()));
                sw(StatusWord::InsNotSupported)
            }
        }
    }
}

impl CardChannel for FakeCard {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut st = self.state();
        if st.remove_after.is_some_and(|n| st.commands >= n) {
            return Err(TransportError::CardRemoved);
        }
        st.commands += 1;
        let cmd = Command::parse(command).map_err(TransportError::Malformed)?;
        let mut r = st.answer(&cmd);
        if let Some(piece) = st.chain
            && r.is_ok()
            && r.data.len() > piece
            && cmd.ins != ins::GET_RESPONSE
        {
            st.pending = r.data.split_off(piece);
            let more = st.pending.len().min(255) as u8;
            r.sw = StatusWord::MoreData(more);
        }
        Ok(r.to_bytes())
    }

    fn atr(&self) -> Vec<u8> {
        if self.state().extended_atr {
            EXTENDED_ATR.to_vec()
        } else {
            MY_NUMBER_ATR.to_vec()
        }
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        let mut st = self.state();
        if st.remove_after.is_some_and(|n| st.commands >= n) {
            return Err(TransportError::CardRemoved);
        }
        st.df = None;
        st.ef = None;
        st.verified.clear();
        st.pending.clear();
        Ok(())
    }
}
