//! Empty: this package exists for the features its build-dependency pins
//! (see Cargo.toml); a build-dependency is only resolved for a package that
//! has a build script.
fn main() {}
