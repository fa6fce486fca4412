//! Gives libnet.so an ELF soname, so programs linked with `-lnet` record
//! the ABI they were built against rather than the bare development name.
//!
//! The soname follows Cargo's compatibility rule: `libnet.so.<major>` from
//! 1.0 on, `libnet.so.0.<minor>` before it (a 0.x minor release may break
//! the ABI). `make install` installs `libnet.so.<version>` with the soname
//! and development links beside it; `make build` puts the soname link next
//! to the in-tree library so the tests' rpath finds it.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = !matches!(os.as_str(), "macos" | "ios" | "windows");
    if elf {
        let major = env!("CARGO_PKG_VERSION_MAJOR");
        let minor = env!("CARGO_PKG_VERSION_MINOR");
        let abi = if major == "0" { format!("0.{minor}") } else { major.to_string() };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnet.so.{abi}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
