//! What an answer to reset (ISO/IEC 7816-3 §8.2) says about extended-length
//! APDUs: the card-capabilities object in the historical bytes (ISO/IEC
//! 7816-4 §12.1.1.9, compact-TLV tag `7`, third software-function byte, bit
//! b7 "extended Lc and Le fields").
//!
//! The My Number card's contact ATR `3B E0 00 FF 81 31 FE 45 14` has no
//! historical bytes at all (T0 = `E0`, K = 0; OpenSC `card-jpki.c` matches
//! exactly this ATR), so it announces nothing and gets short APDUs, as
//! every public JPKI tool sends (OpenSC, jpki-rs, myna, soltia48/myna-card).

/// Category indicator: compact-TLV objects, then a 3-byte status indicator.
const CATEGORY_TLV_WITH_STATUS: u8 = 0x00;
/// Category indicator: compact-TLV objects only.
const CATEGORY_TLV: u8 = 0x80;
/// Length of the trailing status indicator of category `00`.
const STATUS_INDICATOR_LEN: usize = 3;
/// Compact-TLV tag of the card-capabilities object.
const CARD_CAPABILITIES_TAG: u8 = 0x7;
/// Third software-function byte, b7: extended Lc and Le fields.
const EXTENDED_LC_LE: u8 = 0x40;
/// Bit in a Y nibble for each of TA, TB, TC, TD.
const INTERFACE_BYTE_BITS: [u8; 4] = [0x1, 0x2, 0x4, 0x8];
const TD_BIT: u8 = 0x8;

/// The historical bytes of an ATR, if its interface bytes parse.
pub fn historical_bytes(atr: &[u8]) -> Option<&[u8]> {
    let t0 = *atr.get(1)?;
    let k = usize::from(t0 & 0x0F);
    let mut y = t0 >> 4;
    let mut at = 2;
    loop {
        let present = INTERFACE_BYTE_BITS
            .iter()
            .filter(|&&bit| y & bit != 0)
            .count();
        let td = if y & TD_BIT != 0 {
            Some(*atr.get(at + present - 1)?)
        } else {
            None
        };
        at += present;
        match td {
            Some(td) => y = td >> 4,
            None => break,
        }
    }
    atr.get(at..at + k)
}

/// Whether the ATR's card-capabilities object says the card takes extended
/// Lc and Le fields. No historical bytes, another category, or no such
/// object: `false` (short APDUs only).
pub fn offers_extended_length(atr: &[u8]) -> bool {
    let Some(hist) = historical_bytes(atr) else {
        return false;
    };
    let objects = match hist.split_first() {
        Some((&CATEGORY_TLV, rest)) => rest,
        Some((&CATEGORY_TLV_WITH_STATUS, rest)) if rest.len() >= STATUS_INDICATOR_LEN => {
            &rest[..rest.len() - STATUS_INDICATOR_LEN]
        }
        _ => return false,
    };
    let mut i = 0;
    while let Some(&head) = objects.get(i) {
        let (tag, len) = (head >> 4, usize::from(head & 0x0F));
        let Some(value) = objects.get(i + 1..i + 1 + len) else {
            return false;
        };
        if tag == CARD_CAPABILITIES_TAG {
            return value.get(2).is_some_and(|b| b & EXTENDED_LC_LE != 0);
        }
        i += 1 + len;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_number_card_atr_is_short_only() {
        let atr = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];
        assert_eq!(historical_bytes(&atr), Some(&[][..]));
        assert!(!offers_extended_length(&atr));
    }

    #[test]
    fn jpki2_atr_historical_bytes() {
        // OpenSC/OpenSC#3021 ("JPKI-2"): 10 historical bytes, category 80.
        let atr = [
            0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1,
            0x73, 0xC6, 0x01, 0xC0, 0x3B,
        ];
        let hist = historical_bytes(&atr).unwrap();
        assert_eq!(hist.len(), 10);
        assert_eq!(hist[0], 0x80);
        // 73 C6 01 C0: capabilities C6 01 C0, third byte C0 has b7 set.
        assert!(offers_extended_length(&atr));
    }

    #[test]
    fn capabilities_bit_decides() {
        let with = [
            0x3B, 0xE5, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x80, 0x73, 0x00, 0x00, 0x40, 0x00,
        ];
        assert!(offers_extended_length(&with));
        let without = [
            0x3B, 0xE5, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x80, 0x73, 0x00, 0x00, 0x80, 0x00,
        ];
        assert!(!offers_extended_length(&without));
        // Cut short: nothing is offered.
        assert!(!offers_extended_length(&with[..10]));
        assert!(!offers_extended_length(&[]));
        assert!(!offers_extended_length(&[0x3B]));
    }
}
