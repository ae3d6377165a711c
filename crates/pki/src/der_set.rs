//! The elements of a DER `SET OF`, read in place.

use der::{Reader, SliceReader};

/// The elements (whole TLVs) of a `SET OF` from its content octets, in the order sent.
/// Two equal elements are refused, as `der`'s own SET OF decoding refuses them. The order is
/// not checked: encoders disagree on it (`der` 0.7 sorts a SEQUENCE's fields one by one, not
/// by the whole encoding, and sorts on decoding rather than refusing), and CMS signed
/// attributes are hashed as sent.
pub(crate) fn elements(content: &[u8]) -> der::Result<Vec<&[u8]>> {
    let mut r = SliceReader::new(content)?;
    let mut out: Vec<&[u8]> = Vec::new();
    while !r.is_finished() {
        out.push(r.tlv_bytes()?);
    }
    if out.len() > 1 {
        let mut sorted = out.clone();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(der::ErrorKind::SetDuplicate.into());
        }
    }
    Ok(out)
}
