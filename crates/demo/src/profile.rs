//! The demo card profiles: which holder and which trouble each virtual card shows.

use std::fmt;
use std::str::FromStr;

/// A demo card, in the order the app offers them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Profile {
    /// A typical holder; everything succeeds.
    #[default]
    Normal,
    /// The signing certificate has expired (2.2.9 / 3.2.9).
    Expired,
    /// One try left on the signing password: the last-try confirmation.
    OneTryLeft,
    /// The signing password is locked (2.2.7).
    Locked,
    /// Issued by a CA that is not a JPKI CA (2.2.11).
    ForeignCa,
    /// The normal card after a revocation the window accepted and put on a CRL
    /// (2.2.14 / 3.1.11).
    Revoked,
    /// Name and address outside JIS X 0208; a 16-character password.
    RareKanji,
    /// Issuer name of the JPKI CA, signature by another key (2.2.12).
    ImpostorCa,
    /// An old Juki card's token.
    Juki,
}

impl Profile {
    /// Every profile, in the order shown.
    pub const ALL: [Profile; 9] = [
        Profile::Normal,
        Profile::Expired,
        Profile::OneTryLeft,
        Profile::Locked,
        Profile::ForeignCa,
        Profile::Revoked,
        Profile::RareKanji,
        Profile::ImpostorCa,
        Profile::Juki,
    ];

    /// The name used on the command line and in `fixtures/cards/`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Normal => "normal",
            Profile::Expired => "expired",
            Profile::OneTryLeft => "one-try-left",
            Profile::Locked => "locked",
            Profile::ForeignCa => "foreign-ca",
            Profile::Revoked => "revoked",
            Profile::RareKanji => "rare-kanji",
            Profile::ImpostorCa => "impostor-ca",
            Profile::Juki => "juki",
        }
    }

    /// Every profile's name, in the order shown.
    pub fn names() -> [&'static str; 9] {
        Profile::ALL.map(Profile::name)
    }

    /// The card behind it (`revoked` is the `normal` card after a revocation).
    pub fn card(self) -> Profile {
        match self {
            Profile::Revoked => Profile::Normal,
            other => other,
        }
    }

    /// The card's signing password (`fixtures/README.md`).
    pub fn password(self) -> &'static str {
        match self {
            Profile::RareKanji => "ABCDEFGH12345678",
            _ => "ABC123",
        }
    }

    /// The card needs the window to have revoked it first.
    pub fn needs_revocation(self) -> bool {
        self == Profile::Revoked
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no demo profile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no demo profile {0:?} (one of: {names})", names = Profile::names().join(", "))]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Profile, UnknownProfile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(p.name().parse::<Profile>(), Ok(p));
        }
        assert!("revoke".parse::<Profile>().is_err());
    }

    #[test]
    fn every_card_has_a_generator_profile() {
        let known: Vec<_> = crate::material::profile_names().collect();
        for p in Profile::ALL {
            assert!(known.contains(&p.card().name()), "{p}");
        }
        assert_eq!(
            known.len(),
            Profile::ALL.len() - 1,
            "revoked has no card of its own"
        );
    }
}
