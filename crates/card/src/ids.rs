//! Application identifiers, file identifiers and token labels of the JPKI
//! card (reference: shared/reference/jpki-card.md §1–§3). Card and virtual
//! card both take them from here.

/// 公的個人認証AP (JPKI AP).
pub const AID_JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// 券面事項入力補助AP (card-info input support AP).
pub const AID_CARD_INFO: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// Files of the JPKI AP.
pub mod jpki {
    /// 署名用電子証明書: readable only after the signing password.
    pub const SIGNING_CERTIFICATE: u16 = 0x0001;
    /// 署名用CA証明書.
    pub const SIGNING_CA_CERTIFICATE: u16 = 0x0002;
    /// Token information (PKCS#11 CK_TOKEN_INFO, 160 bytes).
    pub const TOKEN_INFO: u16 = 0x0006;
    /// Certificate availability flags (3 bytes).
    pub const CERTIFICATE_FLAGS: u16 = 0x0008;
    /// 利用者証明用電子証明書.
    pub const AUTHENTICATION_CERTIFICATE: u16 = 0x000A;
    /// 利用者証明用CA証明書.
    pub const AUTHENTICATION_CA_CERTIFICATE: u16 = 0x000B;
    /// 利用者証明用秘密鍵.
    pub const AUTHENTICATION_KEY: u16 = 0x0017;
    /// 利用者証明用暗証番号 (IEF).
    pub const AUTHENTICATION_PIN: u16 = 0x0018;
    /// 署名用秘密鍵.
    pub const SIGNING_KEY: u16 = 0x001A;
    /// 署名用パスワード (IEF).
    pub const SIGNING_PASSWORD: u16 = 0x001B;
}

/// Files of the card-info input support AP.
pub mod card_info {
    /// 個人番号 (17 bytes).
    pub const MY_NUMBER: u16 = 0x0001;
    /// 基本4情報 (BER-TLV `FF20`).
    pub const BASIC_FOUR: u16 = 0x0002;
    /// Integrity record (`FF30`).
    pub const INTEGRITY: u16 = 0x0003;
    /// 券面事項入力補助用暗証番号 (IEF, 4 digits).
    pub const PIN: u16 = 0x0011;
}

/// Token labels in the first 32 bytes of EF 0006, space padded.
pub mod token {
    pub const MY_NUMBER_CARD: &str = "JPKIAPICCTOKEN2";
    pub const JUKI_CARD: &str = "JPKIAPICCTOKEN";
    pub const ANDROID: &str = "JPKIAPGPSETOKEN";
    pub const IPHONE: &str = "JPKIAPIOSTOKEN";
}

/// Retry limits of each secret.
pub const SIGNING_PASSWORD_TRIES: u8 = 5;
pub const AUTHENTICATION_PIN_TRIES: u8 = 3;
pub const CARD_INFO_PIN_TRIES: u8 = 3;

/// DigestInfo prefix for SHA-256 (the card pads to PKCS#1 v1.5 itself).
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
