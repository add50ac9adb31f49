//! Project automation, run as `cargo xtask <command>`.
//!
//! | command | what it does |
//! |---|---|
//! | `setup` | installs the system packages the workspace needs (apt-get, when root) |
//! | `ci` | setup, then fmt check, each layer's native dependencies (`cargo tree`), clippy `-D warnings`, every test (nextest) and doctests |
//! | `demo` | setup, then runs the demo on the capture shipped in `fixtures/` |
//! | `bench [CRATE]` | criterion benches (all, or one crate such as `rtp-packet`) |
//! | `fuzz CRATE [--seconds N]` | runs that crate's cargo-fuzz target on nightly |
//! | `icount srtp [--size N]` | instructions per packet under callgrind: ortc-srtp vs raw libsrtp2 vs webrtc-srtp |
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Debian packages the workspace's build and tests need.
///
/// `libclang-dev` is for srtp2-sys's bindgen; `make` builds the libsrtp2 source it bundles.
/// `cmake` builds the libopus the opus crate bundles; `libvpx-dev` is the VP8/VP9 library ortc-codecs links;
/// `nasm` assembles the SIMD code of the OpenH264 source the openh264 crate bundles (about 2.5× faster
/// encoding; without it the build falls back to plain C).
const SYSTEM_PACKAGES: &[&str] = &[
    "pkg-config",
    "libssl-dev",
    "openssl",
    "libclang-dev",
    "make",
    "cmake",
    "libvpx-dev",
    "nasm",
];

/// Fuzz targets, by the crate they exercise.
const FUZZ_TARGETS: &[(&str, &str)] = &[
    ("rtp-packet", "rtp_packet"),
    ("rtcp", "rtcp_compound"),
    ("srtp", "srtp_unprotect"),
    ("dtls", "dtls_endpoint"),
    ("sdp", "sdp_parse"),
    ("ice", "stun_decode"),
    ("codecs", "depayload"),
    ("jitter", "jitter_ops"),
    ("rtp-api", "rtp_session"),
    ("ortc", "peer_connection"),
];

/// Each layer builds alone, with no native library it does not use: the `-sys` crates each may pull in as a
/// normal dependency (with the features given), checked by `ci` through `cargo tree`.
const NATIVE_DEPENDENCIES: &[(&str, &[&str], &[&str])] = &[
    ("ortc-rtp-packet", &[], &[]),
    ("ortc-rtcp", &[], &[]),
    ("ortc-sdp", &[], &[]),
    ("ortc-ice", &[], &[]),
    ("ortc-jitter", &[], &[]),
    ("ortc-codecs", &["--no-default-features"], &[]),
    ("ortc-srtp", &["--no-default-features"], &[]),
    ("ortc-srtp", &[], &["srtp2-sys", "openssl-sys"]),
    ("ortc-dtls", &[], &["openssl-sys"]),
];

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("ci") => ci(),
        Some("demo") => demo(&args[1..]),
        Some("interop") => interop(),
        Some("bench") => bench(args.get(1).map(String::as_str)),
        Some("fuzz") => fuzz(&args[1..]),
        Some("icount") => icount(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup | ci | demo | interop | bench [CRATE] | fuzz CRATE [--seconds N] | icount srtp [--size N]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn run(program: &str, args: &[&str]) -> Result {
    println!("+ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed: {status}", args.join(" ")))
    }
}

fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Installs missing system packages with apt-get when running as root on Debian.
fn setup() -> Result {
    let missing: Vec<&str> = SYSTEM_PACKAGES.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !succeeds("apt-get", &["--version"]) {
        return Err(format!(
            "missing system packages {missing:?} and no apt-get to install them"
        ));
    }
    let sudo = !succeeds("sh", &["-c", "[ \"$(id -u)\" = 0 ]"]);
    let mut install = vec!["apt-get", "install", "-y", "--no-install-recommends"];
    install.extend(&missing);
    if sudo {
        run("sudo", &["apt-get", "update"])?;
        run("sudo", &install)
    } else {
        run("apt-get", &["update"])?;
        run(install[0], &install[1..])
    }
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

fn ci() -> Result {
    setup()?;
    run("cargo", &["fmt", "--all", "--check"])?;
    check_native_dependencies()?;
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    if succeeds("cargo", &["nextest", "--version"]) {
        run(
            "cargo",
            &["nextest", "run", "--workspace", "--locked", "--no-fail-fast"],
        )?;
    } else {
        run("cargo", &["test", "--workspace", "--locked", "--no-fail-fast"])?;
    }
    run("cargo", &["test", "--workspace", "--locked", "--doc"])?;
    interop()?;
    // The fuzz targets live outside the workspace (they run on nightly); make sure they still build.
    run(
        "cargo",
        &["check", "--locked", "--manifest-path", "fuzz/Cargo.toml", "--bins"],
    )?;
    // Broken doc links fail the build too.
    let status = Command::new("cargo")
        .args(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings")
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start cargo doc: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo doc` failed: {status}"))
    }
}

/// The aiortc release the interop tests run against (`PyPI`).
const AIORTC: &str = "aiortc==1.16.0";

/// Runs the interop tests against real peers: aiortc from `PyPI` in a virtual environment of its own (made once,
/// under `target/interop`), both peers inside a fresh network namespace whose only interface is loopback, so
/// that no packet can leave 127.0.0.1. Needs root (for the namespace) and python3 with venv.
fn interop() -> Result {
    let venv = root().join("target/interop/aiortc");
    let python = venv.join("bin/python");
    let python = python.to_str().ok_or("the interop path is not UTF-8")?;
    if !succeeds(python, &["-c", "import aiortc"]) {
        let dir = venv.to_str().ok_or("the interop path is not UTF-8")?;
        run("python3", &["-m", "venv", dir])?;
        run(python, &["-m", "pip", "install", "--quiet", AIORTC])?;
    }
    if !succeeds("sh", &["-c", "[ \"$(id -u)\" = 0 ]"]) {
        return Err("interop tests run in a network namespace of their own: run as root".into());
    }
    let test: &[&str] = if succeeds("cargo", &["nextest", "--version"]) {
        &[
            "nextest",
            "run",
            "--locked",
            "-p",
            "ortc",
            "--test",
            "aiortc",
            "--run-ignored",
            "all",
        ]
    } else {
        &["test", "--locked", "-p", "ortc", "--test", "aiortc", "--", "--ignored"]
    };
    let mut args = vec!["-n", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh", "cargo"];
    args.extend_from_slice(test);
    println!(
        "+ (loopback-only namespace, ORTC_AIORTC_PYTHON={python}) cargo {}",
        test.join(" ")
    );
    let status = Command::new("unshare")
        .args(&args)
        .env("ORTC_AIORTC_PYTHON", python)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start unshare: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("interop tests failed: {status}"))
    }
}

/// Fails if a crate's normal dependency tree holds a `-sys` crate that [`NATIVE_DEPENDENCIES`] does not allow.
///
/// `cargo tree -p` resolves features for that package alone, as `cargo build -p` does, so what another
/// workspace member enables does not hide a dependency here.
fn check_native_dependencies() -> Result {
    for &(krate, flags, allowed) in NATIVE_DEPENDENCIES {
        let mut args = vec![
            "tree", "--locked", "-p", krate, "-e", "normal", "--prefix", "none", "--format", "{p}",
        ];
        args.extend_from_slice(flags);
        println!("+ cargo {}", args.join(" "));
        let out = Command::new("cargo")
            .args(&args)
            .current_dir(root())
            .output()
            .map_err(|e| format!("cannot start cargo tree: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`cargo {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let tree = String::from_utf8_lossy(&out.stdout);
        let mut native: Vec<&str> = tree
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .filter(|name| {
                // `-sys`, or a numbered one such as `openh264-sys2`
                name.trim_end_matches(|c: char| c.is_ascii_digit()).ends_with("-sys") && !allowed.contains(name)
            })
            .collect();
        native.sort_unstable();
        native.dedup();
        if !native.is_empty() {
            return Err(format!(
                "{krate} {} builds native libraries it should not: {native:?}",
                flags.join(" ")
            ));
        }
    }
    Ok(())
}

fn demo(args: &[String]) -> Result {
    setup()?;
    let default = "fixtures/chromium/plain.pcap".to_owned();
    let capture = args.first().unwrap_or(&default);
    run(
        "cargo",
        &[
            "run",
            "--release",
            "--locked",
            "-p",
            "ortc-rtp-packet",
            "--example",
            "rtpdump",
            "--",
            capture,
        ],
    )
}

fn bench(krate: Option<&str>) -> Result {
    setup()?;
    match krate {
        Some(k) => run("cargo", &["bench", "--locked", "-p", &format!("ortc-{k}")]),
        None => run("cargo", &["bench", "--locked", "--workspace"]),
    }
}

fn fuzz(args: &[String]) -> Result {
    let krate = args.first().ok_or("usage: cargo xtask fuzz CRATE [--seconds N]")?;
    let target = FUZZ_TARGETS
        .iter()
        .find(|(k, _)| k == krate)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("no fuzz target for `{krate}`; known: {FUZZ_TARGETS:?}"))?;
    let seconds = match args.iter().position(|a| a == "--seconds") {
        Some(i) => args
            .get(i + 1)
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or("--seconds needs a number")?,
        None => 60,
    };
    if !succeeds("cargo", &["fuzz", "--version"]) {
        run("cargo", &["install", "cargo-fuzz", "--locked"])?;
    }
    let max_time = format!("-max_total_time={seconds}");
    run(
        "cargo",
        &["+nightly", "fuzz", "run", "--fuzz-dir", "fuzz", target, "--", &max_time],
    )
}

/// Packets per callgrind run of `icount`.
const ICOUNT_PACKETS: u64 = 2000;

/// Counts instructions per packet with callgrind (repeatable whatever else the machine does, unlike timings):
/// ortc-srtp, the same libsrtp2 called raw, and webrtc-srtp, per profile, protect and unprotect.
fn icount(args: &[String]) -> Result {
    let usage = || "usage: cargo xtask icount srtp [--size BYTES]".to_owned();
    let size = match args {
        [k] if k == "srtp" => "1200".to_owned(),
        [k, flag, size] if k == "srtp" && flag == "--size" => size.clone(),
        _ => return Err(usage()),
    };
    if !succeeds("valgrind", &["--version"]) {
        return Err("valgrind is needed (Debian package valgrind)".to_owned());
    }
    setup()?;
    run(
        "cargo",
        &[
            "build",
            "--release",
            "--locked",
            "-p",
            "ortc-srtp",
            "--example",
            "srtp_icount",
        ],
    )?;
    // a relative CARGO_TARGET_DIR is relative to the root, where the build above ran
    let target = env::var("CARGO_TARGET_DIR").map_or_else(|_| root().join("target"), |d| root().join(d));
    let binary = target.join("release/examples/srtp_icount");
    let out_file = env::temp_dir().join(format!("ortc-icount-{}.out", std::process::id()));
    let count = |implementation: &str, op: &str, profile: &str| -> Result<f64> {
        let output = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out_file.display()))
            .arg("--toggle-collect=*measured_loop*")
            .arg(&binary)
            .args([implementation, op, profile, &ICOUNT_PACKETS.to_string(), &size])
            .output()
            .map_err(|e| format!("cannot start valgrind: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "{implementation} {op} {profile} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let collected = stderr
            .lines()
            .find_map(|l| l.split_once("Collected :").map(|(_, n)| n.trim().replace(',', "")))
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("no instructions counted in the packet loop; valgrind said:\n{stderr}"))?;
        #[allow(clippy::cast_precision_loss)] // counts far below 2^52
        Ok(collected as f64 / ICOUNT_PACKETS as f64)
    };
    println!("| profile | op | ortc | raw libsrtp2 | webrtc-srtp | ortc/raw | ortc/webrtc-srtp |");
    println!("|---|---|---|---|---|---|---|");
    for profile in [
        "SRTP_AES128_CM_HMAC_SHA1_80",
        "SRTP_AES128_CM_HMAC_SHA1_32",
        "SRTP_AEAD_AES_128_GCM",
        "SRTP_AEAD_AES_256_GCM",
    ] {
        for op in ["protect", "unprotect"] {
            let ortc = count("ortc", op, profile)?;
            let raw = count("raw", op, profile)?;
            let theirs = count("webrtc-srtp", op, profile)?;
            println!(
                "| {} | {op} | {ortc:.0} | {raw:.0} | {theirs:.0} | {:.3} | {:.2} |",
                profile.trim_start_matches("SRTP_"),
                ortc / raw,
                ortc / theirs
            );
        }
    }
    let _ = std::fs::remove_file(out_file);
    println!("(instructions per {size}-byte packet; ratios are instruction ratios, lower is better for ortc)");
    Ok(())
}
