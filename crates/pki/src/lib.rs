//! madoguchi-pki
