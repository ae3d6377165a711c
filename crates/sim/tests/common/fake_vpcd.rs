//! A fake vpcd: vpcd's side of the protocol over a TCP listener.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use madoguchi_card::{Command, Response};
use madoguchi_sim::vpcd::{control, read_frame, write_frame};

pub struct FakeVpcd {
    pub listener: TcpListener,
}

impl FakeVpcd {
    pub fn new() -> FakeVpcd {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        FakeVpcd { listener }
    }

    pub fn addr(&self) -> String {
        self.listener.local_addr().unwrap().to_string()
    }

    /// Wait for the card to connect.
    pub fn accept(&self, timeout: Duration) -> Option<Slot> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(false).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                    return Some(Slot { s });
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() > deadline {
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
}

/// vpcd's end of one card connection.
pub struct Slot {
    pub s: TcpStream,
}

impl Slot {
    pub fn control(&mut self, byte: u8) {
        write_frame(&mut self.s, &[byte]).unwrap();
    }

    pub fn atr(&mut self) -> Vec<u8> {
        self.control(control::GET_ATR);
        read_frame(&mut self.s).unwrap()
    }

    pub fn send(&mut self, apdu: &[u8]) {
        write_frame(&mut self.s, apdu).unwrap();
    }

    pub fn apdu(&mut self, cmd: &Command) -> Response {
        self.send(&cmd.to_bytes().unwrap());
        Response::from_bytes(&read_frame(&mut self.s).unwrap()).unwrap()
    }

    /// The card closed the connection (eject) within `timeout`.
    pub fn closed(&mut self, timeout: Duration) -> bool {
        self.s.set_read_timeout(Some(timeout)).unwrap();
        let mut b = [0u8; 256];
        loop {
            match self.s.read(&mut b) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e) if is_timeout(&e) => return false,
                Err(_) => return true,
            }
        }
    }

    /// Nothing arrives within `timeout`.
    pub fn silent(&mut self, timeout: Duration) -> bool {
        self.s.set_read_timeout(Some(timeout)).unwrap();
        let mut b = [0u8; 1];
        let r = self.s.read(&mut b);
        self.s
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        matches!(r, Err(ref e) if is_timeout(e))
    }
}

pub fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}
