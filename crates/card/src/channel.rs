//! The [`CardChannel`] trait: one APDU in, one response out.
//!
//! Implementations only move bytes ([`CardChannel::transmit_raw`]). The
//! provided [`CardChannel::transmit`] adds what every channel needs the same
//! way: `61xx` → GET RESPONSE, `6Cxx` → resend with the right Le, and trace
//! logging that never shows secret command data or response data.

use crate::apdu::{ApduError, Command, Le, Response};
use crate::sw::StatusWord;

/// Failures below the APDU level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The smart-card service (pcscd / SCardSvr) is not running or went away.
    #[error("the smart-card service is not available")]
    ServiceUnavailable,
    /// No reader is connected.
    #[error("no card reader is connected")]
    NoReader,
    /// The named reader does not exist (any more).
    #[error("card reader not found: {0}")]
    ReaderNotFound(String),
    /// The reader has no card in it.
    #[error("no card in the reader")]
    NoCard,
    /// The card was removed (or reset by someone else) during an operation.
    #[error("the card was removed")]
    CardRemoved,
    /// The card is held exclusively by another program.
    #[error("the card is in use by another program")]
    Sharing,
    /// The card did not answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// The card's answer was not a valid response APDU.
    #[error("malformed response: {0}")]
    Malformed(#[from] ApduError),
    /// Any other reader or driver failure, with its description.
    #[error("reader error: {0}")]
    Other(String),
}

/// Bound on GET RESPONSE rounds for one command: a card that keeps answering
/// `61xx` forever must not hang the caller.
const MAX_GET_RESPONSE_ROUNDS: usize = 256;

/// How a transaction ([`CardChannel::transaction`]) leaves the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransactionEnd {
    /// As it is: nothing was verified in the transaction.
    Leave,
    /// Warm reset: the card's security state ends with the transaction.
    Reset,
    /// Power off and on: the security state ends even on a card whose
    /// warm reset keeps it (soltia48/myna-card found a JPKI test card that
    /// keeps a VERIFY across a warm reset, but not across power-off).
    Unpower,
}

/// `&mut dyn CardChannel` from any channel, for the provided
/// [`CardChannel::transaction`].
pub trait AsDynChannel {
    fn as_dyn_channel(&mut self) -> &mut dyn CardChannel;
}

impl<T: CardChannel> AsDynChannel for T {
    fn as_dyn_channel(&mut self) -> &mut dyn CardChannel {
        self
    }
}

/// A connection to one card.
pub trait CardChannel: Send + AsDynChannel {
    /// Send raw command bytes; return raw response bytes (data + SW1 SW2).
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// The card's answer to reset.
    fn atr(&self) -> Vec<u8>;

    /// Reset the card (warm reset); all security state is lost.
    fn reset(&mut self) -> Result<(), TransportError>;

    /// Run `work` as one atomic sequence: no other program talks to the
    /// card in between (PC/SC `SCardBeginTransaction` …
    /// `SCardEndTransaction`), and `end` says how the card is left. Errors
    /// of `work` travel in what it captures; the result is about beginning
    /// and ending the transaction.
    ///
    /// The provided version is for channels nobody else shares (test
    /// doubles): it runs `work` and resets the card unless `end` is
    /// [`TransactionEnd::Leave`].
    fn transaction(
        &mut self,
        end: TransactionEnd,
        work: &mut dyn FnMut(&mut dyn CardChannel),
    ) -> Result<(), TransportError> {
        work(self.as_dyn_channel());
        match end {
            TransactionEnd::Leave => Ok(()),
            TransactionEnd::Reset | TransactionEnd::Unpower => self.reset(),
        }
    }

    /// Send one command and return its complete response, following `61xx`
    /// with GET RESPONSE and `6Cxx` with a resend carrying the right Le.
    /// A command that carries a secret is never sent twice: its `6Cxx` is
    /// returned as it came (one VERIFY, one try at most).
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
        tracing::trace!(target: "madoguchi::apdu", "> {command:?}");
        let bytes = command.to_bytes()?;
        let mut response = Response::from_bytes(&self.transmit_raw(&bytes)?)?;
        if let StatusWord::WrongLe(exact) = response.sw
            && !command.is_sensitive()
        {
            let ne = if exact == 0 { 256 } else { u16::from(exact) };
            let mut again = command.clone();
            again.le = Some(Le::Short(ne));
            tracing::trace!(target: "madoguchi::apdu", "6C{exact:02X}: resend with Le={ne}");
            let bytes = again.to_bytes()?;
            response = Response::from_bytes(&self.transmit_raw(&bytes)?)?;
        }
        let mut data = std::mem::take(&mut response.data);
        let mut rounds = 0;
        while let StatusWord::MoreData(available) = response.sw {
            rounds += 1;
            if rounds > MAX_GET_RESPONSE_ROUNDS {
                return Err(TransportError::Other(
                    "card kept answering 61xx to GET RESPONSE".into(),
                ));
            }
            let bytes = Command::get_response(available).to_bytes()?;
            response = Response::from_bytes(&self.transmit_raw(&bytes)?)?;
            data.append(&mut response.data);
        }
        response.data = data;
        tracing::trace!(target: "madoguchi::apdu", "< {response:?}");
        Ok(response)
    }
}

impl<C: CardChannel + ?Sized> CardChannel for Box<C> {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_raw(command)
    }
    fn atr(&self) -> Vec<u8> {
        (**self).atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        (**self).reset()
    }
    fn transaction(
        &mut self,
        end: TransactionEnd,
        work: &mut dyn FnMut(&mut dyn CardChannel),
    ) -> Result<(), TransportError> {
        (**self).transaction(end, work)
    }
}

impl<C: CardChannel + ?Sized> CardChannel for &mut C {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_raw(command)
    }
    fn atr(&self) -> Vec<u8> {
        (**self).atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        (**self).reset()
    }
    fn transaction(
        &mut self,
        end: TransactionEnd,
        work: &mut dyn FnMut(&mut dyn CardChannel),
    ) -> Result<(), TransportError> {
        (**self).transaction(end, work)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// Replays scripted raw responses and records what was sent.
    struct Script {
        answers: VecDeque<Vec<u8>>,
        sent: Vec<Vec<u8>>,
    }

    impl CardChannel for Script {
        fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.sent.push(command.to_vec());
            self.answers.pop_front().ok_or(TransportError::CardRemoved)
        }
        fn atr(&self) -> Vec<u8> {
            vec![0x3B]
        }
        fn reset(&mut self) -> Result<(), TransportError> {
            Ok(())
        }
    }

    #[test]
    fn follows_61xx_with_get_response() {
        let mut s = Script {
            answers: [vec![1, 2, 0x61, 0x03], vec![3, 4, 5, 0x90, 0x00]].into(),
            sent: vec![],
        };
        let r = s.transmit(&Command::read_binary(0, Le::MAX_SHORT)).unwrap();
        assert_eq!(r.data, vec![1, 2, 3, 4, 5]);
        assert_eq!(r.sw, StatusWord::Ok);
        assert_eq!(s.sent[1], vec![0x00, 0xC0, 0x00, 0x00, 0x03]);
    }

    #[test]
    fn follows_6cxx_with_exact_le() {
        let mut s = Script {
            answers: [vec![0x6C, 0x05], vec![9, 9, 9, 9, 9, 0x90, 0x00]].into(),
            sent: vec![],
        };
        let r = s.transmit(&Command::read_binary(0, Le::Short(10))).unwrap();
        assert_eq!(r.data.len(), 5);
        assert_eq!(s.sent[1], vec![0x00, 0xB0, 0x00, 0x00, 0x05]);
    }

    #[test]
    fn secret_commands_are_never_resent_on_6cxx() {
        let verify = Command::new(0x00, crate::apdu::ins::VERIFY, 0x00, 0x80).with_data(*b"ABC123");
        let change = Command::change_reference_data(b"NEW123");
        for command in [Command::verify(b"ABC123"), verify, change] {
            let mut s = Script {
                answers: [vec![0x6C, 0x00], vec![0x90, 0x00]].into(),
                sent: vec![],
            };
            let r = s.transmit(&command).unwrap();
            assert_eq!(r.sw, StatusWord::WrongLe(0));
            assert_eq!(s.sent.len(), 1, "{command:?} sent once");
        }
    }

    #[test]
    fn endless_61xx_is_an_error_not_a_hang() {
        let mut s = Script {
            answers: std::iter::repeat_n(vec![0x61, 0x01], 1000).collect(),
            sent: vec![],
        };
        assert!(s.transmit(&Command::read_binary(0, Le::MAX_SHORT)).is_err());
    }
}
