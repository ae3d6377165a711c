//! ISO/IEC 7816-4 command and response APDUs: encoding, decoding, and the
//! instruction bytes Madoguchi uses. Nothing outside this module spells out
//! CLA/INS bytes.

use std::fmt;

use zeroize::Zeroizing;

use crate::sw::StatusWord;

/// Instruction bytes used with JPKI cards.
pub mod ins {
    pub const SELECT: u8 = 0xA4;
    pub const READ_BINARY: u8 = 0xB0;
    pub const VERIFY: u8 = 0x20;
    pub const CHANGE_REFERENCE_DATA: u8 = 0x24;
    pub const GET_RESPONSE: u8 = 0xC0;
    /// JPKI proprietary COMPUTE DIGITAL SIGNATURE (with CLA 80).
    pub const COMPUTE_DIGITAL_SIGNATURE: u8 = 0x2A;
}

/// Class bytes.
pub mod cla {
    pub const ISO: u8 = 0x00;
    pub const PROPRIETARY: u8 = 0x80;
}

/// Instructions whose command data is a password or PIN.
fn carries_secret(instruction: u8) -> bool {
    instruction == ins::VERIFY || instruction == ins::CHANGE_REFERENCE_DATA
}

/// Expected response length (Ne).
///
/// Short form carries 1..=256 (256 is encoded as `00`); extended form carries
/// 1..=65536 (65536 is encoded as `00 00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Le {
    Short(u16),
    Extended(u32),
}

impl Le {
    /// The number of bytes asked for.
    pub fn ne(self) -> u32 {
        match self {
            Le::Short(n) => u32::from(n),
            Le::Extended(n) => n,
        }
    }
    /// `00` in short form: up to 256 bytes.
    pub const MAX_SHORT: Le = Le::Short(256);
    /// `00 00` in extended form: up to 65536 bytes.
    pub const MAX_EXTENDED: Le = Le::Extended(65536);
}

/// Errors in APDU encoding or decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    #[error("APDU shorter than a header ({0} bytes)")]
    TooShort(usize),
    #[error("response shorter than a status word ({0} bytes)")]
    ResponseTooShort(usize),
    #[error("APDU length fields do not match its size ({0} bytes)")]
    BadLength(usize),
    #[error("command data of {0} bytes does not fit an APDU")]
    DataTooLong(usize),
    #[error("Le {0} out of range for its form")]
    BadLe(u32),
}

/// A command APDU.
///
/// Command data sits in a zeroizing buffer: VERIFY and CHANGE REFERENCE DATA
/// carry passwords. Such commands are marked `sensitive` and never show their
/// data in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    data: Zeroizing<Vec<u8>>,
    pub le: Option<Le>,
    sensitive: bool,
}

impl Command {
    /// A command with no data and no Le (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Zeroizing::new(Vec::new()),
            le: None,
            sensitive: false,
        }
    }

    /// Attach command data (cases 3/4).
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = Zeroizing::new(data.into());
        self
    }

    /// Attach an expected length (cases 2/4).
    pub fn with_le(mut self, le: Le) -> Self {
        self.le = Some(le);
        self
    }

    /// Mark the command data as secret: masked in Debug and logs.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Whether the data is secret: marked so, or a VERIFY or CHANGE
    /// REFERENCE DATA however the command was built.
    pub fn is_sensitive(&self) -> bool {
        self.sensitive || carries_secret(self.ins)
    }

    /// `00 A4 04 0C Lc <AID>`: select a DF by name, no FCI.
    pub fn select_df(aid: &[u8]) -> Self {
        Command::new(cla::ISO, ins::SELECT, 0x04, 0x0C).with_data(aid)
    }

    /// `00 A4 02 0C 02 <FID>`: select an EF under the current DF, no FCI.
    pub fn select_ef(fid: u16) -> Self {
        Command::new(cla::ISO, ins::SELECT, 0x02, 0x0C).with_data(fid.to_be_bytes())
    }

    /// `00 B0 P1 P2 Le`: READ BINARY of the current EF at a 15-bit offset.
    pub fn read_binary(offset: u16, le: Le) -> Self {
        let [p1, p2] = (offset & 0x7FFF).to_be_bytes();
        Command::new(cla::ISO, ins::READ_BINARY, p1, p2).with_le(le)
    }

    /// `00 20 00 80`: the empty VERIFY that asks for the tries left without
    /// spending one.
    pub fn verify_query() -> Self {
        Command::new(cla::ISO, ins::VERIFY, 0x00, 0x80)
    }

    /// `00 20 00 80 Lc <secret>`: VERIFY against the current IEF.
    pub fn verify(secret: &[u8]) -> Self {
        Command::new(cla::ISO, ins::VERIFY, 0x00, 0x80)
            .with_data(secret)
            .sensitive()
    }

    /// `00 24 01 80 Lc <new>`: CHANGE REFERENCE DATA of the current IEF (after
    /// a VERIFY of the old value).
    pub fn change_reference_data(new_secret: &[u8]) -> Self {
        Command::new(cla::ISO, ins::CHANGE_REFERENCE_DATA, 0x01, 0x80)
            .with_data(new_secret)
            .sensitive()
    }

    /// `80 2A 00 80 Lc <DigestInfo> 00`: sign with the currently selected key.
    pub fn compute_digital_signature(digest_info: &[u8]) -> Self {
        Command::new(cla::PROPRIETARY, ins::COMPUTE_DIGITAL_SIGNATURE, 0x00, 0x80)
            .with_data(digest_info)
            .with_le(Le::MAX_SHORT)
    }

    /// `00 C0 00 00 Le`: fetch the rest of a response after `61xx`.
    pub fn get_response(available: u8) -> Self {
        let ne = if available == 0 {
            256
        } else {
            u16::from(available)
        };
        Command::new(cla::ISO, ins::GET_RESPONSE, 0x00, 0x00).with_le(Le::Short(ne))
    }

    /// Whether short encoding can carry this command.
    fn fits_short(&self) -> bool {
        self.data.len() <= 255 && !matches!(self.le, Some(Le::Extended(_)))
    }

    /// Encode per ISO 7816-4 §5.1 (short form when possible, else extended).
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, ApduError> {
        let nc = self.data.len();
        if nc > 65535 {
            return Err(ApduError::DataTooLong(nc));
        }
        match self.le {
            Some(Le::Short(n)) if !(1..=256).contains(&n) => {
                return Err(ApduError::BadLe(u32::from(n)));
            }
            Some(Le::Extended(n)) if !(1..=65536).contains(&n) => return Err(ApduError::BadLe(n)),
            _ => {}
        }
        let mut out = Zeroizing::new(Vec::with_capacity(4 + 3 + nc + 3));
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if self.fits_short() {
            if nc > 0 {
                out.push(nc as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                out.push((le.ne() % 256) as u8);
            }
        } else {
            out.push(0x00);
            if nc > 0 {
                out.extend_from_slice(&(nc as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                out.extend_from_slice(&((le.ne() % 65536) as u16).to_be_bytes());
            }
        }
        Ok(out)
    }

    /// Decode a command APDU (the card side: the virtual card uses this).
    pub fn parse(bytes: &[u8]) -> Result<Command, ApduError> {
        if bytes.len() < 4 {
            return Err(ApduError::TooShort(bytes.len()));
        }
        let mut cmd = Command::new(bytes[0], bytes[1], bytes[2], bytes[3]);
        let body = &bytes[4..];
        let bad = || ApduError::BadLength(bytes.len());
        match body.len() {
            0 => {}
            1 => {
                // Case 2 short.
                let n = if body[0] == 0 {
                    256
                } else {
                    u16::from(body[0])
                };
                cmd.le = Some(Le::Short(n));
            }
            _ if body[0] != 0 => {
                // Case 3 or 4 short.
                let nc = usize::from(body[0]);
                match body.len().checked_sub(1 + nc) {
                    Some(0) => cmd.data = Zeroizing::new(body[1..].to_vec()),
                    Some(1) => {
                        cmd.data = Zeroizing::new(body[1..1 + nc].to_vec());
                        let l = body[1 + nc];
                        cmd.le = Some(Le::Short(if l == 0 { 256 } else { u16::from(l) }));
                    }
                    _ => return Err(bad()),
                }
            }
            3 => {
                // Case 2 extended: 00 Le1 Le2.
                let n = u32::from(u16::from_be_bytes([body[1], body[2]]));
                cmd.le = Some(Le::Extended(if n == 0 { 65536 } else { n }));
            }
            len if len >= 3 => {
                // Case 3 or 4 extended: 00 Lc1 Lc2 data [Le1 Le2].
                let nc = usize::from(u16::from_be_bytes([body[1], body[2]]));
                if nc == 0 {
                    return Err(bad());
                }
                match len.checked_sub(3 + nc) {
                    Some(0) => cmd.data = Zeroizing::new(body[3..].to_vec()),
                    Some(2) => {
                        cmd.data = Zeroizing::new(body[3..3 + nc].to_vec());
                        let n = u32::from(u16::from_be_bytes([body[3 + nc], body[4 + nc]]));
                        cmd.le = Some(Le::Extended(if n == 0 { 65536 } else { n }));
                    }
                    _ => return Err(bad()),
                }
            }
            _ => return Err(bad()),
        }
        Ok(cmd)
    }
}

impl fmt::Debug for Command {
    /// Header, Lc and Le in hex; data in hex unless sensitive, where only its
    /// length shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02X} {:02X} {:02X} {:02X}",
            self.cla, self.ins, self.p1, self.p2
        )?;
        if !self.data.is_empty() {
            if self.is_sensitive() {
                write!(f, " Lc={} <masked>", self.data.len())?;
            } else {
                write!(
                    f,
                    " Lc={} {}",
                    self.data.len(),
                    hex::encode_upper(&*self.data)
                )?;
            }
        }
        if let Some(le) = self.le {
            write!(f, " Le={}", le.ne())?;
        }
        Ok(())
    }
}

/// A response APDU: data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

impl Response {
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Response { data, sw }
    }

    /// Split raw bytes into data and the trailing SW1 SW2.
    pub fn from_bytes(bytes: &[u8]) -> Result<Response, ApduError> {
        if bytes.len() < 2 {
            return Err(ApduError::ResponseTooShort(bytes.len()));
        }
        let (data, sw) = bytes.split_at(bytes.len() - 2);
        Ok(Response {
            data: data.to_vec(),
            sw: StatusWord::from_bytes(sw[0], sw[1]),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }

    pub fn is_ok(&self) -> bool {
        self.sw == StatusWord::Ok
    }
}

impl fmt::Debug for Response {
    /// Length and status word only: responses carry holder data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes, SW {}", self.data.len(), self.sw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_encodings() {
        let aid = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
        assert_eq!(
            hex::encode_upper(&*Command::select_df(&aid).to_bytes().unwrap()),
            "00A4040C0AD392F000260100000001"
        );
        assert_eq!(
            hex::encode_upper(&*Command::select_ef(0x001B).to_bytes().unwrap()),
            "00A4020C02001B"
        );
        assert_eq!(
            hex::encode_upper(&*Command::verify_query().to_bytes().unwrap()),
            "00200080"
        );
        assert_eq!(
            hex::encode_upper(&*Command::read_binary(7, Le::MAX_SHORT).to_bytes().unwrap()),
            "00B0000700"
        );
        assert_eq!(
            hex::encode_upper(
                &*Command::read_binary(0, Le::MAX_EXTENDED)
                    .to_bytes()
                    .unwrap()
            ),
            "00B00000000000"
        );
        let di = [0u8; 51];
        let sig = Command::compute_digital_signature(&di).to_bytes().unwrap();
        assert_eq!(&sig[..5], &[0x80, 0x2A, 0x00, 0x80, 0x33]);
        assert_eq!(sig.len(), 5 + 51 + 1);
        assert_eq!(sig[56], 0x00);
    }

    #[test]
    fn sensitive_data_never_in_debug() {
        let c = Command::verify(b"ABC123");
        let s = format!("{c:?}");
        assert!(!s.contains("ABC123"));
        assert!(!s.contains(&hex::encode_upper(b"ABC123")));
        assert!(s.contains("masked"));
        let parsed = Command::parse(&c.to_bytes().unwrap()).unwrap();
        assert!(!format!("{parsed:?}").contains(&hex::encode_upper(b"ABC123")));
        // Built by hand, with either secret instruction: masked too.
        for ins in [ins::VERIFY, ins::CHANGE_REFERENCE_DATA] {
            let c = Command::new(cla::ISO, ins, 0x00, 0x80).with_data(*b"ABC123");
            assert!(c.is_sensitive());
            let s = format!("{c:?}");
            assert!(!s.contains(&hex::encode_upper(b"ABC123")) && s.contains("masked"));
        }
    }

    #[test]
    fn bad_lengths_rejected() {
        assert_eq!(Command::parse(&[0, 1, 2]), Err(ApduError::TooShort(3)));
        // Lc says 5, only 2 bytes follow.
        assert!(Command::parse(&[0, 0xA4, 0, 0, 5, 1, 2]).is_err());
        // Extended Lc of zero is not a valid encoding.
        assert!(Command::parse(&[0, 0xB0, 0, 0, 0, 0, 0, 1]).is_err());
        assert!(Response::from_bytes(&[0x90]).is_err());
        assert!(
            Command::new(0, 0xB0, 0, 0)
                .with_le(Le::Short(0))
                .to_bytes()
                .is_err()
        );
    }

    fn arb_le() -> impl Strategy<Value = Option<Le>> {
        prop_oneof![
            Just(None),
            (1u16..=256).prop_map(|n| Some(Le::Short(n))),
            (1u32..=65536).prop_map(|n| Some(Le::Extended(n))),
        ]
    }

    proptest! {
        #[test]
        fn encode_parse_roundtrip(
            cla in any::<u8>(), ins in any::<u8>(), p1 in any::<u8>(), p2 in any::<u8>(),
            data in proptest::collection::vec(any::<u8>(), 0..600),
            le in arb_le(),
        ) {
            let mut c = Command::new(cla, ins, p1, p2).with_data(data.clone());
            c.le = le;
            let bytes = c.to_bytes().unwrap();
            let back = Command::parse(&bytes).unwrap();
            prop_assert_eq!(back.data(), &data[..]);
            prop_assert_eq!((back.cla, back.ins, back.p1, back.p2), (cla, ins, p1, p2));
            // Short/extended form is chosen by size, so compare Ne only.
            prop_assert_eq!(back.le.map(Le::ne), le.map(Le::ne));
        }

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Command::parse(&bytes);
            let _ = Response::from_bytes(&bytes);
        }
    }
}
