//! madoguchi-sim
