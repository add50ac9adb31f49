//! The jitter buffer needs only the codecs' frame-boundary readers: depending on `ortc-codecs` must not pull in
//! a codec library (libopus, libvpx, OpenH264). `cargo tree -p ortc-jitter -e normal` then lists no `-sys`
//! crate.
#![allow(clippy::unwrap_used, missing_docs)]

#[test]
fn ortc_codecs_comes_without_its_codec_library_features() {
    let manifest = include_str!("../Cargo.toml");
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap();
    let codecs: Vec<&str> = dependencies
        .lines()
        .filter(|l| l.trim_start().starts_with("ortc-codecs"))
        .collect();
    assert_eq!(codecs.len(), 1, "{dependencies}");
    let codecs = codecs[0];
    assert!(codecs.contains("default-features = false"), "{codecs}");
    for feature in ["opus", "vpx", "h264"] {
        assert!(!codecs.contains(feature), "{codecs} enables {feature}");
    }
}
