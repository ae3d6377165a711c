//! Status words (SW1 SW2) and what they mean on a JPKI card.

use std::fmt;

/// A status word, decoded into the meanings a JPKI card gives them.
///
/// `Other` keeps any status word this enum has no name for; decoding never
/// fails and `to_bytes` gives back the same two bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusWord {
    /// `90 00`
    Ok,
    /// `61 xx`: more response data waiting; fetch with GET RESPONSE.
    /// `0` means 256 bytes (or "unknown, at most 256").
    MoreData(u8),
    /// `62 82`: end of file reached before Le bytes were read.
    EndOfFileWarning,
    /// `63 Cx`: verification failed or, for an empty VERIFY, the count of
    /// tries left. `63 C0` after a wrong entry means it just locked.
    TriesLeft(u8),
    /// `65 81`: memory failure.
    MemoryFailure,
    /// `67 00`: wrong length.
    WrongLength,
    /// `68 81`: logical channel not supported.
    LogicalChannelNotSupported,
    /// `68 82`: secure messaging not supported.
    SecureMessagingNotSupported,
    /// `69 82`: security status not satisfied (the password was not
    /// verified first).
    SecurityStatusNotSatisfied,
    /// `69 83`: authentication method blocked.
    AuthenticationMethodBlocked,
    /// `69 84`: reference data not usable; on JPKI, the password is locked.
    ReferenceDataNotUsable,
    /// `69 85`: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// `69 86`: command not allowed (no current EF).
    CommandNotAllowed,
    /// `69 FC`: secure-messaging CLA on READ BINARY or VERIFY.
    SecureMessagingRejected,
    /// `6A 82`: file or application not found.
    FileNotFound,
    /// `6A 86`: incorrect P1/P2.
    IncorrectP1P2,
    /// `6B 00`: offset outside the EF.
    WrongParameters,
    /// `6C xx`: wrong Le; `xx` is the exact length available (`0` = 256).
    WrongLe(u8),
    /// `6D 00`: instruction not supported.
    InsNotSupported,
    /// `6E 00`: class not supported.
    ClaNotSupported,
    /// `6F 00`: no precise diagnosis.
    NoPreciseDiagnosis,
    /// Anything else, kept as-is.
    Other(u8, u8),
}

impl StatusWord {
    /// `6A 81`: function not supported (kept in [`StatusWord::Other`]).
    pub const FUNCTION_NOT_SUPPORTED: StatusWord = StatusWord::Other(0x6A, 0x81);

    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        use StatusWord::*;
        match (sw1, sw2) {
            (0x90, 0x00) => Ok,
            (0x61, n) => MoreData(n),
            (0x62, 0x82) => EndOfFileWarning,
            (0x63, n) if n & 0xF0 == 0xC0 => TriesLeft(n & 0x0F),
            (0x65, 0x81) => MemoryFailure,
            (0x67, 0x00) => WrongLength,
            (0x68, 0x81) => LogicalChannelNotSupported,
            (0x68, 0x82) => SecureMessagingNotSupported,
            (0x69, 0x82) => SecurityStatusNotSatisfied,
            (0x69, 0x83) => AuthenticationMethodBlocked,
            (0x69, 0x84) => ReferenceDataNotUsable,
            (0x69, 0x85) => ConditionsNotSatisfied,
            (0x69, 0x86) => CommandNotAllowed,
            (0x69, 0xFC) => SecureMessagingRejected,
            (0x6A, 0x82) => FileNotFound,
            (0x6A, 0x86) => IncorrectP1P2,
            (0x6B, 0x00) => WrongParameters,
            (0x6C, n) => WrongLe(n),
            (0x6D, 0x00) => InsNotSupported,
            (0x6E, 0x00) => ClaNotSupported,
            (0x6F, 0x00) => NoPreciseDiagnosis,
            (a, b) => Other(a, b),
        }
    }

    pub fn to_bytes(self) -> [u8; 2] {
        use StatusWord::*;
        match self {
            Ok => [0x90, 0x00],
            MoreData(n) => [0x61, n],
            EndOfFileWarning => [0x62, 0x82],
            TriesLeft(n) => [0x63, 0xC0 | (n & 0x0F)],
            MemoryFailure => [0x65, 0x81],
            WrongLength => [0x67, 0x00],
            LogicalChannelNotSupported => [0x68, 0x81],
            SecureMessagingNotSupported => [0x68, 0x82],
            SecurityStatusNotSatisfied => [0x69, 0x82],
            AuthenticationMethodBlocked => [0x69, 0x83],
            ReferenceDataNotUsable => [0x69, 0x84],
            ConditionsNotSatisfied => [0x69, 0x85],
            CommandNotAllowed => [0x69, 0x86],
            SecureMessagingRejected => [0x69, 0xFC],
            FileNotFound => [0x6A, 0x82],
            IncorrectP1P2 => [0x6A, 0x86],
            WrongParameters => [0x6B, 0x00],
            WrongLe(n) => [0x6C, n],
            InsNotSupported => [0x6D, 0x00],
            ClaNotSupported => [0x6E, 0x00],
            NoPreciseDiagnosis => [0x6F, 0x00],
            Other(a, b) => [a, b],
        }
    }

    pub fn to_u16(self) -> u16 {
        u16::from_be_bytes(self.to_bytes())
    }

    pub fn from_u16(sw: u16) -> Self {
        let [a, b] = sw.to_be_bytes();
        Self::from_bytes(a, b)
    }

    /// A short English meaning, for logs and diagnostics.
    pub fn meaning(self) -> &'static str {
        use StatusWord::*;
        match self {
            Ok => "success",
            MoreData(_) => "more data available",
            EndOfFileWarning => "end of file reached",
            TriesLeft(_) => "verification failed / tries left",
            MemoryFailure => "memory failure",
            WrongLength => "wrong length",
            LogicalChannelNotSupported => "logical channel not supported",
            SecureMessagingNotSupported => "secure messaging not supported",
            SecurityStatusNotSatisfied => "security status not satisfied",
            AuthenticationMethodBlocked => "authentication method blocked",
            ReferenceDataNotUsable => "reference data not usable (locked)",
            ConditionsNotSatisfied => "conditions of use not satisfied",
            CommandNotAllowed => "command not allowed",
            SecureMessagingRejected => "secure messaging rejected",
            FileNotFound => "file not found",
            IncorrectP1P2 => "incorrect P1/P2",
            WrongParameters => "offset outside file",
            WrongLe(_) => "wrong Le",
            InsNotSupported => "instruction not supported",
            ClaNotSupported => "class not supported",
            NoPreciseDiagnosis => "no precise diagnosis",
            Other(..) => "unknown status",
        }
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b] = self.to_bytes();
        write!(f, "{a:02X}{b:02X} ({})", self.meaning())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn named_words() {
        assert_eq!(StatusWord::from_bytes(0x63, 0xC2), StatusWord::TriesLeft(2));
        assert_eq!(
            StatusWord::from_bytes(0x69, 0x84),
            StatusWord::ReferenceDataNotUsable
        );
        assert_eq!(
            StatusWord::from_bytes(0x6B, 0x00),
            StatusWord::WrongParameters
        );
        // 63 xx outside Cx is not a tries count.
        assert_eq!(
            StatusWord::from_bytes(0x63, 0x00),
            StatusWord::Other(0x63, 0x00)
        );
    }

    proptest! {
        #[test]
        fn roundtrip(a in any::<u8>(), b in any::<u8>()) {
            prop_assert_eq!(StatusWord::from_bytes(a, b).to_bytes(), [a, b]);
        }
    }
}
