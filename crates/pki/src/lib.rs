//! madoguchi-pki

pub mod cms;
pub mod request;
pub mod wire;
